"""The employer's contract list: counts by status, signed per week, filters (status, kind,
created dates, project, worker name, ID number by POST only), sorting, paging, and the export
of the filtered list as XLSX and CSV with personal data masked; another employer's contracts
never appear; bad filters are named with what was typed kept."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from app.domain.ids import id_with_check
from app.extensions import db
from app.models import Contract, User
from app.services.contracts import contract_list
from app.services.platform.principal import of_user
from tests.app.flows import in_force
from tests.app.test_templates_flow import KINDS, PARTIES
from tests.conftest import bearer, csrf_token, login

ID_A = id_with_check("11010119900307001")
ID_C = id_with_check("11010119900307003")


def _numbers(html: str) -> list[str]:
    return re.findall(r">(HT\d+)</a>", html)


def _post(client, **fields):
    token = csrf_token(client.get("/employer/contracts").get_data(as_text=True))
    return client.post("/employer/contracts", data={**fields, "csrf_token": token})


@pytest.fixture
def listed(client, world):
    """55 drafts of A, 3 sent, 2 filed (one of them signed this week), one construction
    contract on project 星沙产业园三期, one contract of worker ID_A; 2 contracts of B."""
    made = [in_force(client, world, date(2027, 6, 30) + timedelta(days=i), status="draft")
            for i in range(55)]
    for c in made[:3]:
        c.status = "sent"
    for c in made[3:5]:
        c.status, c.signed_at = "filed", datetime.now(UTC)
    db.session.commit()
    resp = client.post("/api/v1/contracts", json={
        **PARTIES, **KINDS["construction_simple"][0], "template": "construction_simple",
        "worker_id_number": ID_C}, headers=bearer(world["api_key"]))
    assert resp.status_code == 201, resp.get_json()
    own = in_force(client, world, date(2031, 1, 1), status="draft", worker_id_number=ID_A,
                   worker_name="李四")
    others = [in_force(client, world, date(2027, 1, 1) + timedelta(days=i), key="api_key_other",
                       status="sent") for i in range(2)]
    return {"made": made, "construction": resp.get_json(), "own": own, "others": others}


def test_counts_chart_and_paging(client, world, listed):
    login(client, "hr")
    html = client.get("/employer/contracts").get_data(as_text=True)
    assert re.search(r"全部 <b>57</b>", html)  # 55 + construction + ID_A; not B's two
    assert re.search(r'data-status="sent">待劳动者签署 <b>3</b>', html)
    assert re.search(r'data-status="filed">已备案 <b>2</b>', html)
    assert "共 57 份合同" in html and "第 1 / 2 页" in html
    first = _numbers(html)
    assert len(first) == 50 and first == sorted(first, reverse=True)
    second = _post(client, page="2").get_data(as_text=True)
    assert len(_numbers(second)) == 7 and not set(_numbers(second)) & set(first)
    assert not {c.contract_no for c in listed["others"]} & set(first + _numbers(second))
    hr = db.session.query(User).filter_by(username="hr").one()
    weeks = contract_list.signed_per_week(of_user(hr))
    assert len(weeks) == 8 and weeks[-1][1] == 2 and sum(n for _, n in weeks) == 2
    assert weeks[-1][0].weekday() == 0


def test_filters_by_status_kind_project_name_and_id(client, world, listed):
    login(client, "hr")
    sent = client.get("/employer/contracts?status=sent").get_data(as_text=True)
    assert sorted(_numbers(sent)) == sorted(c.contract_no for c in listed["made"][:3])
    kind = _post(client, kind="construction_simple").get_data(as_text=True)
    assert _numbers(kind) == [listed["construction"]["contract_no"]]
    project = _post(client, project="产业园三").get_data(as_text=True)
    assert _numbers(project) == [listed["construction"]["contract_no"]]
    assert _numbers(_post(client, project="100%").get_data(as_text=True)) == []  # LIKE escaped
    name = _post(client, worker="李").get_data(as_text=True)
    assert _numbers(name) == [listed["own"].contract_no]
    by_id = _post(client, id_number=ID_A)
    assert _numbers(by_id.get_data(as_text=True)) == [listed["own"].contract_no]
    other_employer = client.application.test_client()
    login(other_employer, "hr2")
    assert _numbers(_post(other_employer, id_number=ID_A).get_data(as_text=True)) == []
    # the ID number is a POST field: in the query string it is not a filter
    assert len(_numbers(client.get(f"/employer/contracts?id_number={ID_A}").get_data(
        as_text=True))) == 50


def test_created_dates_include_both_ends_in_beijing_time(client, world, listed):
    login(client, "hr")
    c = listed["own"]
    c.created_at = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 2026-12-01 00:30 in Beijing
    db.session.commit()
    on = _post(client, created_from="2026-12-01", created_to="2026-12-01", sort="oldest")
    assert listed["own"].contract_no in _numbers(on.get_data(as_text=True))
    before = _post(client, created_from="2026-11-30", created_to="2026-11-30")
    assert _numbers(before.get_data(as_text=True)) == []


def test_sorting_by_term_end_and_worker(client, world, listed):
    login(client, "hr")
    by_end = _numbers(_post(client, sort="term_end").get_data(as_text=True))
    ends = [db.session.query(Contract).filter_by(contract_no=n).one().terms.get("term_end")
            for n in by_end]
    assert ends == sorted(ends)


@pytest.mark.parametrize("fields, field", [
    ({"status": "lost"}, "status"), ({"kind": "weekly"}, "kind"),
    ({"created_from": "20261201"}, "created_from"),
    ({"created_from": "2026-12-02", "created_to": "2026-12-01"}, "created_to"),
    ({"id_number": ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1")}, "id_number"), ({"page": "0"}, "page"),
    ({"page": "abc"}, "page"), ({"worker": "x" * 51}, "worker"), ({"sort": "salary"}, "sort"),
])
def test_bad_filters_are_named_and_kept(client, world, fields, field):
    login(client, "hr")
    resp = _post(client, **fields)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and f'id="err-{field}"' in html
    typed = next(iter(fields.values()))
    if field not in ("status", "kind", "sort", "page"):
        assert f'value="{typed}"' in html


def test_export_is_the_filtered_list_masked(client, world, listed):
    login(client, "hr")
    token = csrf_token(client.get("/employer/contracts").get_data(as_text=True))
    xlsx = client.post("/employer/contracts/export",
                       data={"status": "sent", "format": "xlsx", "csrf_token": token})
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.values)
    assert rows[0][0] == "合同编号" and len(rows) == 4
    assert sorted(r[0] for r in rows[1:]) == sorted(c.contract_no for c in listed["made"][:3])
    assert all(r[9] == "待劳动者签署" for r in rows[1:])
    text = csv_text = client.post("/employer/contracts/export", data={
        "id_number": ID_A, "format": "csv", "csrf_token": token}).data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(csv_text)))
    assert len(table) == 2 and table[1][0] == listed["own"].contract_no
    assert ID_A not in text and ID_A[:4] + "**********" + ID_A[-4:] in text and "13800138000" not in text


def test_a_formula_typed_as_a_name_is_exported_as_text(client, world):
    in_force(client, world, date(2028, 1, 1), status="draft", worker_name="=HYPERLINK(1)")
    login(client, "hr")
    token = csrf_token(client.get("/employer/contracts").get_data(as_text=True))
    data = client.post("/employer/contracts/export",
                       data={"format": "csv", "csrf_token": token}).data.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in data
