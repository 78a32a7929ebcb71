"""Filings out to the 人社 systems: the cursor pages every record once in commit order (a late
commit with an earlier id and archive time; two sessions on PostgreSQL), forged and old-format
cursors are refused, deadlines on both sides of the boundary with region
overrides, JSON Lines and CSV output, the bureau API's scoping, the CLI, the late list."""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import pii
from app.domain.ids import mask_id
from app.errors import ValidationFailed
from app.extensions import db
from app.models import AccessLogEntry, Contract, Filing, Worker
from app.services import exports
from app.services.exports import deadlines
from app.services.platform.principal import SYSTEM
from tests.conftest import bearer, login

ID = "360426199101010071"  # sequence 007: odd, a man
NOW = datetime(2026, 12, 20, 4, 0, tzinfo=UTC)


def _worker(id_number: str = ID) -> Worker:
    found = db.session.scalar(select(Worker).where(Worker.id_hash == pii.keyed_hash(id_number)))
    if found is None:
        found = Worker(id_hash=pii.keyed_hash(id_number), id_number_enc=pii.encrypt(id_number),
                       id_masked=mask_id(id_number))
        db.session.add(found)
        db.session.flush()
    return found


def _filed(org, n: int, at: datetime, *, kind: str = "contract", parent=None, renewal_of=None,
           name: str = "张三", start: str = "2026-11-01", fid: int | None = None,
           session=None, **terms) -> Filing:
    """A filed document of ``org`` archived at ``at`` (rows only: no PDF is needed here),
    committed — or only flushed when ``session`` (another connection's) is given."""
    session = session or db.session
    c = Contract(contract_no=f"HT{org.id}-{n}", organization_id=org.id, worker_id=_worker().id,
                 worker_name=name, worker_phone_enc=pii.encrypt("13800138000"),
                 worker_phone_masked="138****8000", template="fixed_term",
                 terms={"term_start": start, "term_end": "2028-10-31", "post": "钢筋工", **terms},
                 status="filed", document_kind=kind, parent_id=parent.id if parent else None,
                 renewal_of_id=renewal_of.id if renewal_of else None, signed_at=at)
    session.add(c)
    session.flush()
    f = Filing(id=fid, number=f"BA{org.id}-{n}", contract_id=c.id, pdf_key="k",
               manifest_key="m", audit_key="a", sha256="0" * 64, manifest_sha256="0" * 64,
               retain_until=at + timedelta(days=3650), archived_at=at)
    session.add(f)
    if session is db.session:
        session.commit()
    else:
        session.flush()
    return f


def _all(p, *, cursor: str | None = None, limit: int = 3):
    """Every record after ``cursor`` in pages of ``limit``; the ids and the last cursor."""
    ids = []
    while True:
        page = exports.export_filings(p, cursor=cursor, limit=limit)
        ids += [r.record_id for r in page.records]
        cursor = page.next_cursor
        if not page.more:
            return ids, cursor


def test_pages_return_every_record_once_in_commit_order_even_a_late_commit(world):
    org = world["org"]
    same = NOW - timedelta(hours=1)
    first = [_filed(org, n, same, fid=100 + n) for n in range(7)]  # one second, 7 filings
    ids, cursor = _all(SYSTEM)
    assert ids == [f.id for f in first]  # pages of 3: none twice, none missed
    # A filing made earlier (smaller id, older archive time) that commits only now, after
    # later ones were exported, still comes — once — on the next page, without any lag.
    late = _filed(org, 20, same - timedelta(minutes=10), fid=50)
    young = _filed(org, 21, datetime.now(UTC), fid=120)
    ids, cursor = _all(SYSTEM, cursor=cursor)
    assert ids == [late.id, young.id]
    assert _all(SYSTEM, cursor=cursor)[0] == []
    assert sorted(db.session.scalars(select(Filing.export_seq))) == list(range(1, 10))


@pytest.mark.postgresql_only
def test_a_transaction_committing_after_a_later_one_was_exported_is_not_lost(world):
    from sqlalchemy.orm import Session

    org = world["org"]
    _worker()
    db.session.commit()
    slow = Session(db.engine)  # another connection: its filing is flushed, not yet committed
    try:
        pending = _filed(org, 1, NOW - timedelta(hours=2), session=slow)
        fast = _filed(org, 2, NOW - timedelta(hours=1))
        assert fast.id > pending.id
        page = exports.export_filings(SYSTEM)
        assert [r.record_id for r in page.records] == [fast.id]
        slow.commit()
        pending_id = pending.id
    finally:
        slow.close()
    again = exports.export_filings(SYSTEM, cursor=page.next_cursor)
    assert [r.record_id for r in again.records] == [pending_id]
    assert exports.export_filings(SYSTEM, cursor=again.next_cursor).records == []


