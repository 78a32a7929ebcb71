"""The auditors' search pages a few employers (or projects) one by one (Issue 22, "Search at
a million"): an employer named by name part or USCC, or the employers an auditor is scoped to,
are each read from their own index and merged. What an auditor sees must not change: the same
rows in the same order, the same (capped) count, nothing outside the scope, at most three
statements a page, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from app.extensions import db
from app.services.filing import search, search_form
from app.services.platform.principal import Principal
from tests.app.test_search_scale import COUNTY, _archive, _page

FORMS = (
    {"employer": "有限公司"},
    {"employer": "星城", "sort": "signed_asc"},
    {"employer": "公司", "kind": "part_time", "sort": "oldest"},
    {"worker_name": "李", "sort": "signed_desc", "page": "2"},
    {"status": "terminated", "sort": "signed_desc"},
    {"signed_from": "2024-01-05", "signed_to": "2024-02-20", "sort": "signed_asc"},
)


def _named(*orgs) -> Principal:
    return Principal(kind="user", actor="user:2", role="auditor", user_id=2,
                     employer_ids=frozenset(o.id for o in orgs))


def _listed(app, form: dict, p: Principal) -> tuple[list[str], int, bool]:
    results = _page(app, form, p)[0]
    return [c.contract_no for c in results], results.total, results.capped


@pytest.mark.parametrize("form", FORMS)
def test_paging_employer_by_employer_lists_what_one_query_lists(app, world, monkeypatch, form):
    made = _archive(world)
    made["project"].name = "星沙安置房项目"
    db.session.commit()
    for p in (COUNTY, _named(world["org"], world["other"])):
        split = _listed(app, form, p)
        monkeypatch.setattr(search, "SPLIT_AT_MOST", 0)  # one query over every employer
        assert _listed(app, form, p) == split, (form, p)
        monkeypatch.undo()
    project = _listed(app, {"project": "安置房", "sort": "oldest"}, COUNTY)
    assert project[1] == 13 and project[0][:2] == ["SC000000", "SC000005"]


def test_the_count_stays_capped_when_split(app, world, monkeypatch):
    _archive(world, n=12)
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    monkeypatch.setattr(search_form, "COUNT_CAP", 5)  # the page's capped count
    results, html, statements = _page(app, {"employer": "公司"},
                                      _named(world["org"], world["other"]))
    assert results.capped and results.total == 5 and len(results) == 15
    assert "找到超过 5 份合同" in html and statements <= 3


def test_an_employer_outside_the_scope_is_not_found_in_one_statement(app, world):
    _archive(world, n=6)
    results, html, statements = _page(app, {"employer": "另一家"}, _named(world["org"]))
    assert results == [] and results.total == 0 and statements == 1
    assert "找到 0 份合同" in html
    uscc = _page(app, {"employer": world["other"].uscc.lower()}, _named(world["org"]))[0]
    assert uscc == []
    narrow = Principal(kind="user", actor="user:1", role="auditor", jurisdiction="430121")
    assert _page(app, {"employer": "公司"}, narrow)[0].total == 6  # not the other's three
    found = _page(app, {"employer": world["other"].uscc.lower()}, COUNTY)[0]
    assert found.total == 3 and {c.organization_id for c in found} == {world["other"].id}


def test_a_page_past_the_last_still_shows_the_count(app, world):
    _archive(world)
    results, html, statements = _page(app, {"employer": "星城", "page": "3"},
                                      _named(world["org"]))
    assert results == [] and results.total == 60 and statements <= 3
    assert "找到 60 份合同" in html


def test_both_employer_and_project_named_take_at_most_three_statements(app, world):
    made = _archive(world)
    results, _html, statements = _page(
        app, {"employer": "星城", "project": made["project"].name[:4], "sort": "signed_desc"})
    assert statements <= 3 and results.total == 12  # every 5th of the employer's 60
    assert [c.contract_no for c in results][:2] == ["SC000055", "SC000050"]


@pytest.mark.postgresql_only
def test_postgresql_reads_each_employer_from_its_own_index(app, world):
    """Sequential scans and sorts off (the table is small): the page statement of an auditor
    scoped to two employers names the index of migration a2207idx0007 for each shape."""
    _archive(world, n=12)
    db.session.commit()
    db.session.execute(text("ANALYZE contracts"))  # not the statistics of earlier tests' rows
    db.session.commit()
    p = _named(world["org"], world["other"])
    shapes = {"ix_contracts_org_template_id": {"kind": "part_time"},
              "ix_contracts_org_status_id": {"status": "terminated"},
              "ix_contracts_org_signed_at": {"signed_from": "2024-01-02", "sort": "signed_asc"}}
    for index, form in shapes.items():
        seen = []

        def grab(_conn, _cursor, statement, parameters, _context, _many, seen=seen):
            seen.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", grab)
        try:
            search.search_contracts(p, form)
        finally:
            event.remove(db.engine, "before_cursor_execute", grab)
        db.session.rollback()
        statement, parameters = seen[-1]
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_sort = off"))
        cursor = db.session.connection().connection.cursor()
        cursor.execute(f"EXPLAIN {statement}", parameters)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        db.session.rollback()
        assert index in plan, (index, plan)
