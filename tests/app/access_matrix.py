"""The access matrix: who may reach which route for which tenant's objects.

Every route of the app is listed in ``POLICIES`` (the matrix test fails on an unlisted one),
with a policy saying who may use it. ``expected(policy, principal, owner)`` gives the answer
class a principal must get for an object of ``owner`` ("A", "B" or None for routes without
an object):

- ``ok``: allowed — any answer but 401/403/404 and never 5xx (a 409 or 422 from the business
  rules is fine: the request got through the access check);
- ``login``: 302 to the login page (pages) or 401 (API);
- ``forbidden``: 403 (logged in, wrong role);
- ``hidden``: 404 (another tenant's object, or outside an auditor's scope: it looks missing);
- ``any``: any answer but a 5xx (public one-time links: an unknown token is the user's error).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Principals: name -> (kind, org, role details)
PRINCIPALS = {
    "anonymous": {"kind": "anonymous"},
    "signing_other": {"kind": "signing", "contract_of": "B"},
    "signing_own": {"kind": "signing", "contract_of": "A"},
    "hr_A": {"kind": "user", "username": "hr", "role": "employer_hr", "org": "A"},
    "admin_A": {"kind": "user", "username": "admin", "role": "employer_admin", "org": "A"},
    "hr_B": {"kind": "user", "username": "hr2", "role": "employer_hr", "org": "B"},
    "admin_B": {"kind": "user", "username": "admin2", "role": "employer_admin", "org": "B"},
    "auditor_A": {"kind": "user", "username": "auditor", "role": "auditor", "sees": {"A"}},
    "auditor_B": {"kind": "user", "username": "auditor2", "role": "auditor", "sees": {"B"}},
    "auditor_none": {"kind": "user", "username": "unscoped", "role": "auditor", "sees": set()},
    "platform": {"kind": "user", "username": "platform", "role": "platform_admin"},
    "api_A": {"kind": "api_key", "org": "A"},
    "api_B": {"kind": "api_key", "org": "B"},
    # workers signed in to their own space (/me): the worker of A's filed contract, and the
    # worker of B's (each sees only the contracts they signed, whichever employer issued them)
    "person_A": {"kind": "person", "person_of": "A"},
    "person_B": {"kind": "person", "person_of": "B"},
}
# Denied principals run first (the state is compared before/after), owners last; an API key
# before its admin (who revokes it).
ORDER = ["anonymous", "signing_other", "person_B", "api_B", "hr_B", "admin_B", "auditor_B",
         "auditor_none", "auditor_A", "signing_own", "person_A", "api_A", "hr_A", "admin_A",
         "platform"]


@dataclass(frozen=True)
class Route:
    """How to call one endpoint: method, which object its arguments name, body kind."""

    policy: str
    method: str = "GET"  # or "GET,POST": both are checked
    # draft | sent | changing | filed | cert | apikey | user | org | auditor | batch | webhook
    # | project
    obj: str | None = None
    body: str = "none"  # none | form | json
    extra: dict = field(default_factory=dict)
    json: dict = field(default_factory=dict)  # a schema-valid body (the session is added)


POLICIES: dict[str, Route] = {
    # public
    "auth.index": Route("public"),
    "auth.login": Route("public"),
    "auth.logout": Route("public", "POST", body="form"),
    "static": Route("public", extra={"filename": "style.css"}),
    "health.healthz": Route("public"),
    # readiness and metrics: open in the test config (no METRICS_TOKEN, not production); the
    # token guard and production's refusal are tested in tests/app/test_observe_metrics.py
    "health.readyz": Route("public"), "observe.metrics": Route("public"),
    "ca.crl": Route("public"), "ca.root_crl": Route("public"), "ca.root_pem": Route("public"),
    "ca.issuing_pem": Route("public"), "ca.tsa": Route("public", "POST", body="raw"),
    "verify.index": Route("public"), "verify.verify": Route("public", "POST", body="form"),
    "verify.report_pdf": Route("public", "POST", body="form"),
    "api.openapi": Route("public"), "api.list_rules": Route("public"),
    # the worker's link: the token is the credential for the page, the code and the session
    "worker.sign_page": Route("token", obj="sent"),
    "api.sign.request_otp": Route("token", "POST", obj="sent", body="json"),
    "api.sign.verify_otp": Route("token", "POST", obj="sent", body="json"),
    "api.sign.worker_contract": Route("signing", obj="sent"),
    "api.sign.worker_pdf": Route("signing", obj="sent"),
    "api.sign.worker_documents": Route("signing", obj="sent"),
    "api.sign.worker_pay": Route("signing", obj="sent"),
    "api.sign.worker_document_pdf": Route("signing", obj="sent", extra={"position": 0}),
    # schema-valid bodies the services refuse for the owner (no drawing, empty reason)
    "api.sign.sign_contract": Route("signing", "POST", obj="sent", body="json", json={
        "signature": "data:image/png;base64,AAAA", "consent": True}),
    "api.sign.decline_contract": Route("signing", "POST", obj="sent", body="json",
                                       json={"reason": ""}),
    # employer pages
    "employer.contracts_list": Route("employer_page", "GET,POST", body="form"),
    "employer.export_contracts": Route("employer_page", "POST", body="form"),
    "employer.bulk_action": Route("employer_page", "POST", body="form"),
    "employer.copy_link": Route("employer_page", "POST", obj="changing", body="form"),
    "employer.staff_register_page": Route("employer_page"),
    "employer.batches_page": Route("employer_page", "GET,POST", body="form"),
    "employer.roster_template": Route("employer_page"),
    "employer.batch_page": Route("employer_page", obj="batch"),
    "employer.batch_progress": Route("employer_page", obj="batch"),
    "employer.launch_batch": Route("employer_page", "POST", obj="batch", body="form"),
    "employer.retry_batch": Route("employer_page", "POST", obj="batch", body="form"),
    "employer.new_contract": Route("employer_page"),
    "employer.preview": Route("employer_page", "POST", body="form"),
    "employer.preview_pdf": Route("employer_page", "POST", body="form"),
    "employer.contract_detail": Route("employer_page", obj="filed"),
    "employer.contract_english": Route("employer_page", obj="filed"),
    "employer.templates_list": Route("employer_page"),
    "employer.template_page": Route("employer_page", "GET,POST", body="form",
                                    extra={"template_id": 1}),
    "employer.edit_contract": Route("employer_page", obj="draft"),
    "employer.pdf": Route("employer_page", obj="filed"),
    "employer.print_copy": Route("employer_page", "POST", obj="filed", body="form"),
    "employer.send": Route("employer_page", "POST", obj="draft", body="form"),
    "employer.resend": Route("employer_page", "POST", obj="changing", body="form"),
    "employer.terminate": Route("employer_page", "POST", obj="filed", body="form"),
    "employer.amend": Route("employer_page", "POST", obj="filed", body="form"),
    "employer.void": Route("employer_page", "POST", obj="changing", body="form"),
    "employer.expiring_contracts": Route("employer_page"),
    # the filed contract does not end within 30 days: the owner gets a 409, nothing is created
    "employer.renew": Route("employer_page", "POST", obj="filed", body="form"),
    # employer API
    "api.employer.create_contract": Route("employer_api", "POST", body="json"),
    "api.employer.list_contracts": Route("employer_api"),
    "api.employer.create_batch": Route("employer_api", "POST", body="json",
                                       json={"rows": [{"worker_name": "矩阵"}]}),
    "api.employer.get_batch": Route("employer_api", obj="batch"),
    "api.employer.list_webhooks": Route("employer_api"),
    "api.employer.create_webhook": Route("employer_api", "POST", body="json",
                                         json={"url": "ftp://x", "events": []}),
    "api.employer.disable_webhook": Route("employer_api", "POST", obj="webhook", body="json"),
    "api.employer.list_deliveries": Route("employer_api", obj="webhook"),
    "api.employer.replay_delivery": Route("employer_api", "POST", obj="webhook", body="json"),
    "api.employer.get_register": Route("employer_api"),
    "api.employer.get_register_file": Route("employer_api"),
    "api.employer.launch_batch": Route("employer_api", "POST", obj="batch", body="json"),
    "api.employer.retry_batch": Route("employer_api", "POST", obj="batch", body="json"),
    "api.employer.get_contract": Route("employer_api", obj="filed"),
    "api.employer.get_pdf": Route("employer_api", obj="filed"),
    "api.employer.get_verification": Route("employer_api", obj="filed"),
    "api.employer.send_contract": Route("employer_api", "POST", obj="draft", body="json"),
    "api.employer.resend_contract": Route("employer_api", "POST", obj="changing", body="json"),
    "api.employer.amend_contract": Route("employer_api", "POST", obj="filed", body="json", json={
        "changes": {"post": "木工"}, "effective_from": "2026-12-10"}),
    "api.employer.terminate_contract": Route("employer_api", "POST", obj="filed", body="json",
                                             json={"ground": "art36",
                                                   "last_working_day": "2026-12-20"}),
    "api.employer.contract_chain": Route("employer_api", obj="filed"),
    "api.employer.expiring_contracts": Route("employer_api"),
    "api.employer.list_templates": Route("employer_api"),
    "api.employer.list_projects": Route("employer_api"),
    "api.employer.get_template": Route("employer_api", extra={"template_id": 1}),
    "api.employer.renew_contract": Route("employer_api", "POST", obj="filed"),
    "api.employer.void_contract": Route("employer_api", "POST", obj="changing", body="json",
                                        json={"reason": ""}),
    # auditors
    "audit.search_page": Route("audit_page"),
    "audit.contract": Route("audit_page", obj="filed"),
    "audit.pdf": Route("audit_page", obj="filed"),
    "audit.verification_pdf": Route("audit_page", obj="filed"),
    "audit.evidence_zip": Route("audit_page", obj="filed"),
    "audit.access_log": Route("audit_page"),
    "audit.late_filings": Route("audit_page"),
    # the 人社 systems' export: only a bureau key (lbk_, none among these principals) reads
    # it; an employer's key is refused (403), anyone else has no key (401)
    "api.bureau.bureau_filings": Route("bureau_api"),
    "bureau.register_page": Route("audit_page"), "bureau.register_json": Route("audit_page"),
    "bureau.register_xlsx": Route("audit_page"),
    # platform admin
    "admin.certificates": Route("platform_page"),
    "admin.revoke": Route("platform_page", "POST", obj="cert", body="form"),
    "admin.organizations": Route("platform_page"),
    "admin.decide": Route("platform_page", "POST", obj="org", body="form",
                          extra={"action": "reinstate"}),
    "admin.auditors": Route("platform_page"),
    "admin.create_auditor": Route("platform_page", "POST", body="form"),
    "admin.edit_auditor": Route("platform_page", "GET,POST", obj="auditor", body="form"),
    "admin.set_auditor_active": Route("platform_page", "POST", obj="auditor", body="form",
                                      extra={"action": "reactivate"}),
    # the minimum-wage table: platform admins only (employers must not edit it)
    "admin.minimum_wages": Route("platform_page"),
    "admin.add_minimum_wage": Route("platform_page", "POST", body="form"),
    # the county's wage-arrears thresholds: platform admins only
    "admin.wage_thresholds": Route("platform_page"),
    "admin.add_wage_threshold": Route("platform_page", "POST", body="form"),
    "admin.schedule_runs": Route("platform_page"),  # the scheduler's runs and failures
    "admin.sms_deliveries": Route("platform_page"),  # the SMS delivery log (masked numbers)
    # a provider's delivery receipts: the URL's secret path component authenticates (wrong or
    # unset secret: 404, never a 5xx)
    "sms_receipts.receipt": Route("public_any", "POST", body="raw",
                                  extra={"provider": "aliyun", "secret": "not-the-secret"}),
    "admin.templates_list": Route("platform_page"),
    "admin.edit_template": Route("platform_page", "GET,POST", body="form",
                                 extra={"template_id": 1}),
    # onboarding and one's own account
    "auth.register": Route("public", "GET,POST", body="form"),
    "auth.forgot_password": Route("public", "GET,POST", body="form"),
    "auth.password_link": Route("public_any", "GET,POST", body="form",
                                extra={"kind": "set", "token": "no-such-token"}),
    "account.password": Route("any_user", "GET,POST", body="form"),
    # the employer's admin: users and API keys of its own organization
    "account.users": Route("employer_admin_page"),
    "account.invite": Route("employer_admin_page", "POST", body="form"),
    "account.change_role": Route("employer_admin_page", "POST", obj="user", body="form"),
    "account.set_active": Route("employer_admin_page", "POST", obj="user", body="form",
                                extra={"action": "reactivate"}),
    "account.keys": Route("employer_admin_page"),
    "account.create_key": Route("employer_admin_page", "POST", body="form"),
    "account.revoke_key": Route("employer_admin_page", "POST", obj="apikey", body="form"),
    "account.reminder_settings": Route("employer_admin_page", "GET,POST", body="form"),
    "projects.projects_page": Route("any_user"),
    "projects.create_project": Route("project_manage", "POST", body="form"),
    "projects.project_page": Route("project_page", obj="project"),
    "projects.download_document": Route("project_page", obj="project"),
    "projects.add_subcontractor": Route("project_manage", "POST", obj="project", body="form"),
    "projects.upload_document": Route("project_manage", "POST", obj="project", body="form"),
    "projects.record_completion": Route("project_manage", "POST", obj="project", body="form"),
    "projects.accept_project": Route("project_manage", "POST", obj="project", body="form"),
    "projects.county_page": Route("audit_page"),
    "projects.warnings_page": Route("audit_page"),
    "projects.wages_page": Route("project_page", obj="project"),
    "projects.reconcile_now": Route("project_manage", "POST", obj="project", body="form"),
    "projects.import_records": Route("project_manage", "POST", obj="project", body="form",
                                     extra={"kind": "payroll"}),
    "account.webhooks_page": Route("employer_admin_page", "GET,POST", body="form"),
    "account.webhook_log": Route("employer_admin_page", obj="webhook"),
    "account.replay_delivery": Route("employer_admin_page", "POST", obj="webhook", body="form"),
    "account.disable_webhook": Route("employer_admin_page", "POST", obj="webhook", body="form"),
    # the worker's own space: signing in is public (the same answer for anyone); the pages
    # are the signed-in person's, and a contract only when they signed it
    "portal.sign_in": Route("public", "GET,POST", body="form"),
    "portal.enter_code": Route("public", "GET,POST", body="form"),
    "portal.sign_out": Route("public", "POST", body="form"),
    "portal.home": Route("person"),
    "portal.pay_page": Route("person"),
    "portal.history_page": Route("person"),
    "portal.opened_page": Route("person"),
    "portal.contract": Route("person", obj="filed"),
    "portal.download": Route("person", obj="filed"),
    "portal.print_copy": Route("person", obj="filed"),
    # the county register and late list for a bureau system's key (tests/app/
    # test_bureau_register_api.py, test_late_filings.py read them with one)
    "api.bureau.bureau_register": Route("bureau_api"),
    "api.bureau.bureau_late_filings": Route("bureau_api"),
    # archive jobs (issue 22): the search's ZIP and a re-verification are asked for by
    # auditors (the matrix's empty form is refused: no criterion); a job's pages belong to
    # its asker — the matrix's world has no job, so every auditor gets a 404 there (the
    # asker's 200 and another auditor's 404: tests/app/test_archive_jobs.py)
    "audit.start_evidence_zip": Route("audit_page", "POST", body="form"),
    "audit.archive_jobs_page": Route("audit_page"),
    "audit.start_reverify": Route("audit_page", "POST", body="form"),
    "audit.archive_job_page": Route("audit_job", extra={"job_id": 1}),
    "audit.archive_job_progress": Route("audit_job", extra={"job_id": 1}),
    "audit.archive_job_download": Route("audit_job", extra={"job_id": 1}),
    "api.bureau.bureau_reverify": Route("bureau_api", "POST", body="json"),
    "api.bureau.bureau_job": Route("bureau_api", extra={"job_id": 1}),
}


def expected(policy: str, name: str, owner: str | None) -> str:
    """The answer class principal ``name`` must get on a ``policy`` route for ``owner``'s object."""
    p = PRINCIPALS[name]
    kind, role = p["kind"], p.get("role")
    if policy in ("public", "token"):
        return "ok"
    if policy == "public_any":
        return "any"
    if policy == "any_user":
        return "ok" if kind == "user" else "login"
    if policy == "signing":
        return "ok" if kind == "signing" and p["contract_of"] == owner else "login"
    if policy == "person":  # the portal's own session; an employer's login opens nothing
        if kind != "person":
            return "login"
        return "ok" if owner is None or p["person_of"] == owner else "hidden"
    if policy == "bureau_api":  # tests/app/test_exports.py reads it with a bureau key
        return "forbidden" if kind == "api_key" else "login"
    if policy == "employer_api":
        if kind != "api_key":
            return "login"
        return "ok" if owner is None or p["org"] == owner else "hidden"
    if kind != "user":
        return "login"
    if policy == "employer_page":
        if role not in ("employer_hr", "employer_admin"):
            return "forbidden"
        return "ok" if owner is None or p["org"] == owner else "hidden"
    if policy == "employer_admin_page":
        if role != "employer_admin":
            return "forbidden"
        return "ok" if owner is None or p["org"] == owner else "hidden"
    if policy == "audit_page":
        if role == "platform_admin":
            return "ok"
        if role != "auditor":
            return "forbidden"
        return "ok" if owner is None or owner in p["sees"] else "hidden"
    if policy == "project_page":  # the contractor's staff, the region's auditors, platform
        if role == "platform_admin" or owner is None:
            return "ok"
        if role == "auditor":
            return "ok" if owner in p["sees"] else "hidden"
        return "ok" if p["org"] == owner else "hidden"
    if policy == "project_manage":  # the general contractor's staff only
        if role not in ("employer_hr", "employer_admin"):
            return "forbidden"
        return "ok" if owner is None or p["org"] == owner else "hidden"
    if policy == "platform_page":
        return "ok" if role == "platform_admin" else "forbidden"
    raise AssertionError(f"unknown policy {policy}")