def test_a_forged_or_edited_cursor_is_refused(world):
    _filed(world["org"], 1, NOW - timedelta(hours=1))
    good = exports.export_filings(SYSTEM).next_cursor
    sig = good.split(".")[1]
    edited = json.dumps([0, "", "system", "", "json"]).encode()
    for bad in (good[:-2] + "AA", base64.urlsafe_b64encode(edited).decode().rstrip("=") + "." + sig,
                "garbage", "x" * 500):
        with pytest.raises(ValidationFailed) as refused:
            exports.export_filings(SYSTEM, cursor=bad)
        assert "cursor" in refused.value.fields and refused.value.code == "invalid_cursor"
        db.session.rollback()


def test_a_cursor_of_the_earlier_format_is_refused_with_its_own_message(world):
    import hmac
    from hashlib import sha256

    from app.services.exports import cursor as cursors

    body = json.dumps(["2026-12-01T00:00:00+00:00", 7, "system", "", "json"],
                      separators=(",", ":")).encode()
    old = f"{cursors._b64(body)}.{cursors._b64(hmac.new(cursors._key(), body, sha256).digest()[:16])}"
    with pytest.raises(ValidationFailed) as refused:
        exports.export_filings(SYSTEM, cursor=old)
    assert refused.value.code == "cursor_outdated" and "since" in refused.value.fields["cursor"]


def test_registration_deadline_day_30_on_time_day_31_late_and_region_overrides(world, app):
    org = world["org"]  # region 430121; contract starts 2026-11-01 (Beijing dates)
    on_time = _filed(org, 1, datetime(2026, 12, 1, 15, 59, tzinfo=UTC))  # 12-01 23:59 Beijing
    late = _filed(org, 2, datetime(2026, 12, 1, 16, 0, tzinfo=UTC))  # 12-02 00:00 Beijing
    ended = _filed(org, 3, datetime(2026, 11, 25, 2, tzinfo=UTC), kind="termination",
                   parent=on_time.contract, last_working_day="2026-11-10")
    ended_late = _filed(org, 4, datetime(2026, 11, 26, 2, tzinfo=UTC), kind="termination",
                        parent=late.contract, last_working_day="2026-11-10")
    got = {r.record_id: r for r in exports.export_filings(SYSTEM).records}
    assert (got[on_time.id].due_on, got[on_time.id].late) == ("2026-12-01", False)
    assert (got[late.id].days_late, got[late.id].late) == (1, True)
    assert got[ended.id].record_type == "deregistration" and got[ended.id].late is False
    assert got[ended_late.id].days_late == 1
    app.config["FILING_REGISTER_DAYS_BY_REGION"] = "43=40,430121=20"  # the longest prefix wins
    try:
        assert deadlines.days_for("registration", "430121") == 20
        assert deadlines.days_for("registration", "430102") == 40
        assert deadlines.days_for("registration", "110101") == 30
        record = {r.record_id: r for r in exports.export_filings(SYSTEM).records}[
            on_time.id]
        assert (record.due_on, record.days_late) == ("2026-11-21", 10)
    finally:
        app.config["FILING_REGISTER_DAYS_BY_REGION"] = ""


def test_record_types_and_formats(world):
    org = world["org"]
    base = _filed(org, 1, NOW - timedelta(days=3), name="=HYPERLINK(\"x\")")
    _filed(org, 2, NOW - timedelta(days=2), kind="amendment", parent=base.contract)
    _filed(org, 3, NOW - timedelta(days=2), renewal_of=base.contract)
    _filed(org, 4, NOW - timedelta(days=1), kind="termination", parent=base.contract,
           last_working_day="2026-12-18")
    _filed(org, 5, NOW - timedelta(days=1), kind="certificate", parent=base.contract)
    page = exports.export_filings(SYSTEM, fmt="json")
    lines = [json.loads(line) for line in page.body.decode().splitlines()]
    assert [(x["record_type"], x["change_type"]) for x in lines] == [
        ("registration", None), ("change", "amendment"), ("change", "renewal"),
        ("deregistration", None)]  # the certificate is not a filing event for the bureau
    assert lines[0]["worker_id_number"] == ID and lines[0]["worker_sex"] == "1"
    assert lines[0]["worker_birth_date"] == "1991-01-01"
    assert lines[1]["original_contract_no"] == base.contract.contract_no
    assert "13800138000" not in page.body.decode() and "8000" not in page.body.decode()
    rows = list(csv.reader(io.StringIO(
        exports.export_filings(SYSTEM, fmt="csv").body.decode())))
    assert rows[0][:3] == ["record_id", "record_type", "change_type"] and len(rows) == 5
    assert rows[1][rows[0].index("worker_name")] == "'=HYPERLINK(\"x\")"  # not a formula
    with pytest.raises(ValidationFailed) as refused:
        exports.export_filings(SYSTEM, fmt="xml")
    assert "format" in refused.value.fields


