"""The auditors' archive search built for a county archive (Issue 22, "Search at a million"):
a rendered page costs at most three SQL statements whatever it lists, the new criteria
(kind, status, project, signing dates), orders and pages work on SQLite and PostgreSQL, the
count is capped, and on PostgreSQL the indexes of migration a2203idx0003 serve the main
query shapes. Rows are written directly (no signing): only the search is under test."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, text

from app import pii
from app.domain.ids import id_with_check
from app.errors import ValidationFailed
from app.extensions import db
from app.models import Contract, Filing, Worker
from app.services.filing import search, search_form
from app.services.platform.principal import Principal
from tests.app.project_helpers import make_project
from tests.conftest import csrf_token, login

COUNTY = Principal(kind="user", actor="user:1", role="auditor", user_id=1, jurisdiction="4301")
T0 = datetime(2024, 1, 1, 9, tzinfo=UTC)


def _archive(world, n: int = 60) -> dict:
    """``n`` filed contracts of the world's employer, one a day from 2024-01-01, kinds and
    statuses cycling; every 5th on a project; plus three of the other employer."""
    project = make_project()
    workers = [Worker(id_hash=pii.keyed_hash(id_with_check(f"43012119900101{i:03d}")),
                      id_number_enc="x", id_masked=f"4301**********{i:04d}") for i in range(n + 3)]
    db.session.add_all(workers)
    db.session.flush()
    kinds = ("fixed_term", "open_ended", "project_based", "part_time", "construction_simple")
    rows = []
    for i in range(n + 3):
        org = world["org"] if i < n else world["other"]
        rows.append(Contract(
            contract_no=f"SC{i:06d}", organization_id=org.id, worker_id=workers[i].id,
            worker_name=("李" if i % 2 else "王") + f"秀{'兰梅'[i % 2]}{i}",
            worker_phone_enc="x", worker_phone_masked="138****0000", template=kinds[i % 5],
            terms={}, status="terminated" if i % 7 == 0 else "filed",
            signed_at=T0 + timedelta(days=i), project_id=project.id if i % 5 == 0 else None))
    db.session.add_all(rows)
    db.session.flush()
    db.session.add_all(Filing(number=f"BA2024{c.id:08d}", contract_id=c.id, pdf_key="k",
                              manifest_key="k", audit_key="k", sha256="0" * 64,
                              manifest_sha256="0" * 64, retain_until=T0) for c in rows)
    db.session.commit()
    return {"project": project, "rows": rows, "n": n}


def _page(app, form: dict, p: Principal = COUNTY) -> tuple[search.SearchPage, str, int]:
    """Search and render the page as the route does; the statements it took."""
    from flask import render_template

    from app.services.contracts import queries

    statements = []

    def count(*_args, **_kw):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.test_request_context("/audit/", method="POST", data=form):
            results = search.search_contracts(p, form)
            html = render_template(
                "audit/search.html", params={k: form.get(k, "") for k in search.SEARCH_FIELDS},
                results=results, errors={}, message=None, scoped=True,
                filings=queries.filing_numbers([c.id for c in results]))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return results, html, len(statements)


def test_a_full_rendered_page_takes_at_most_three_statements(app, world):
    _archive(world)
    db.session.expire_all()  # nothing already loaded helps: workers and employers come joined
    results, html, statements = _page(app, {"worker_name": "李"})
    assert len(results) == 31 and statements <= 3  # 李: the odd ones of 63
    assert "4301**********0001" in html and "湖南星城建设工程有限公司" in html
    assert "BA2024" in html and "找到 31 份合同" in html
    results, html, statements = _page(app, {"kind": "fixed_term", "sort": "oldest"})
    assert statements <= 3 and [c.contract_no for c in results][:2] == ["SC000000", "SC000005"]


def test_filters_sorting_and_paging(app, world):
    made = _archive(world)
    assert {c.template for c in _page(app, {"kind": "part_time"})[0]} == {"part_time"}
    terminated = _page(app, {"status": "terminated"})[0]
    assert terminated.total == 9 and {c.status for c in terminated} == {"terminated"}
    project = _page(app, {"project": made["project"].name[:4]})[0]
    assert project.total == 13 and all(c.project_id == made["project"].id for c in project)
    january = _page(app, {"signed_from": "2024-01-10", "signed_to": "2024-01-19",
                          "sort": "signed_asc"})[0]
    assert [c.contract_no for c in january] == [f"SC{i:06d}" for i in range(9, 19)]
    newest = _page(app, {"signed_from": "2024-01-01", "sort": "signed_desc"})[0]
    assert newest[0].contract_no == "SC000062" and newest.total == 63 and newest.has_next
    second, html, statements = _page(app, {"signed_from": "2024-01-01", "page": "2"})
    assert [c.contract_no for c in second] == [f"SC{i:06d}" for i in range(12, -1, -1)]
    assert statements <= 3 and "第 2 / 2 页" in html and not second.has_next
    # the other employer's contracts are outside a 430121 auditor's scope
    narrow = Principal(kind="user", actor="user:1", role="auditor", jurisdiction="430121")
    assert _page(app, {"employer": "另一家"}, narrow)[0] == []
    assert len(_page(app, {"employer": "另一家"})[0]) == 3  # the county (4301) sees them


def test_the_count_is_capped(app, world, monkeypatch):
    _archive(world, n=12)
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    monkeypatch.setattr(search_form, "COUNT_CAP", 5)  # the page's capped count
    results, html, _ = _page(app, {"worker_name": "王"}, COUNTY)
    assert results.capped and results.total == 5
    assert "找到超过 5 份合同" in html


@pytest.mark.parametrize("form, field", [
    ({"kind": "lifetime"}, "kind"), ({"status": "lost"}, "status"),
    ({"kind": "part_time", "page": "0"}, "page"), ({"kind": "part_time", "page": "x"}, "page"),
    ({"kind": "part_time", "sort": "salary"}, "sort"), ({"signed_from": "2024/01/01"}, "signed_from"),
    ({"signed_from": "2024-02-01", "signed_to": "2024-01-01"}, "signed_from"),
    ({"sort": "oldest"}, "worker_name"),  # an order alone is no criterion
])
def test_bad_criteria_name_the_field(app, world, form, field):
    with pytest.raises(ValidationFailed) as caught:
        search.search_contracts(COUNTY, form)
    assert field in caught.value.fields


def test_the_page_posts_the_new_criteria(client, world):
    _archive(world, n=12)
    login(client, "auditor")
    token = csrf_token(client.get("/audit/").get_data(as_text=True))
    html = client.post("/audit/", data={"kind": "open_ended", "csrf_token": token}).get_data(
        as_text=True)
    assert set(re.findall(r">(SC\d+)</a>", html)) == {"SC000001", "SC000006", "SC000011"}
    bad = client.post("/audit/", data={"status": "lost", "csrf_token": token})
    assert bad.status_code in (400, 422) and "状态" in bad.get_data(as_text=True)


@pytest.mark.postgresql_only
def test_postgresql_serves_the_main_shapes_from_the_new_indexes(client, world):
    """Sequential scans and sorts off (the table is small): each shape's plan names its
    index."""
    from sqlalchemy.dialects import postgresql

    _archive(world, n=12)
    shapes = {"ix_contracts_template_id": ({"kind": "part_time"}, "newest"),
              "ix_contracts_status_id": ({"status": "terminated"}, "newest"),
              "ix_contracts_signed_at": ({"signed_from": "2024-01-02"}, "signed_asc")}
    for index, (form, sort) in shapes.items():
        crit = search.read_criteria({**form, "sort": sort})
        query = search._filtered(COUNTY, crit).order_by(*search.SORTS[sort]).limit(50)
        sql = query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_sort = off"))  # the index serves the order
        plan = "\n".join(db.session.scalars(text(f"EXPLAIN {sql}")))
        db.session.rollback()
        assert index in plan, (index, plan)
    assert db.session.scalar(select(Contract.id).limit(1)) is not None


def test_signing_dates_are_beijing_days_and_bounded(app, world):
    made = _archive(world, n=3)
    late = made["rows"][0]  # signed 2026-12-02 07:00 Beijing = 2026-12-01 23:00 UTC
    late.signed_at = datetime(2026, 12, 1, 23, tzinfo=UTC)
    db.session.commit()
    found = _page(app, {"signed_from": "2026-12-02", "signed_to": "2026-12-02"})[0]
    assert [c.id for c in found] == [late.id]
    assert _page(app, {"signed_from": "2026-12-01", "signed_to": "2026-12-01"})[0] == []
    with pytest.raises(ValidationFailed) as caught:
        search.search_contracts(COUNTY, {"signed_to": "9999-12-31"})
    assert "signed_to" in caught.value.fields


def test_the_search_log_keeps_only_the_form_fields_capped_and_masked(client, world):
    from app.models import AccessLogEntry

    login(client, "auditor")
    token = csrf_token(client.get("/audit/").get_data(as_text=True))
    answer = client.post("/audit/", data={"csrf_token": token, "junk": "x" * 5000,
                                          "employer": "电话 138 0013 8000 " + "公" * 150,
                                          "project": "4301 2119 9001 0100 13"})
    assert answer.status_code == 200
    entry = db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "search")
                               ).all()[-1]
    assert set(entry.criteria) == {"employer", "project"}
    assert len(entry.criteria["employer"]) <= 100
    flat = re.sub(r"\s", "", repr(entry.criteria))
    assert "13800138000" not in flat and "430121199001010013" not in flat