def matches(answer: str, status: int, location: str, api: bool) -> bool:
    """True when an HTTP answer belongs to the expected class."""
    if status >= 500:
        return False
    if answer == "any":
        return True
    if answer == "ok":
        return status not in (401, 403, 404)
    if answer == "login":
        return status == 401 if api else (status == 302 and "/login" in location)
    return status == {"forbidden": 403, "hidden": 404}[answer]


# archive jobs (issue 22): "audit_job" is an audit page of one job of the asker's; with no job
# in the matrix's world, whoever may open audit pages gets the 404 of someone else's job
_expected_before_audit_jobs = expected


def expected(policy: str, name: str, owner: str | None) -> str:  # noqa: F811
    """:func:`expected` with the ``audit_job`` policy (see above)."""
    if policy == "audit_job":
        answer = _expected_before_audit_jobs("audit_page", name, owner)
        return "hidden" if answer == "ok" else answer
    return _expected_before_audit_jobs(policy, name, owner)


# feeds (issue 22): the push APIs take only a feed key (lfk_, none among these principals):
# everyone, an employer's API key included, gets 401 (tests/app/test_feeds.py pushes with
# project and bank keys, and checks 403 / 404 for a key out of its scope)
POLICIES["api.feeds.push_attendance"] = Route("feed_api", "POST", body="json",
                                              json={"records": [{}]})
POLICIES["api.feeds.push_payments"] = Route("feed_api", "POST", body="json",
                                            json={"records": [{}]})
_expected_before_feeds = expected


def expected(policy: str, name: str, owner: str | None) -> str:  # noqa: F811
    """:func:`expected` with the ``feed_api`` policy (see above)."""
    if policy == "feed_api":
        return "login"
    return _expected_before_feeds(policy, name, owner)


# project feed keys (issue 22): the general contractor's employer_admin only (HR staff 403,
# another employer's admin 404); the matrix posts no name / no key_id, so its admin gets 422
POLICIES["projects.create_feed_key"] = Route("employer_admin_page", "POST", obj="project",
                                             body="form")
POLICIES["projects.revoke_feed_key"] = Route("employer_admin_page", "POST", obj="project",
                                             body="form")
