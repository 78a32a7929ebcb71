"""The access log (访问留痕): auditors' and admins' reads hash-chained, verify-chain finds any
edited, deleted or reordered entry and any tampered anchor; the bureau page is scoped; the
worker sees which office opened their contracts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text, update

from app.extensions import db
from app.models import AccessLogAnchor, AccessLogEntry, AccessLogHead, User
from app.services.platform.access_log import digest, record
from app.services.platform.principal import of_user
from tests.app.flows import search
from tests.app.portal_helpers import portal_sign_in, signed_with
from tests.conftest import WORKER, login


def _auditor(name: str = "auditor"):
    return of_user(db.session.scalar(select(User).where(User.username == name)))


def _five(world) -> list[AccessLogEntry]:
    p = _auditor()
    for i in range(5):
        record(p, "search", criteria={"worker_name": f"张{i}", "id_number": WORKER["id_number"],
                                      "phone": WORKER["phone"]}, count=i)
    db.session.commit()
    return list(db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)))


def _verify(ctx) -> tuple[int, str]:
    result = ctx.test_cli_runner().invoke(args=["audit", "verify-chain"])
    return result.exit_code, result.output


def test_entries_chain_and_never_keep_a_plain_id_number_or_phone(ctx, world):
    rows = _five(world)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    stored = db.session.execute(text("SELECT criteria FROM access_log_entries")).scalars().all()
    flat = repr(stored)
    assert WORKER["id_number"] not in flat and WORKER["phone"] not in flat
    assert rows[0].criteria["worker_name"] == "张0" and rows[0].count == 0
    # an employer's read is not an auditor's: nothing recorded
    record(of_user(db.session.scalar(select(User).where(User.username == "hr"))), "view")
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(AccessLogEntry)) == 5
    code, out = _verify(ctx)
    assert code == 0 and "5 entries" in out and "chain intact" in out


@pytest.mark.parametrize("tamper, named", [
    ("edit", "entry #3 (id {r2}): content changed"),
    ("delete", "entry #4 (id {r3}): expected #3 here — entries #3..#3 deleted or moved"),
    ("swap", "entry #3 (id {r1}): expected #2 here"),
    ("truncate", "head: says #5"),
])
def test_verify_chain_names_the_first_broken_entry(ctx, world, tamper, named):
    rows = _five(world)
    named = named.format(r1=rows[1].id, r2=rows[2].id, r3=rows[3].id)
    table = AccessLogEntry.__table__
    if tamper == "edit":
        db.session.execute(update(table).where(table.c.seq == 3).values(count=999))
    elif tamper == "delete":
        db.session.execute(table.delete().where(table.c.seq == 3))
    elif tamper == "swap":  # rows 2 and 3 change places (content moved, ids kept)
        a, b = rows[1], rows[2]
        cols = [c.name for c in table.c if c.name != "id"]
        va = {c: getattr(a, c) for c in cols}
        vb = {c: getattr(b, c) for c in cols}
        db.session.execute(update(table).where(table.c.id == a.id).values(seq=-1))
        db.session.execute(update(table).where(table.c.id == b.id).values(**va))
        db.session.execute(update(table).where(table.c.id == a.id).values(**vb))
    else:
        db.session.execute(table.delete().where(table.c.seq == 5))
    db.session.commit()
    code, out = _verify(ctx)
    assert code == 1 and "BROKEN" in out and named in out, out


def test_anchor_time_stamps_the_head_and_a_tampered_anchor_is_caught(ctx, world):
    _five(world)
    result = ctx.test_cli_runner().invoke(args=["audit", "anchor"])
    assert result.exit_code == 0 and "anchored #5 (5 entries)" in result.output
    assert _verify(ctx)[0] == 0
    anchor = db.session.scalar(select(AccessLogAnchor))
    good_token, good_hash = anchor.token, anchor.head_hash
    # a head hash the chain never had (its token then no longer matches either)
    anchor.head_hash = "f" * 64
    db.session.commit()
    code, out = _verify(ctx)
    assert code == 1 and "BAD ANCHOR: anchor" in out and "does not verify" in out, out
    # a token whose signature was altered
    anchor.head_hash, anchor.token = good_hash, good_token[:-8] + b"\x00" * 8
    db.session.commit()
    code, out = _verify(ctx)
    assert code == 1 and "BAD ANCHOR" in out, out
    # the anchor holds, but the chain was rewritten under it (entry and head recomputed)
    anchor.token = good_token
    db.session.commit()
    assert _verify(ctx)[0] == 0
    last = db.session.scalar(select(AccessLogEntry).where(AccessLogEntry.seq == 5))
    last.count = 999
    last.hash = digest(last)
    db.session.get(AccessLogHead, 1).hash = last.hash
    db.session.commit()
    code, out = _verify(ctx)
    assert code == 1 and "no longer has the anchored hash" in out, out


def test_the_daily_anchor_is_scheduled_at_one_in_the_night(ctx, world):
    from app.cli.schedule import SCHEDULE

    job = next(j for j in SCHEDULE if j.name == "access-anchor")
    assert job.period == "daily" and job.at.hour == 1
    result = ctx.test_cli_runner().invoke(
        args=["schedule", "run", "--once", "--now", "2026-12-07T01:05+08:00"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(db.func.count()).select_from(AccessLogAnchor)) == 1


def test_reads_are_logged_scoped_on_the_bureau_page_and_shown_to_the_worker(
        client, world, outbox):
    contract_id = signed_with(client, outbox, world["api_key"])
    login(client, "auditor")
    html = search(client, id_number=WORKER["id_number"]).get_data(as_text=True)
    assert "找到 1 份合同" in html
    assert client.get(f"/audit/contracts/{contract_id}").status_code == 200
    assert client.get(f"/audit/contracts/{contract_id}/pdf").status_code == 200
    rows = list(db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq)))
    assert [(r.action, r.count) for r in rows] == [("search", 1), ("view", None),
                                                    ("download", None)]
    assert rows[1].contract_id == contract_id and rows[1].organization_id is not None
    assert WORKER["id_number"] not in repr(rows[0].criteria)
    page = client.get("/audit/access-log", query_string={"action": "view"}).get_data(as_text=True)
    assert "赵监察" in page and "查看合同" in page and "检索合同" not in page.split("<table")[1]
    today = date.today().isoformat()
    page = client.get("/audit/access-log", query_string={"contract": str(contract_id),
                                                         "date_from": today}).get_data(
        as_text=True)
    assert "共 2 条记录" in page
    bad = client.get("/audit/access-log", query_string={"date_from": "2026/01/01"})
    assert bad.status_code == 422 and "开始日期格式应为" in bad.get_data(as_text=True)
    # an auditor of another district sees none of it
    other = client.application.test_client()
    login(other, "auditor2")
    assert "共 0 条记录" in other.get("/audit/access-log").get_data(as_text=True)
    # the worker sees the office, not the official
    person = client.application.test_client()
    portal_sign_in(person, outbox)
    mine = person.get("/me/opened").get_data(as_text=True)
    assert "劳动监察（长沙县人社局）" in mine and "下载合同PDF" in mine
    assert "赵监察" not in mine and "auditor" not in mine


def test_access_log_filters_out_of_range_are_field_errors(client, world):
    login(client, "auditor")
    for query, named in (({"date_to": "9999-12-31"}, "结束日期应在1900-01-01至2999-12-31之间"),
                         ({"contract": "2147483648"}, "合同编号不能超过"),
                         ({"contract": "99999999999999999999"}, "合同编号不能超过")):
        answer = client.get("/audit/access-log", query_string=query)
        assert answer.status_code == 422 and named in answer.get_data(as_text=True), query
    assert client.get("/audit/access-log",
                      query_string={"contract": "2147483647"}).status_code == 200


def test_a_missing_head_row_is_broken(ctx, world):
    _five(world)
    db.session.execute(AccessLogHead.__table__.delete())
    db.session.commit()
    code, out = _verify(ctx)
    assert code == 1 and "head row is missing" in out, out


def test_deleting_an_anchor_in_the_middle_is_caught(ctx, world):
    _five(world)
    runner = ctx.test_cli_runner()
    for _ in range(3):
        assert runner.invoke(args=["audit", "anchor"]).exit_code == 0
    assert _verify(ctx)[0] == 0
    middle = db.session.scalars(select(AccessLogAnchor).order_by(AccessLogAnchor.id)).all()[1]
    db.session.delete(middle)
    db.session.commit()
    code, out = _verify(ctx)
    assert code == 1 and "does not follow the anchor before it" in out, out
