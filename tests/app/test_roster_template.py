"""The roster template suggests only what the upload page lets the employer complete: a row
filled in like its example passes the check for every kind of contract — no team (班组)
without a project to choose, pay never under the region's minimum wage — and a refused row
names its column by letter and header."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Batch, MinimumWage
from tests.app.project_helpers import make_project
from tests.app.roster_helpers import FIXED_TERM_HEADER, row, xlsx
from tests.app.test_batches import problems
from tests.conftest import csrf_token, login

KINDS = ["fixed_term", "open_ended", "project_based", "part_time", "construction_simple"]


def _template(client, kind: str) -> openpyxl.Workbook:
    resp = client.get(f"/employer/batches/template.xlsx?template={kind}")
    assert resp.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(resp.data))


def _as_worker(book: openpyxl.Workbook) -> bytes:
    """The template with its example row turned into a worker's row, as HR fills it in."""
    sheet = book["名册"]
    sheet.cell(2, 1).value = sheet.cell(2, 1).value.removeprefix("示例：")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, data: bytes, kind: str, project_id: object = ""):
    page = client.get("/employer/batches").get_data(as_text=True)
    return client.post("/employer/batches", data={
        "csrf_token": csrf_token(page), "template": kind, "project_id": str(project_id),
        "roster": (io.BytesIO(data), "roster.xlsx")}, content_type="multipart/form-data")


@pytest.mark.parametrize("kind", KINDS)
def test_a_row_filled_like_the_example_passes_without_a_project(client, world, kind):
    login(client, "hr")
    book = _template(client, kind)
    header = [c.value for c in book["名册"][1]]
    if kind != "construction_simple":  # the page offers no project: no team to fill in
        assert "班组" not in header
        assert "班组" not in {r[0] for r in book["填写说明"].iter_rows(values_only=True)}
    resp = _upload(client, _as_worker(book), kind)
    assert resp.status_code == 302, problems(resp.get_data(as_text=True))
    assert db.session.scalar(select(Batch)).total == 1


def test_the_team_column_comes_with_a_project_to_choose(client, world):
    project = make_project()
    login(client, "hr")
    book = _template(client, "fixed_term")
    header = [c.value for c in book["名册"][1]]
    assert header[-1] == "班组" and book["名册"].cell(2, len(header)).value == "钢筋班"
    notes = {r[0]: r[3] for r in book["填写说明"].iter_rows(values_only=True)}
    assert notes["班组"] == "填写班组时，请在上传页选择工程项目"
    resp = _upload(client, _as_worker(book), "fixed_term", project.id)
    assert resp.status_code == 302, problems(resp.get_data(as_text=True))
    batch = db.session.scalar(select(Batch))
    assert batch.project_id == project.id and batch.total == 1


def test_the_construction_example_names_the_employers_project(client, world):
    project = make_project(name="滨江花园二期")
    login(client, "hr")
    book = _template(client, "construction_simple")
    header = [c.value for c in book["名册"][1]]
    example = dict(zip(header, [c.value for c in book["名册"][2]], strict=True))
    assert example["*工程项目名称"] == "滨江花园二期"
    assert example["*工资形式"] == "按日计发" and Decimal(example["*工资标准"]) >= 300
    resp = _upload(client, _as_worker(book), "construction_simple", project.id)
    assert resp.status_code == 302, problems(resp.get_data(as_text=True))


def test_the_example_pay_is_never_under_the_regions_minimum_wage(client, world):
    """A county whose minimum (¥7,000 a month, ¥40 an hour) is above the usual figures."""
    db.session.add(MinimumWage(region_prefix="430121", effective_from=date(2026, 12, 1),
                               monthly=Decimal("7000.00"), hourly=Decimal("40.00"),
                               note="test"))
    db.session.commit()
    login(client, "hr")
    for kind, field, floor in (("fixed_term", "*月工资", 7000), ("fixed_term", "试用期工资", 7000),
                               ("part_time", "*小时工资", 40),
                               ("construction_simple", "*工资标准", 7000 / 21.75)):
        book = _template(client, kind)
        header = [c.value for c in book["名册"][1]]
        example = dict(zip(header, [c.value for c in book["名册"][2]], strict=True))
        assert Decimal(example[field]) >= Decimal(str(floor)), (kind, field, example[field])
        resp = _upload(client, _as_worker(book), kind)
        assert resp.status_code == 302, (kind, problems(resp.get_data(as_text=True)))
        db.session.rollback()


def test_a_refused_row_names_its_column_by_letter_and_header(client, world):
    login(client, "hr")
    data = xlsx([row(1) + ["钢筋班"]], header=[*FIXED_TERM_HEADER, "班组"])
    resp = _upload(client, data, "fixed_term")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "N列（班组）" in problems(html)[2] and "请先选择工程项目，再填写班组" in html
    data = xlsx([row(2, monthly_wage=1000)])
    html = _upload(client, data, "fixed_term").get_data(as_text=True)
    assert "L列（月工资）" in problems(html)[2]
    client.set_cookie("lang", "en")
    html = _upload(client, data, "fixed_term").get_data(as_text=True)
    assert "column L (月工资)" in problems(html)[2]


def test_the_api_keeps_the_column_letter_and_adds_the_header(world):
    from app.models import User
    from app.services.batches import batch_check
    from app.services.platform.principal import of_user

    hr = of_user(db.session.scalar(select(User).where(User.username == "hr")))
    with pytest.raises(batch_check.RosterInvalid) as refused:
        batch_check.from_file(hr, "fixed_term", "r.xlsx", xlsx([row(1, monthly_wage=1000)]))
    found = refused.value.to_dict()["problems"]
    assert {"column": "L", "header": "月工资"}.items() <= found[0].items()
