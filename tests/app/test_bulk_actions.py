"""Actions on contracts ticked in the list: each contract sealed under its own certificate,
reminded with a new link, or voided with one reason; one that cannot be done is reported
with its reason without stopping the others; another employer's contract is untouched."""

from __future__ import annotations

import html as html_lib

from sqlalchemy import select

from app.extensions import db
from app.models import Contract, SignatureEvent, SigningLink
from tests.app.flows import api_create
from tests.app.roster_helpers import person
from tests.conftest import csrf_token, login


def _bulk(client, action: str, ids: list, reason: str = "") -> str:
    page = client.get("/employer/contracts").get_data(as_text=True)
    resp = client.post("/employer/contracts/bulk", data={
        "csrf_token": csrf_token(page), "action": action, "ids": [str(i) for i in ids],
        "reason": reason})
    assert resp.status_code == 302
    return html_lib.unescape(client.get("/employer/contracts").get_data(as_text=True))


def _status(ids: list[int]) -> list[str]:
    found = [db.session.get(Contract, i).status for i in ids]
    db.session.rollback()
    return found


def test_send_remind_and_void_the_ticked_contracts(client, world, outbox):
    ids = [api_create(client, world["api_key"], **person(i))["id"] for i in range(3)]
    theirs = api_create(client, world["api_key_other"], **person(7))["id"]
    login(client, "hr")
    page = client.get("/employer/contracts").get_data(as_text=True)
    assert page.count('name="ids"') == 3 and f'value="{theirs}"' not in page

    page = _bulk(client, "send", [*ids[:2], theirs])
    assert "已处理2份合同" in page and f"#{theirs} 未处理：合同不存在" in page
    assert _status(ids) == ["sent", "sent", "draft"] and _status([theirs]) == ["draft"]
    serials = db.session.scalars(select(SignatureEvent.certificate_serial).where(
        SignatureEvent.contract_id.in_(ids))).all()
    assert len(set(serials)) == 2  # each sealed under its own event certificate
    for i in range(2):
        assert "邀请您签署劳动合同" in outbox.messages(person(i)["worker_phone"])[-1]["text"]

    page = _bulk(client, "send", ids)  # two are sent already: only the draft is done
    assert "已处理1份合同" in page and page.count("不能再次发送") == 2
    assert _status(ids) == ["sent"] * 3

    links_before = db.session.scalars(select(SigningLink.id).where(
        SigningLink.contract_id == ids[0], SigningLink.revoked_at.is_(None))).all()
    db.session.rollback()
    page = _bulk(client, "remind", [ids[0]])
    assert "已处理1份合同" in page
    live = db.session.scalars(select(SigningLink.id).where(
        SigningLink.contract_id == ids[0], SigningLink.revoked_at.is_(None))).all()
    assert len(live) == 1 and live != links_before  # a new link; the old one withdrawn
    db.session.rollback()
    page = _bulk(client, "remind", [ids[0]])  # again at once: refused, with the wait
    assert "未处理：签署链接刚刚重新发送过" in page and "已处理" not in page

    page = _bulk(client, "void", ids)  # no reason: nothing voided
    assert "请填写原因" in page and _status(ids) == ["sent"] * 3
    page = _bulk(client, "void", [*ids, theirs], reason="工地停工，重新安排")
    assert "已处理3份合同" in page and _status(ids) == ["voided"] * 3
    assert _status([theirs]) == ["draft"]
    assert "已撤回" in outbox.messages(person(2)["worker_phone"])[-1]["text"]


def test_bad_bulk_requests_name_the_problem_and_do_nothing(client, world):
    cid = api_create(client, world["api_key"], **person(1))["id"]
    login(client, "hr")
    assert "请至少勾选一份合同" in _bulk(client, "send", [])
    assert "请选择要执行的操作" in _bulk(client, "delete", [cid])
    assert "请至少勾选一份合同" in _bulk(client, "send", ["1; DROP TABLE contracts"])
    assert "一次最多处理50份合同" in _bulk(client, "send", list(range(1, 52)))
    assert _status([cid]) == ["draft"]


def test_hr_copies_a_new_signing_link_without_a_text(client, world, outbox):
    import re

    from tests.app.flows import api_send

    contract = api_create(client, world["api_key"])
    old = api_send(client, world["api_key"], contract["id"])
    texts = len(outbox.messages())
    login(client, "hr")
    page = client.get(f"/employer/contracts/{contract['id']}").get_data(as_text=True)
    resp = client.post(f"/employer/contracts/{contract['id']}/link",
                       data={"csrf_token": csrf_token(page)})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    token = re.search(r'value="http://localhost/s/([A-Za-z0-9_-]+)"', html).group(1)
    assert token != old and len(outbox.messages()) == texts  # no text message
    assert client.get(f"/s/{token}").status_code == 200
    assert client.get(f"/s/{old}").status_code == 410  # the old link stops working
    page = client.get(f"/employer/contracts/{contract['id']}").get_data(as_text=True)
    assert token not in page  # shown that once
