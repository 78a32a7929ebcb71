"""可管: renewal (续订) in one click from the expiring list — a draft for the same worker, the
next term of the same length, no probation, linked to the original; a second click opens the
same draft; another employer's contract is not found and nothing is created."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.domain.expiry import renewal_term, today_in_beijing
from app.errors import Conflict
from app.extensions import db
from app.models import AuditEvent, Contract, User
from app.services.lifecycle import renewal
from app.services.platform import principal
from tests.app.flows import in_force
from tests.conftest import WORKER, csrf_token, login


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Contract.id)))


def _renew(client, contract_id: int):
    page = client.get("/employer/contracts/expiring").get_data(as_text=True)
    return client.post(f"/employer/contracts/{contract_id}/renew",
                       data={"csrf_token": csrf_token(page)})


def _hr(username: str = "hr") -> principal.Principal:
    return principal.of_user(db.session.scalar(select(User).where(User.username == username)))


def _actions(contract_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.contract_id == contract_id).order_by(AuditEvent.id)))


def test_one_click_renews_into_a_draft_opened_for_review(client, world, outbox):
    end = today_in_beijing() + timedelta(days=20)
    original = in_force(client, world, end, probation_months="2")
    before = {k: v for k, v in original.terms.items()}
    login(client, "hr")
    resp = _renew(client, original.id)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/edit")
    draft_id = int(resp.headers["Location"].split("/")[-2])
    draft = db.session.get(Contract, draft_id)
    start, new_end = renewal_term(date.fromisoformat(before["term_start"]), end)
    assert draft.status == "draft" and draft.renewal_of_id == original.id
    assert (draft.terms["term_start"], draft.terms["term_end"]) == (start.isoformat(),
                                                                    new_end.isoformat())
    assert start == end + timedelta(days=1) and draft.terms["probation_months"] == 0
    same = ("post", "work_location", "monthly_wage", "pay_day", "hours_system",
            "social_insurance", "labor_protection", "worker_address")
    assert {k: draft.terms[k] for k in same} == {k: before[k] for k in same}
    assert (draft.worker_id, draft.worker_name, draft.worker_phone_enc) == (
        original.worker_id, original.worker_name, original.worker_phone_enc)
    assert draft.current_document.kind == "draft" and draft.contract_no != original.contract_no
    assert _actions(draft.id) == ["contract.created"]
    assert _actions(original.id)[-1] == "contract.renewal_drafted"
    form = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert new_end.isoformat() in form and "已生成续订合同草稿" in form
    detail = client.get(f"/employer/contracts/{draft.id}").get_data(as_text=True)
    assert "续订自" in detail and original.contract_no in detail
    # a second click opens the same draft; the list links it instead of offering the button
    count = _count()
    again = _renew(client, original.id)
    assert again.status_code == 302 and again.headers["Location"] == resp.headers["Location"]
    assert _count() == count
    listed = client.get("/employer/contracts/expiring").get_data(as_text=True)
    assert draft.contract_no in listed and f"/contracts/{original.id}/renew" not in listed
    # HR reviews and seals it through the usual flow: the worker gets a signing link
    page = client.get(f"/employer/contracts/{draft.id}").get_data(as_text=True)
    sent = client.post(f"/employer/contracts/{draft.id}/send",
                       data={"csrf_token": csrf_token(page)})
    assert sent.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contract, draft.id).status == "sent"
    assert outbox.last_link_token(WORKER["phone"])
    assert _renew(client, original.id).headers["Location"].endswith(f"/contracts/{draft.id}")


@pytest.mark.parametrize(("start", "end", "today", "new_start", "new_end"), [
    ("2025-03-01", "2028-02-29", "2028-02-10", "2028-03-01", "2031-02-28"),  # ends 29 Feb
    ("2026-01-31", "2026-04-30", "2026-04-15", "2026-05-01", "2026-07-31"),  # month ends
    ("2026-12-01", "2029-11-30", "2029-10-31", "2029-12-01", "2032-11-30"),  # day 30
])
def test_renewal_dates(client, world, start, end, today, new_start, new_end):
    original = in_force(client, world, date.fromisoformat(end), start=date.fromisoformat(start))
    draft, created = renewal.renew_contract(_hr(), original.id, today=date.fromisoformat(today))
    assert created and (draft.terms["term_start"], draft.terms["term_end"]) == (new_start, new_end)
    assert draft.terms["probation_months"] == 0


@pytest.mark.parametrize(("days", "status", "end", "code"), [
    (31, "filed", True, "not_expiring"),
    (-1, "filed", True, "not_expiring"),
    (10, "voided", True, "not_in_force"),
    (10, "draft", True, "not_in_force"),
    (10, "filed", False, "open_ended"),
])
def test_only_expiring_contracts_in_force_are_renewed(client, world, days, status, end, code):
    today = today_in_beijing()
    original = in_force(client, world, today + timedelta(days=days) if end else None,
                        status=status)
    count = _count()
    with pytest.raises(Conflict) as refused:
        renewal.renew_contract(_hr(), original.id)
    assert refused.value.code == code and _count() == count
    db.session.rollback()
    login(client, "hr")
    resp = _renew(client, original.id)
    assert resp.status_code == 409 and _count() == count


def test_another_employers_contract_is_not_found_and_nothing_changes(client, world):
    original = in_force(client, world, today_in_beijing() + timedelta(days=5))
    version, actions, count = original.version, _actions(original.id), _count()
    for username in ("hr2", "admin2"):
        login(client, username)
        resp = _renew(client, original.id)
        assert resp.status_code == 404 and original.contract_no not in resp.get_data(as_text=True)
    login(client, "auditor")
    assert _renew(client, original.id).status_code == 403
    db.session.expire_all()
    assert (_count(), _actions(original.id)) == (count, actions)
    assert db.session.get(Contract, original.id).version == version


def test_a_voided_renewal_can_be_drafted_again(client, world):
    original = in_force(client, world, today_in_beijing() + timedelta(days=5))
    first, _ = renewal.renew_contract(_hr(), original.id)
    first.status = "voided"
    db.session.commit()
    second, created = renewal.renew_contract(_hr(), original.id)
    assert created and second.id != first.id and second.renewal_of_id == original.id


@pytest.mark.postgresql_only  # SQLite serialises writers: the race is PostgreSQL's
def test_two_clicks_at_once_make_one_draft(ctx, client, world, monkeypatch):
    original_id = in_force(client, world, today_in_beijing() + timedelta(days=5)).id
    barrier, real, results = threading.Barrier(2, timeout=20), renewal._draft, []

    def draft_together(*args):
        barrier.wait()  # both clicks found no renewal yet
        return real(*args)

    monkeypatch.setattr(renewal, "_draft", draft_together)

    def click() -> None:
        with ctx.app_context():
            draft, created = renewal.renew_contract(_hr(), original_id)
            results.append((draft.id, created))
            db.session.remove()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(created for _, created in results) == [False, True]
    assert len({draft_id for draft_id, _ in results}) == 1
    assert db.session.scalar(select(func.count(Contract.id)).where(
        Contract.renewal_of_id == original_id)) == 1


def test_a_renewal_below_todays_minimum_wage_is_refused_and_nothing_is_drafted(client, world):
    """The copied terms meet today's law, not the law of three years ago: a minimum wage
    raised above the contract's wage stops the renewal with the field named."""
    from decimal import Decimal

    from app.models import MinimumWage

    original = in_force(client, world, today_in_beijing() + timedelta(days=5))
    region = world["org"].region_code
    db.session.add(MinimumWage(region_prefix=region, effective_from=today_in_beijing(),
                               monthly=Decimal("7000"), hourly=Decimal("70"), note="test"))
    db.session.commit()
    count, actions = _count(), _actions(original.id)
    login(client, "hr")
    resp = _renew(client, original.id)
    assert resp.status_code == 422
    assert "月工资" in resp.get_data(as_text=True)
    assert (_count(), _actions(original.id)) == (count, actions)


