"""可管: contracts ending within 30 days are listed and flagged; the daily reminder tells HR and
texts each worker once (run twice, or twice at the same time: one text per contract)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.domain.expiry import today_in_beijing
from app.extensions import db
from app.models import AuditEvent, ExpiryNotice, Job
from app.services.lifecycle import expiry
from app.services.platform import jobs, principal
from tests.app.flows import in_force
from tests.conftest import WORKER, login

ADMIN_PHONE, OTHER_ADMIN_PHONE = "13900139000", "13900139002"


def _texts(outbox, to: str, needle: str) -> list[str]:
    return [m["text"] for m in outbox.messages(to) if needle in m["text"]]


def _hr(world) -> principal.Principal:
    from app.models import User

    return principal.of_user(db.session.scalar(select(User).where(User.username == "hr")))


@pytest.fixture
def window(client, world):
    """Contracts of employer A around the window's edges, and one of employer B."""
    today = today_in_beijing()
    made = {name: in_force(client, world, today + timedelta(days=days))
            for name, days in (("ended", -1), ("day0", 0), ("day30", 30), ("day31", 31))}
    made["signed"] = in_force(client, world, today + timedelta(days=10), status="signed")
    made["open"] = in_force(client, world, None)
    for status in ("voided", "declined", "draft", "sent"):
        made[status] = in_force(client, world, today + timedelta(days=5), status=status)
    made["other"] = in_force(client, world, today + timedelta(days=3), key="api_key_other")
    return today, made


def test_expiring_list_is_today_to_day_30_in_force_only(client, world, window):
    today, made = window
    items = expiry.expiring_contracts(_hr(world))
    assert [i.contract.id for i in items] == [made[n].id for n in ("day0", "signed", "day30")]
    assert [i.days_left for i in items] == [0, 10, 30]
    login(client, "hr")
    resp = client.get("/employer/contracts/expiring")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "今天到期" in html and "剩 30 天" in html
    shown = {c.contract_no for c in made.values() if c.contract_no in html}
    assert shown == {made[n].contract_no for n in ("day0", "signed", "day30")}
    english = client.get("/employer/contracts/expiring?lang=en").get_data(as_text=True)
    assert "Expiring contracts" in english and "30 days left" in english


def test_the_contract_list_flags_expiring_contracts(client, world, window):
    _, made = window
    login(client, "hr")
    html = client.get("/employer/contracts").get_data(as_text=True)
    assert '<span class="badge" id="expiring-count">3</span>' in html
    assert html.count('class="status expiring"') == 3


def test_another_employer_sees_none_of_them(client, world, window):
    _, made = window
    login(client, "hr2")
    html = client.get("/employer/contracts/expiring").get_data(as_text=True)
    mine = {made[n].contract_no for n in ("day0", "signed", "day30")}
    assert not [no for no in mine if no in html] and made["other"].contract_no in html
    assert client.get("/employer/contracts").get_data(as_text=True).count(
        'class="status expiring"') == 1


def test_the_reminder_texts_each_worker_once_and_tells_hr(client, world, outbox, window):
    today, made = window
    run = expiry.remind_expiring()
    jobs.run_pending(limit=100)
    assert (run.contracts, run.hr_texts, len(run.employers)) == (4, 2, 2)
    texted = _texts(outbox, WORKER["phone"], "到期")
    assert len(texted) == 4 and all("如需续订" in t for t in texted)  # B's worker: same phone
    assert {n for n, c in made.items() if any(c.contract_no in t for t in texted)} == {
        "day0", "signed", "day30", "other"}
    assert f"将于{today + timedelta(days=30):%Y年%m月%d日}到期" in "".join(texted)
    hr = _texts(outbox, ADMIN_PHONE, "份劳动合同将在30天内到期")
    assert len(hr) == 1 and "有3份" in hr[0] and WORKER["name"] not in hr[0]
    assert len(_texts(outbox, OTHER_ADMIN_PHONE, "份劳动合同将在30天内到期")) == 1
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "contract.expiry_notified")).all()
    assert {e.contract_id for e in events} == {made[n].id for n in ("day0", "signed", "day30",
                                                                     "other")}
    assert all(e.actor == "system:expiry" and "8000" in e.details["to"]
               and WORKER["phone"] not in str(e.details) for e in events)
    # the same day again: nothing new; no phone number or text kept in finished jobs
    again = expiry.remind_expiring()
    jobs.run_pending(limit=100)
    assert (again.contracts, again.hr_texts) == (0, 0)
    assert len(_texts(outbox, WORKER["phone"], "到期")) == 4
    assert len(_texts(outbox, ADMIN_PHONE, "份劳动合同将在30天内到期")) == 1
    assert not [j for j in db.session.scalars(select(Job)) if "to_enc" in j.payload]
    # the next day the day-31 contract enters the window: it alone is announced
    tomorrow = expiry.remind_expiring(today + timedelta(days=1))
    jobs.run_pending(limit=100)
    assert (tomorrow.contracts, tomorrow.hr_texts) == (1, 1)
    day31 = _texts(outbox, WORKER["phone"], made["day31"].contract_no)
    assert len(day31) == 1
    assert "有1份" in _texts(outbox, ADMIN_PHONE, "份劳动合同将在30天内到期")[-1]


def test_the_list_shows_who_was_reminded(client, world, outbox, window):
    _, made = window
    login(client, "hr")
    assert "已短信提醒劳动者" not in client.get("/employer/contracts/expiring").get_data(
        as_text=True)
    expiry.remind_expiring()
    html = client.get("/employer/contracts/expiring").get_data(as_text=True)
    assert html.count("已短信提醒劳动者") == 3


def test_the_command_is_idempotent(ctx, client, world, outbox, window):
    runner = ctx.test_cli_runner()
    first = runner.invoke(args=["contracts", "remind-expiring"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("4 contract(s) announced") and "ran" in first.output
    second = runner.invoke(args=["contracts", "remind-expiring"])
    assert second.output.startswith("0 contract(s) announced"), second.output
    assert len(_texts(outbox, WORKER["phone"], "到期")) == 4
    ahead = (today_in_beijing() + timedelta(days=1)).isoformat()
    third = runner.invoke(args=["contracts", "remind-expiring", "--today", ahead])
    assert third.output.startswith("1 contract(s) announced"), third.output
    assert "cron" in runner.invoke(args=["contracts", "remind-expiring", "--help"]).output


@pytest.mark.postgresql_only  # SQLite serialises writers: the race is PostgreSQL's
def test_two_reminders_at_once_text_each_worker_once(ctx, client, world, outbox, monkeypatch):
    today = today_in_beijing()
    contract = in_force(client, world, today + timedelta(days=7))
    barrier, real, results = threading.Barrier(2, timeout=20), expiry._claim, []

    def claim_together(p, c, day):
        barrier.wait()  # both runs have read the contract as not yet announced
        return real(p, c, day)

    monkeypatch.setattr(expiry, "_claim", claim_together)

    def run() -> None:
        with ctx.app_context():
            results.append(expiry.remind_expiring(today).contracts)
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    jobs.run_pending(limit=100)
    assert len(_texts(outbox, WORKER["phone"], contract.contract_no)) == 1
    assert len(_texts(outbox, ADMIN_PHONE, "份劳动合同将在30天内到期")) == 1
    assert db.session.scalar(select(func.count(ExpiryNotice.id))) == 1