def test_bureau_api_sees_its_region_only_and_employer_keys_are_refused(client, world):
    mine = _filed(world["org"], 1, datetime.now(UTC) - timedelta(minutes=1))
    _filed(world["other"], 2, datetime.now(UTC) - timedelta(minutes=1))  # region 430102
    _, key = exports.create_bureau_key("430121", "县人社局系统", "test")
    answer = client.get("/api/v1/bureau/filings?format=json", headers=bearer(key))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert [json.loads(x)["record_id"] for x in answer.get_data(as_text=True).splitlines()] \
        == [mine.id]
    again = client.get(f"/api/v1/bureau/filings?cursor={answer.headers['X-Next-Cursor']}",
                       headers=bearer(key))
    assert again.status_code == 200 and again.get_data() == b""
    # the bureau system's reads are in the access log, scoped to its region
    logged = db.session.scalars(select(AccessLogEntry).where(
        AccessLogEntry.action == "export_filings").order_by(AccessLogEntry.seq)).all()
    assert [(e.role, e.scope, e.count) for e in logged] == [
        ("bureau_api", "region:430121", 1), ("bureau_api", "region:430121", 0)]
    assert client.get("/api/v1/bureau/filings",
                      headers=bearer(world["api_key"])).status_code == 403
    assert client.get("/api/v1/bureau/filings").status_code == 401
    bad = client.get("/api/v1/bureau/filings?cursor=abc.def", headers=bearer(key))
    assert bad.status_code == 422 and "cursor" in bad.get_json()["fields"]
    exports.revoke_bureau_key(key, "test")
    assert client.get("/api/v1/bureau/filings", headers=bearer(key)).status_code == 401


