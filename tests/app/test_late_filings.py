"""Late filings computed in SQL: the same filings as the per-record Python reading (day N on
time, N+1 late; Beijing days; region overrides, longest prefix first; deregistrations; no
event day), paged and counted by the database; the bureau key's API sees its region only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.api.bureau_schemas import LateFilingsOut, RegisterOut
from app.domain.beijing import BEIJING
from app.extensions import db
from app.models import AccessLogEntry, Contract, Filing
from app.services import exports
from app.services.exports import late
from app.services.exports.records import record_of
from app.services.platform.principal import SYSTEM
from tests.app.test_exports import _filed
from tests.conftest import bearer

START, END = date(2026, 10, 1), date(2026, 12, 31)


def _python_late(start: date, end: date) -> list[int]:
    """The late list as it was computed before: every filing of the period loaded, each
    judged by :func:`record_of` in Python."""
    lo = datetime(start.year, start.month, start.day, tzinfo=BEIJING).astimezone(UTC)
    hi = (datetime(end.year, end.month, end.day, tzinfo=BEIJING) + timedelta(days=1))
    found = db.session.scalars(
        select(Filing).join(Filing.contract)
        .where(Contract.document_kind.in_(("contract", "termination")),
               Contract.renewal_of_id.is_(None), Filing.archived_at >= lo,
               Filing.archived_at < hi.astimezone(UTC))
        .options(joinedload(Filing.contract).joinedload(Contract.organization),
                 joinedload(Filing.contract).joinedload(Contract.parent))
        .order_by(Filing.archived_at, Filing.id)).unique().all()
    return [f.id for f in found if record_of(f).late]


def _sql_late(start: date = START, end: date = END) -> list[int]:
    rows, total = late.late_filings(SYSTEM, start, end, size=1000)
    assert total == len(rows)
    return [record.record_id for record, _ in rows]


def _beijing(day: str, hhmm: str = "12:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=BEIJING).astimezone(UTC)


@pytest.fixture
def cases(world):
    """Filings on both sides of every boundary: region 430121 (org) and 430102 (other)."""
    org, other = world["org"], world["other"]
    made = {}

    def add(name, owner, at, **kw):
        made[name] = _filed(owner, len(made) + 1, at, **kw)

    add("day30", org, _beijing("2026-12-01", "23:59"))  # start 11-01: day 30, on time
    add("day31", org, _beijing("2026-12-02", "00:00"))  # one day late (UTC still 12-01)
    add("before_start", org, _beijing("2026-10-20"))
    add("day21", org, _beijing("2026-11-22"))  # on time by default, late under 430121=20
    add("day41", other, _beijing("2026-12-12"))  # late by default, on time under 43=45
    add("no_start", org, _beijing("2026-12-20"), start="")
    add("odd_start", org, _beijing("2026-12-20"), start="soon")
    add("term15", org, _beijing("2026-11-25"), kind="termination",
        parent=made["day30"].contract, last_working_day="2026-11-10")
    add("term16", org, _beijing("2026-11-26"), kind="termination",
        parent=made["day31"].contract, last_working_day="2026-11-10")
    add("renewal", org, _beijing("2026-12-25"), renewal_of=made["day30"].contract)
    add("amendment", org, _beijing("2026-12-25"), kind="amendment",
        parent=made["day30"].contract)
    return made


def test_sql_late_list_equals_the_python_reading_on_boundary_cases(cases, app):
    ids = {f.id: name for name, f in cases.items()}
    assert [ids[i] for i in _sql_late()] == [ids[i] for i in _python_late(START, END)] \
        == ["term16", "day31", "day41"]
    app.config.update(FILING_REGISTER_DAYS_BY_REGION="43=45,430121=20",
                      FILING_DEREGISTER_DAYS_BY_REGION="4301=16")
    try:
        assert [ids[i] for i in _sql_late()] == [ids[i] for i in _python_late(START, END)] \
            == ["day21", "day30", "day31"]  # the longest prefix wins; term16 on time in 16
    finally:
        app.config.update(FILING_REGISTER_DAYS_BY_REGION="",
                          FILING_DEREGISTER_DAYS_BY_REGION="")
    # a period is of Beijing filing dates: day31 was filed on 12-02 in Beijing
    assert [ids[i] for i in _sql_late(date(2026, 12, 2), date(2026, 12, 2))] == ["day31"]
    assert _sql_late(date(2026, 12, 1), date(2026, 12, 1)) == []


def test_pages_are_counted_and_cut_by_the_database(cases):
    everything = _sql_late()
    first, total = late.late_filings(SYSTEM, START, END, page=1, size=2)
    second, _ = late.late_filings(SYSTEM, START, END, page=2, size=2)
    assert total == 3 and [r.record_id for r, _ in first + second] == everything
    record, document = second[0]  # day41, of the other employer: 11 days late
    assert (record.days_late, record.due_on, record.region_code) == (11, "2026-12-01", "430102")
    record, document = first[0]  # a deregistration shows the contract it ended
    assert record.record_type == "deregistration" and document.id == cases["day31"].contract_id
    assert late.late_filings(SYSTEM, START, END, page=3, size=2) == ([], 3)


def test_bureau_api_late_filings_and_register_are_scoped_to_the_key(client, world, cases):
    _, mine = exports.create_bureau_key("430121", "县人社局系统", "test")
    _, elsewhere = exports.create_bureau_key("110101", "外地系统", "test")
    answer = client.get("/api/v1/bureau/late-filings?from=2026-10-01&to=2026-12-31",
                        headers=bearer(mine))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    LateFilingsOut.model_validate(body)  # the answer is what the OpenAPI document says
    assert [r["record_id"] for r in body["records"]] == [cases["term16"].id, cases["day31"].id]
    assert body["total"] == 2 and body["pages"] == 1 and body["from"] == "2026-10-01"
    assert "360426199101010071" not in answer.get_data(as_text=True)  # masked only
    far = client.get("/api/v1/bureau/late-filings?from=2026-10-01&to=2026-12-31",
                     headers=bearer(elsewhere)).get_json()
    assert far["records"] == [] and far["total"] == 0
    assert client.get("/api/v1/bureau/late-filings", headers=bearer(world["api_key"])) \
        .status_code == 403
    assert client.get("/api/v1/bureau/late-filings").status_code == 401
    bad = client.get("/api/v1/bureau/late-filings?from=2026-13-01", headers=bearer(mine))
    assert bad.status_code == 422 and "from" in bad.get_json()["fields"]
    logged = db.session.scalars(select(AccessLogEntry).where(
        AccessLogEntry.action == "search").order_by(AccessLogEntry.seq)).all()
    assert [(e.role, e.scope, e.count) for e in logged] == [
        ("bureau_api", "region:430121", 2), ("bureau_api", "region:110101", 0)]
    # the register of the same keys: the filed contracts' employers of its region only
    day = "/api/v1/bureau/register?day=2026-12-31"
    register = client.get(day, headers=bearer(mine))
    assert register.status_code == 200, register.get_data(as_text=True)
    seen = RegisterOut.model_validate(register.get_json())
    assert [e.region_code for e in seen.employers] == ["430121"]
    far_register = RegisterOut.model_validate(client.get(day, headers=bearer(elsewhere)).get_json())
    assert far_register.employers == [] and far_register.totals["in_service"] == 0
    assert client.get(day, headers=bearer(world["api_key"])).status_code == 403
    assert client.get(day).status_code == 401
    # the query takes ``from``, not the model's field name ``from_`` (it would pass unread)
    renamed = client.get("/api/v1/bureau/late-filings?from_=2026-10-01", headers=bearer(mine))
    assert renamed.status_code == 422 and "from_" in renamed.get_json()["fields"]


def test_the_auditors_page_pages_and_refuses_a_bad_page_number(client, cases, monkeypatch):
    from tests.conftest import login

    monkeypatch.setattr(late, "PAGE_SIZE", 2)
    login(client, "auditor")  # 430121: term16 and day31 (day41 is of another region)
    first = client.get("/audit/late-filings?from=2026-10-01&to=2026-12-31&page=1")
    text = first.get_data(as_text=True)
    assert first.status_code == 200 and cases["term16"].number in text
    assert "共 2 条逾期备案" in text and 'class="pager"' not in text
    monkeypatch.setattr(late, "PAGE_SIZE", 1)
    second = client.get("/audit/late-filings?from=2026-10-01&to=2026-12-31&page=2")
    text = second.get_data(as_text=True)
    assert cases["day31"].number in text and cases["term16"].number not in text
    assert 'class="pager"' in text and "page=1" in text and "page=3" not in text
    bad = client.get("/audit/late-filings?page=abc")
    assert bad.status_code == 422 and "页码" in bad.get_data(as_text=True)


#: event days that are no real YYYY-MM-DD day: no deadline on SQLite, PostgreSQL and in Python
MALFORMED = ("2026-02-30", "2026-02-29", "2026-13-01", "20261101", "2026-1-05", "0000-01-01",
             "2026-11-01T08:00", "2461000.5", "２０２６-11-01")


def test_a_malformed_event_day_has_no_deadline_on_every_reading(world):
    org = world["org"]
    at = _beijing("2026-12-20")
    bad = [_filed(org, n, at, start=text) for n, text in enumerate(MALFORMED, 1)]
    leap = _filed(org, 50, at, start="2024-02-29")  # a real February 29: late
    ended = _filed(org, 51, at, kind="termination", parent=bad[0].contract,
                   last_working_day="2026-11-31")
    assert _sql_late() == _python_late(START, END) == [leap.id]
    assert [record_of(f).due_on for f in bad + [ended]] == [None] * (len(MALFORMED) + 1)
    assert record_of(leap).due_on == "2024-03-30"
