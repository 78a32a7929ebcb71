"""Start-up wiring of the contexts: every job kind's handler and every event subscriber, in
one place. :func:`init_app` is called by :func:`app.create_app`.

A context that reacts to another's event subscribes here instead of being imported by it
(:mod:`app.services.platform.events`), so that the import graph between contexts stays acyclic.
A new kind of job: write an idempotent handler ``fn(payload: dict) -> None`` next to the use
case that queues it, and register it in :data:`JOB_KINDS`. A new text message: give its
Chinese template a kind in :data:`SMS_KINDS` (each provider has one template per kind).
"""

from __future__ import annotations

from flask import Flask

from app.services import archive_jobs, messaging
from app.services.accounts import accounts, password_changes, registration
from app.services.batches import batches
from app.services.contracts import invites
from app.services.feeds import rereconcile
from app.services.filing import filing, renewal
from app.services.lifecycle import certificate, expiry, lifecycle, termination
from app.services.messaging import kinds
from app.services.platform import events, jobs, webhook_delivery, webhooks
from app.services.projects import reconcile
from app.services.worker_signing import link_expiry, worker_signing
from app.services.worker_space import sign_in

#: job kind -> its handler
JOB_KINDS = {
    "batch_row": batches.run_row,  # one roster row: create, seal and send its contract
    "file_contract": filing.file_contract,  # archive + Filing after the last signature
    "issue_certificate": certificate.issue_certificate,  # art. 50, after a termination
    "link_expired": link_expiry.tell_expired,  # a signing link ran out unsigned
    "sms": messaging.send_queued_sms,  # one text message (provider, fallback, delivery log)
    "webhook": webhook_delivery.deliver,  # one attempt of a webhook delivery
    # feeds (issue 22): add here
    "feed_reconcile": rereconcile.reconcile_touched,  # the worker-months a push changed
    # archive_jobs (issue 22): add here
    "archive_job": archive_jobs.run_archive_job,  # an evidence ZIP or a re-verification
    # timestamp renewal (issue 22): add here
    "renew_timestamp": renewal.renew_filing_timestamp,  # PAdES-LTA archive time-stamp renewal
}

#: Chinese SMS template -> its kind: the provider template (ALIYUN_SMS_TEMPLATES,
#: TENCENT_SMS_TEMPLATES) a text of that template is sent with
SMS_KINDS = {
    invites.SMS_INVITE: "invite",  # the signing link of a new contract
    invites.SMS_INVITE_DOCUMENT: "invite_document",  # an amendment's or termination's link
    invites.SMS_REMINDER: "reminder",  # the link again, to a worker who has not signed
    worker_signing.SMS_CODE: "sign_code",  # the one-time code on the signing link
    sign_in.SMS_CODE: "portal_code",  # the one-time code of the worker's own space
    filing.SMS_FILED: "filed",  # the contract is signed and filed
    filing.SMS_FILED_DOCUMENT: "filed_document",  # an amendment or termination is filed
    certificate.SMS_CERTIFICATE: "certificate",  # the termination certificate (art. 50)
    lifecycle.SMS_WITHDRAWN: "withdrawn",  # the employer withdrew the signing link
    expiry.WORKER_TEXT: "expiry_notice",  # the worker's contract ends soon
    expiry.HR_TEXT: "expiry_alert",  # the employer's contracts end soon
    reconcile.ALERT: "wage_alert",  # wage-arrears flags of a construction project
    accounts.INVITE_SMS: "account_invite",  # a new user's set-password link
    password_changes.RESET_SMS: "password_reset",  # a reset link
    registration.SMS["approve"]: "org_approved",  # an employer's registration reviewed
    registration.SMS["reject"]: "org_rejected",
    registration.SMS["suspend"]: "org_suspended",
    registration.SMS["reinstate"]: "org_reinstated",
}

#: event -> its subscribers, in order
SUBSCRIBERS = {
    "audit.recorded": (webhooks.on_audit,),  # the employer's systems are told
    "document.filed": (termination.on_filed,),  # a filed termination ends its contract
}


def init_app(app: Flask) -> None:
    """Register every job handler, text-message kind and event subscriber, and the inline
    job hook."""
    for kind, handler in JOB_KINDS.items():
        jobs.register(kind, handler)
    for template, kind in SMS_KINDS.items():
        kinds.register(kind, template)
    for event, handlers in SUBSCRIBERS.items():
        for handler in handlers:
            events.subscribe(event, handler)
    jobs.init_app(app)
