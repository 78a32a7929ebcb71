"""Security review of the worker's own space (/me), probed as an attacker would: guessing the
texted code must stay bounded per person, whatever the number of sign-ins or parallel tries."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select, update

from app import pii
from app.extensions import db
from app.models import PortalLogin
from tests.app.portal_helpers import enter_code, signed_with, start_sign_in
from tests.conftest import WORKER

KNOWN = 424242


def test_a_sign_in_beyond_the_persons_sms_limit_cannot_be_opened_by_guessing(
        client, world, outbox, monkeypatch):
    """Beyond PORTAL_SMS_LIMIT no code is texted; were such a sign-in still openable by its
    (untexted) code, anyone knowing a worker's name, ID number and phone could start sign-ins
    without end and guess 5 codes in each: the limit per person would bound SMS, not guesses."""
    signed_with(client, outbox, world["api_key"])
    client.application.config["PORTAL_SMS_LIMIT"] = "1/hour"
    try:
        assert start_sign_in(client, WORKER["name"], WORKER["id_number"],
                             WORKER["phone"]).status_code == 302
        texted = len(outbox.messages(WORKER["phone"]))
        # the attacker's sign-in: the code drawn is one the attacker "guesses" right
        monkeypatch.setattr(secrets, "randbelow", lambda _n: KNOWN)
        attacker = client.application.test_client()
        resp = start_sign_in(attacker, WORKER["name"], WORKER["id_number"], WORKER["phone"])
        monkeypatch.undo()
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/me/code")
        assert len(outbox.messages(WORKER["phone"])) == texted  # nothing was texted
        resp = enter_code(attacker, f"{KNOWN:06d}")
        assert resp.status_code == 422, resp.headers.get("Location")
        assert attacker.get_cookie("portal_session", path="/me") is None
        assert attacker.get("/me/").status_code == 302
        # and it answers as any wrong code does (nothing tells the limit was reached)
        assert "验证码不正确" in resp.get_data(as_text=True)
    finally:
        client.application.config["PORTAL_SMS_LIMIT"] = "5/hour"


@pytest.mark.postgresql_only
def test_wrong_codes_sent_in_parallel_are_all_counted(client, world, outbox, monkeypatch):
    """Tries that arrive together all count: a try that read the counter before the others
    wrote it must not overwrite their count (else parallel requests guess without end)."""
    signed_with(client, outbox, world["api_key"])
    start_sign_in(client, WORKER["name"], WORKER["id_number"], WORKER["phone"])
    real = pii.keyed_hash

    def meanwhile(value, purpose="id"):
        if purpose == "portal-otp":  # four other wrong tries land while this one is checked
            with db.engine.begin() as conn:
                conn.execute(update(PortalLogin).values(attempts=PortalLogin.attempts + 4))
        return real(value, purpose)

    monkeypatch.setattr(pii, "keyed_hash", meanwhile)
    resp = enter_code(client, "000000")
    monkeypatch.undo()
    assert resp.status_code in (422, 429), resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(PortalLogin.attempts)) == 5  # none of the five lost
    # the right code no longer opens it
    assert enter_code(client, outbox.last_code(WORKER["phone"])).status_code == 429
    assert client.get("/me/").status_code == 302


def test_another_employer_giving_its_own_phone_cannot_open_the_workers_space(
        client, world, outbox):
    """Every contract's phone is typed by an employer. Employer B knows a worker's name and
    ID number, gives its own phone on a contract and completes the signing link itself: a
    session proved with that phone shows B's contract only — never the worker's contract
    with employer A, its PDF, print copy or pay — while the worker's own phone shows A's."""
    from tests.app.portal_helpers import at_other_employer, pay, portal_sign_in
    from tests.app.test_access_matrix import _project

    mine = signed_with(client, outbox, world["api_key"])
    project_id, _ = _project(world["org"], "hr")
    pay(project_id, WORKER["id_number"], "2026-12", "6000.00", "5800.00", "2027-01-15")
    db.session.commit()
    rogue_phone = "13600136000"
    theirs = at_other_employer(client, world, outbox, {
        "worker_name": WORKER["name"], "worker_id_number": WORKER["id_number"],
        "worker_phone": rogue_phone})

    portal_sign_in(client, outbox, phone=rogue_phone)
    home = client.get("/me/").get_data(as_text=True)
    assert "长沙另一家劳务有限公司" in home and world["org"].name not in home
    for path in (f"/me/contracts/{mine}", f"/me/contracts/{mine}/pdf",
                 f"/me/contracts/{mine}/print-copy"):
        assert client.get(path).status_code == 404, path
    assert "5800.00" not in client.get("/me/pay").get_data(as_text=True)
    assert client.get(f"/me/contracts/{theirs}").status_code == 200

    portal_sign_in(client, outbox)  # the worker's own phone, given to employer A
    home = client.get("/me/").get_data(as_text=True)
    assert world["org"].name in home and "长沙另一家劳务有限公司" not in home
    assert client.get(f"/me/contracts/{theirs}").status_code == 404
    assert client.get(f"/me/contracts/{mine}/pdf").status_code == 200
    assert "5800.00" in client.get("/me/pay").get_data(as_text=True)