def test_cli_prints_records_and_the_next_cursor(ctx, world):
    runner = ctx.test_cli_runner()
    made = runner.invoke(args=["bureau-key", "create", "--region", "4301", "--name", "市局"])
    assert made.exit_code == 0 and "lbk_" in made.output
    refused = runner.invoke(args=["bureau-key", "create", "--region", "43a", "--name", "x"])
    assert refused.exit_code == 1 and "region" in refused.output
    _filed(world["org"], 1, datetime(2026, 11, 30, tzinfo=UTC))
    out = runner.invoke(args=["filings", "export", "--since", "2026-11-01", "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith("record_id,") and f"BA{world['org'].id}-1" in out.stdout
    cursor = out.stderr.strip().splitlines()[-1].removeprefix("next-cursor: ")
    more = runner.invoke(args=["filings", "export", "--cursor", cursor, "--format", "csv"])
    assert more.exit_code == 0 and more.stdout.startswith("record_id,")
    assert len(more.stdout.splitlines()) == 1  # the header only: nothing new
    assert runner.invoke(args=["filings", "export", "--cursor", "forged.x"]).exit_code == 1


def test_auditors_see_late_filings_of_their_scope(client, world):
    late = _filed(world["org"], 1, datetime(2026, 12, 10, tzinfo=UTC))  # 39 days after start
    _filed(world["org"], 2, datetime(2026, 11, 20, tzinfo=UTC))  # on time
    login(client, "auditor")
    page = client.get("/audit/late-filings?from=2026-11-01&to=2026-12-31")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and late.number in text
    assert f"BA{world['org'].id}-2" not in text and mask_id(ID) in text and ID not in text
    assert client.get("/audit/late-filings?from=2026-13-01").status_code == 422
    client.post("/logout", data={})
    login(client, "auditor2")
    assert late.number not in client.get(
        "/audit/late-filings?from=2026-11-01&to=2026-12-31").get_data(as_text=True)


def test_a_cursor_works_only_for_its_actor_region_and_format(world):
    from dataclasses import replace

    _filed(world["org"], 1, NOW - timedelta(hours=1))
    good = exports.export_filings(SYSTEM, region="4301").next_cursor
    assert exports.export_filings(SYSTEM, cursor=good, region="4301").records == []
    for p, region, fmt in ((replace(SYSTEM, actor="bureau:9"), "4301", "json"),
                           (SYSTEM, "43", "json"), (SYSTEM, None, "json"),
                           (SYSTEM, "4301", "csv")):
        with pytest.raises(ValidationFailed) as refused:
            exports.export_filings(p, cursor=good, region=region, fmt=fmt)
        assert "cursor" in refused.value.fields
        db.session.rollback()


def test_a_malformed_deadline_setting_stops_the_app_at_start():
    from app import create_app

    for name, value in (("FILING_REGISTER_DAYS_BY_REGION", "4301=thirty"),
                        ("FILING_DEREGISTER_DAYS", "15 days")):
        with pytest.raises(ValueError, match=name):
            create_app({"TESTING": True, name: value})
    deadlines.check_settings({"FILING_REGISTER_DAYS": 30, "FILING_DEREGISTER_DAYS": "15",
                              "FILING_REGISTER_DAYS_BY_REGION": "4301=30, 430121=20"})


def test_cli_exports_are_in_the_access_log(ctx, world):
    _filed(world["org"], 1, datetime(2026, 11, 30, tzinfo=UTC))
    out = ctx.test_cli_runner().invoke(args=["filings", "export", "--since", "2026-11-01"])
    assert out.exit_code == 0, out.output
    logged = db.session.scalars(select(AccessLogEntry).where(
        AccessLogEntry.action == "export_filings")).all()
    assert [(e.actor, e.count) for e in logged] == [("system:cli", 1)]


def test_late_filings_dates_are_typed_and_bounded(client, world):
    login(client, "auditor")
    for query in ("from=9999-12-01&to=9999-12-31", "from=20260101", "to=9999-12-31"):
        answer = client.get(f"/audit/late-filings?{query}")
        assert answer.status_code == 422, (query, answer.status_code)


def test_a_cursor_from_before_a_restore_is_outdated_not_silently_past_new_filings(ctx, world):
    """A restore brings the export counter back (here: to 0): the filings numbered again
    would lie before an older cursor's number. ``flask filings new-generation`` (run by the
    restore script) makes such a cursor answer ``cursor_outdated``; a new start gets them."""
    from sqlalchemy import update

    from app.models import Counter

    org = world["org"]
    for n in range(3):
        _filed(org, n, NOW - timedelta(hours=1))
    ids, cursor = _all(SYSTEM)  # the bureau system's cursor is past number 3
    assert len(ids) == 3
    db.session.execute(update(Filing).values(export_seq=None))  # the backup: nothing numbered
    db.session.execute(update(Counter).where(Counter.name == "filing_export_seq").values(value=0))
    db.session.commit()
    later = _filed(org, 9, NOW)
    out = ctx.test_cli_runner().invoke(args=["filings", "new-generation"])
    assert out.exit_code == 0 and "new export generation" in out.output, out.output
    with pytest.raises(ValidationFailed) as refused:
        exports.export_filings(SYSTEM, cursor=cursor)
    assert refused.value.code == "cursor_outdated" and "since" in refused.value.fields["cursor"]
    db.session.rollback()
    assert _all(SYSTEM)[0] == ids + [later.id]  # from the start again: nothing skipped


def test_a_cursor_past_a_rolled_back_counter_is_outdated_without_a_new_generation(ctx, world):
    """A point-in-time recovery or a promoted replica that lagged roll the export counter back
    without ``new-generation``: the cursor checks itself — its filing no longer holds its
    number, or its number is above the counter — and answers ``cursor_outdated``."""
    from sqlalchemy import update

    from app.models import Counter

    org = world["org"]
    for n in range(3):
        _filed(org, n, NOW - timedelta(hours=1), fid=100 + n)
    ids, cursor = _all(SYSTEM)
    seq = db.session.scalar(select(Filing.export_seq).where(Filing.id == ids[-1]))
    counter = update(Counter).where(Counter.name == "filing_export_seq")
    db.session.execute(counter.values(value=seq - 1))  # the counter behind the cursor
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        exports.export_filings(SYSTEM, cursor=cursor)
    assert refused.value.code == "cursor_outdated"
    db.session.rollback()
    # the recovered database: nothing numbered, then numbered again by a fresh reader
    db.session.execute(update(Filing).values(export_seq=None))
    db.session.execute(counter.values(value=0))
    db.session.commit()
    later = _filed(org, 9, NOW, fid=50)  # an id before them: numbered first
    assert _all(SYSTEM)[0] == [later.id, *ids]
    with pytest.raises(ValidationFailed) as refused:  # its filing now holds another number
        exports.export_filings(SYSTEM, cursor=cursor)
    assert refused.value.code == "cursor_outdated"
    db.session.rollback()
    assert _all(SYSTEM, cursor=_all(SYSTEM, limit=2)[1])[0] == []  # fresh cursors go on


def test_a_cursor_with_its_filing_still_in_place_goes_on(ctx, world):
    """An empty page keeps the cursor's filing; new filings come after it."""
    org = world["org"]
    _filed(org, 0, NOW)
    ids, cursor = _all(SYSTEM)
    assert _all(SYSTEM, cursor=cursor) == ([], cursor)
    later = _filed(org, 1, NOW)
    assert _all(SYSTEM, cursor=cursor)[0] == [later.id]