def test_a_renewal_takes_the_newest_version_of_the_template(client, world, tmp_path):
    """The standard text changed since the contract was signed: the renewal is drawn up on
    the newest version (and prints it); the original keeps its own."""
    from app.models import Template
    from tests.app.pdftools import pdf_text
    from tests.conftest import bearer

    original = in_force(client, world, today_in_beijing() + timedelta(days=20))
    template = db.session.query(Template).filter_by(kind="fixed_term", organization_id=None).one()
    admin = client.application.test_client()
    login(admin, "platform")
    page = admin.get(f"/admin/templates/{template.id}").get_data(as_text=True)
    resp = admin.post(f"/admin/templates/{template.id}", data={
        "csrf_token": csrf_token(page),
        "clause.0": "本合同为固定期限劳动合同，期限自%(term_start)s起至%(term_end)s止，"
                    "期满前三十日协商续订。"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    login(client, "hr")
    draft_id = int(_renew(client, original.id).headers["Location"].split("/")[-2])
    db.session.expire_all()
    draft, original = db.session.get(Contract, draft_id), db.session.get(Contract, original.id)
    assert original.template_version_row.number == 1
    assert draft.template_version_row.number == 2 and draft.template_version == 2
    text = pdf_text(client.get(f"/api/v1/contracts/{draft_id}/pdf",
                                headers=bearer(world["api_key"])).data, tmp_path)
    assert "期满前三十日协商续订" in text
