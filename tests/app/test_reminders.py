"""Reminders to workers who have not signed: the employer's days after sending (default 2
and 5, at most three), one text per reminder however often the run goes, a new link each
time (the old one stops working), stopped by signing, declining and voiding; the setting
page refuses bad days by name and keeps what was typed; tenants are walls."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AuditEvent, Contract, Organization, SigningLink, SigningReminder
from app.services.lifecycle import reminders
from app.services.platform import jobs
from app.services.platform.principal import of_user
from tests.app.flows import sent_contract, worker_session, worker_sign
from tests.conftest import WORKER, bearer, csrf_token, login


def _run(contract_id: int, after: timedelta) -> reminders.ReminderRun:
    sent_at = db.session.get(Contract, contract_id).sent_at
    db.session.rollback()
    run = reminders.remind_unsigned(sent_at + after)
    jobs.run_pending(limit=100)
    return run


def _texts(outbox) -> list[str]:
    return [m["text"] for m in outbox.messages(WORKER["phone"]) if "提醒" in m["text"]]


def _trail(contract_id: int) -> list[dict]:
    return [e.details for e in db.session.query(AuditEvent).filter_by(
        contract_id=contract_id, action="contract.reminder_sent").order_by(AuditEvent.id)]


def test_default_days_two_and_five_once_each_with_a_new_link(client, world, outbox):
    contract_id, token = sent_contract(client, world, outbox)
    assert _run(contract_id, timedelta(days=2) - timedelta(minutes=1)).reminded == 0
    assert _texts(outbox) == []
    assert _run(contract_id, timedelta(days=2)).reminded == 1
    assert len(_texts(outbox)) == 1 and "尚未签署" in _texts(outbox)[0]
    new = outbox.last_link_token(WORKER["phone"])
    assert new != token
    assert client.get(f"/s/{token}").status_code == 410  # the old link stops working
    assert client.get(f"/s/{new}").status_code == 200
    assert _run(contract_id, timedelta(days=4)).reminded == 0  # once per reminder
    assert _run(contract_id, timedelta(days=5)).reminded == 1
    assert _run(contract_id, timedelta(days=30)).reminded == 0  # the schedule has two
    assert len(_texts(outbox)) == 2
    assert [(d["number"], d["day"]) for d in _trail(contract_id)] == [(1, 2), (2, 5)]
    assert all(WORKER["phone"] not in str(d) for d in _trail(contract_id))
    hr = client.application.test_client()
    login(hr, "hr")
    page = hr.get(f"/employer/contracts/{contract_id}").get_data(as_text=True)
    assert "第 1 次提醒（发送后第 2 天）" in page and "第 2 次提醒（发送后第 5 天）" in page
    # the newest link still signs
    signed = worker_sign(client, outbox.last_link_token(WORKER["phone"]),
                         worker_session(client, outbox, outbox.last_link_token(WORKER["phone"])))
    assert signed.status_code == 200


def test_after_an_outage_one_text_covers_the_reminders_due(client, world, outbox):
    contract_id, _ = sent_contract(client, world, outbox)
    assert _run(contract_id, timedelta(days=6)).reminded == 1
    assert len(_texts(outbox)) == 1
    assert [d["number"] for d in _trail(contract_id)] == [2]
    assert _run(contract_id, timedelta(days=7)).reminded == 0


@pytest.mark.parametrize("end", ["sign", "decline", "void"])
def test_signing_declining_or_voiding_stops_them(client, world, outbox, end):
    contract_id, token = sent_contract(client, world, outbox)
    assert _run(contract_id, timedelta(days=2)).reminded == 1
    token = outbox.last_link_token(WORKER["phone"])
    session = worker_session(client, outbox, token)
    if end == "sign":
        assert worker_sign(client, token, session).status_code == 200
    elif end == "decline":
        resp = client.post(f"/api/v1/sign/{token}/decline",
                           json={"session": session, "reason": "工资不对"})
        assert resp.status_code == 200, resp.get_json()
    else:
        resp = client.post(f"/api/v1/contracts/{contract_id}/void",
                           headers=bearer(world["api_key"]), json={"reason": "信息有误"})
        assert resp.status_code == 200, resp.get_json()
    before = len(outbox.messages(WORKER["phone"]))
    assert _run(contract_id, timedelta(days=5)).reminded == 0
    assert len(outbox.messages(WORKER["phone"])) == before


def test_a_second_run_at_once_texts_nobody(client, world, outbox):
    """Two runs on two hosts: the second writer of reminder n fails on its unique row and
    leaves nothing behind (no link, no text, no event)."""
    contract_id, _ = sent_contract(client, world, outbox)
    now = db.session.get(Contract, contract_id).sent_at + timedelta(days=2)
    assert reminders._remind(contract_id, 1, 2, now) is True
    links = db.session.query(SigningLink).filter_by(contract_id=contract_id).count()
    assert reminders._remind(contract_id, 1, 2, now) is False
    db.session.expire_all()
    assert db.session.query(SigningLink).filter_by(contract_id=contract_id).count() == links
    assert db.session.query(SigningReminder).count() == 1 and len(_trail(contract_id)) == 1


def _settings(client, days: str):
    page = client.get("/account/reminders").get_data(as_text=True)
    return client.post("/account/reminders",
                       data={"reminder_days": days, "csrf_token": csrf_token(page)})


def test_the_employer_sets_its_days(client, world, outbox):
    login(client, "admin")
    assert "2, 5" in client.get("/account/reminders").get_data(as_text=True)
    assert _settings(client, "1，3， 30").status_code == 302  # full-width commas, spaces
    db.session.expire_all()
    assert world["org"].reminder_days == [1, 3, 30]
    assert world["other"].reminder_days is None  # another employer's stays
    worker = client.application.test_client()
    contract_id, _ = sent_contract(worker, world, outbox)
    assert _run(contract_id, timedelta(days=1)).reminded == 1
    assert _run(contract_id, timedelta(days=3)).reminded == 1
    assert _run(contract_id, timedelta(days=29)).reminded == 0
    assert _run(contract_id, timedelta(days=30)).reminded == 1
    assert [d["day"] for d in _trail(contract_id)] == [1, 3, 30]


@pytest.mark.parametrize("typed, problem", [
    ("1, 2, 3, 4", "最多设置3次提醒"), ("5, 2", "从小到大"), ("2, 2", "从小到大"),
    ("0", "1至30"), ("31", "1至30"), ("abc", "1至30"), ("２", "1至30"), ("2.5", "1至30"),
])
def test_bad_days_are_named_and_what_was_typed_is_kept(client, world, typed, problem):
    login(client, "admin")
    resp = _settings(client, typed)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and problem in body
    assert f'value="{typed}"' in body and 'id="err-reminder_days"' in body
    db.session.expire_all()
    assert db.session.get(Organization, world["org"].id).reminder_days is None


def test_empty_switches_them_off(client, world, outbox):
    login(client, "admin")
    assert _settings(client, "").status_code == 302
    assert "不发送催签提醒" in client.get("/account/reminders").get_data(as_text=True)
    worker = client.application.test_client()
    contract_id, _ = sent_contract(worker, world, outbox)
    assert _run(contract_id, timedelta(days=10)).reminded == 0


def test_only_the_employers_admin_sets_them(client, world):
    login(client, "hr")
    assert client.get("/account/reminders").status_code == 403
    from app.errors import Forbidden
    from app.models import User

    hr = db.session.query(User).filter_by(username="hr").one()
    with pytest.raises(Forbidden):
        reminders.set_schedule(of_user(hr), "1")


def test_the_cli_reminds_once(ctx, client, world, outbox):
    contract_id, _ = sent_contract(client, world, outbox)
    contract = db.session.get(Contract, contract_id)
    contract.sent_at = contract.sent_at - timedelta(days=2, minutes=1)
    db.session.commit()
    runner = ctx.test_cli_runner()
    first = runner.invoke(args=["contracts", "remind-unsigned"])
    assert first.exit_code == 0 and "1 worker(s) reminded" in first.output, first.output
    second = runner.invoke(args=["contracts", "remind-unsigned"])
    assert "0 worker(s) reminded" in second.output
    assert len(_texts(outbox)) == 1
