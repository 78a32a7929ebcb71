"""Construction projects: registered by the general contractor with bad fields named and kept,
the wage account encrypted and masked, subcontractors added by USCC see the project but not
the account and cannot manage it, auditors see their region only; the completeness board
and the county view sorted by risk."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Project, ProjectDocument
from app.services.projects import project_archive, project_board
from tests.app.pdftools import tiny_pdf
from tests.app.project_helpers import PROJECT, make_project, principal
from tests.conftest import csrf_token, login

PDF = tiny_pdf()  # archive documents must parse as what their names say


def test_registering_a_project_names_bad_fields_and_keeps_them(client, world):
    login(client, "hr")
    page = client.get("/projects").get_data(as_text=True)
    bad = {**PROJECT, "region_code": "43012", "wage_account": "62220202abc",
           "planned_end": "2026-08-31", "officer_phone": "1370000111"}
    resp = client.post("/projects", data={"csrf_token": csrf_token(page), **bad})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    for field in ("region_code", "wage_account", "officer_phone"):
        assert f'id="err-{field}"' in html, field
    assert 'value="星沙安置房一期"' in html  # what was typed is kept
    assert db.session.scalar(select(Project)) is None
    resp = client.post("/projects", data={"csrf_token": csrf_token(page),
                                          **{**PROJECT, "planned_end": "2026-08-31"}})
    assert resp.status_code == 422 and "计划竣工日期不能早于开工日期" in resp.get_data(as_text=True)
    resp = client.post("/projects", data={"csrf_token": csrf_token(page), **PROJECT})
    assert resp.status_code == 302
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "****1234" in html and PROJECT["wage_account"] not in html
    assert "137****1111" in html and PROJECT["officer_phone"] not in html
    project = db.session.scalar(select(Project))
    assert PROJECT["wage_account"] not in project.wage_account_enc  # encrypted at rest


def test_subcontractors_see_the_project_not_the_account_and_cannot_manage(client, world):
    project = make_project()
    login(client, "hr")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    resp = client.post(f"/projects/{project.id}/subcontractors",
                       data={"csrf_token": csrf_token(page), "uscc": "91430000000000000X"})
    assert resp.status_code == 422 and 'id="err-uscc"' in resp.get_data(as_text=True)
    resp = client.post(f"/projects/{project.id}/subcontractors",
                       data={"csrf_token": csrf_token(page), "uscc": world["other"].uscc})
    assert resp.status_code == 302
    project_archive.upload(principal("hr"), project.id, "construction_contract", None, "c.pdf",
                           PDF)
    doc = db.session.scalar(select(ProjectDocument))
    sub = client.application.test_client()
    login(sub, "hr2")
    html = sub.get(f"/projects/{project.id}").get_data(as_text=True)
    assert project.name in html and world["other"].name in html
    assert 'id="account"' not in html and "****1234" not in html  # not the wage account
    assert sub.get(f"/projects/{project.id}/documents/{doc.id}").status_code == 404
    page = sub.get(f"/projects/{project.id}").get_data(as_text=True)
    resp = sub.post(f"/projects/{project.id}/documents", data={
        "csrf_token": csrf_token(page), "category": "roster", "period": "2026-11"})
    assert resp.status_code == 403
    # an auditor of another region sees nothing of it; the region's auditor sees it
    far = client.application.test_client()
    login(far, "auditor2")
    assert far.get(f"/projects/{project.id}").status_code == 404
    near = client.application.test_client()
    login(near, "auditor")
    assert near.get(f"/projects/{project.id}/documents/{doc.id}").data == PDF


def _uploaded(project, category: str, period: str, day: date) -> None:
    project_archive.upload(principal("hr"), project.id, category, period, "x.pdf", PDF,
                           today=date(2026, 12, 3))
    doc = db.session.scalar(select(ProjectDocument).order_by(ProjectDocument.id.desc()))
    doc.uploaded_at = datetime(day.year, day.month, day.day, 4, tzinfo=UTC)
    db.session.commit()


def test_board_marks_present_late_missing_and_not_yet_due(world):
    project = make_project()
    _uploaded(project, "construction_contract", None, date(2026, 9, 20))  # due 10-01: present
    _uploaded(project, "wage_account", None, date(2026, 10, 9))  # due 10-01: late
    _uploaded(project, "pay_sheet", "2026-09", date(2026, 10, 15))  # due 10-15: present
    _uploaded(project, "pay_sheet", "2026-10", date(2026, 11, 16))  # due 11-15: late
    _uploaded(project, "pay_sheet", "2026-10", date(2026, 11, 20))  # a second version
    board = project_board.board(principal("hr"), project.id, today=date(2026, 12, 3))
    assert board.months == ["2026-09", "2026-10", "2026-11", "2026-12"]
    cells = {category: row for category, _, _, row in board.rows}
    assert cells["construction_contract"] == {"once": "present"}
    assert cells["wage_account"] == {"once": "late"}
    assert cells["notice_board"] == {"once": "missing"}
    assert cells["pay_sheet"] == {"2026-09": "present", "2026-10": "late",
                                  "2026-11": "open", "2026-12": "open"}  # 11 due 12-15
    assert cells["bank_proof"]["2026-09"] == "missing" and cells["bank_proof"]["2026-11"] == "open"
    # on the due day itself it is not missing yet; the day after it is
    assert project_board.board_of(project, date(2026, 12, 15)).rows[6][3]["2026-11"] == "open"
    assert project_board.board_of(project, date(2026, 12, 16)).rows[6][3]["2026-11"] == "missing"
    assert board.grade == "red" and board.late == 2


def test_county_view_sorted_by_risk_within_the_auditors_region(client, world):
    tidy = make_project(name="资料齐全的项目", start_date="2026-11-20")
    for category, (_, kind) in project_archive.CATEGORIES.items():
        project_archive.upload(principal("hr"), tidy.id, category,
                               None if kind == "once" else "2026-11", "x.pdf", PDF)
    messy = make_project(name="资料缺失的项目")
    elsewhere = make_project(username="hr2", name="外区项目", region_code="430102")
    login(client, "auditor")
    html = client.get("/projects/county").get_data(as_text=True)
    assert html.index("资料缺失的项目") < html.index("资料齐全的项目")
    assert "外区项目" not in html and f'data-project="{elsewhere.id}"' not in html
    assert f'data-project="{messy.id}" data-grade="red"' in html
    assert f'data-project="{tidy.id}" data-grade="green"' in html
    employer = client.application.test_client()
    login(employer, "hr")
    assert employer.get("/projects/county").status_code == 403


def test_the_real_name_roster_from_the_contracts_naming_the_project(client, world):
    from app.models import Contract
    from tests.app.test_wage_reconciliation import PEOPLE, _contract

    for n in (1, 2):
        _contract(client, world, n)  # the contractor's own workers, naming the project
    project = make_project()
    login(client, "hr")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    client.post(f"/projects/{project.id}/subcontractors",
                data={"csrf_token": csrf_token(page), "uscc": world["other"].uscc})
    sub_body = {"template": "construction_simple", "worker_name": "分包工人",
                "worker_id_number": PEOPLE[3][1], "worker_phone": "13900005555",
                "worker_address": "湖南", "term_start": "2026-09-01", "post": "木工",
                "work_location": "工地", "project_name": PROJECT["name"], "team": "木工班",
                "hours_system": "standard", "wage_form": "daily", "wage_amount": "320",
                "pay_day": 15, "wage_account": "专户", "social_insurance": "五险",
                "labor_protection": "安全帽"}
    from tests.conftest import bearer

    resp = client.post("/api/v1/contracts", json=sub_body,
                       headers=bearer(world["api_key_other"]))
    assert resp.status_code == 201, resp.get_json()
    theirs = db.session.get(Contract, resp.get_json()["id"])
    theirs.status = "filed"
    left = db.session.scalar(select(Contract).where(Contract.worker_name == PEOPLE[2][0]))
    left.status, left.ended_on = "terminated", date(2026, 11, 20)
    db.session.commit()
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "分包工人" not in html and "（待确认）" in html  # not before the subcontractor accepts
    sub = client.application.test_client()
    login(sub, "hr2")
    page = sub.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'id="accept-form"' in page
    assert sub.post(f"/projects/{project.id}/accept",
                    data={"csrf_token": csrf_token(page)}).status_code == 302
    assert sub.post(f"/projects/{project.id}/accept", data={
        "csrf_token": csrf_token(page)}).status_code == 409  # accepted already
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert client.post(f"/projects/{project.id}/accept", data={
        "csrf_token": csrf_token(page)}).status_code == 409  # the contractor is not invited
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert html.count('data-left="no"') == 2 and html.count('data-left="yes"') == 1
    assert "在岗2人" in html and "2026-11-20" in html and "木工班" in html
    assert world["other"].name in html
    html = sub.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "分包工人" in html and PEOPLE[1][0] not in html  # a subcontractor: its own workers


def test_the_project_form_reports_every_error_at_once(client, world):
    """One answer names every bad field — the dates' order with the others, not in a second
    round — and keeps everything typed."""
    login(client, "hr")
    page = client.get("/projects").get_data(as_text=True)
    bad = {**PROJECT, "name": "", "region_code": "43012", "wage_account": "62220202abc",
           "wage_bank_code": "x", "officer_phone": "1370000111", "contract_amount": "1.234",
           "pay_day": "32", "planned_end": "2026-08-31"}
    resp = client.post("/projects", data={"csrf_token": csrf_token(page), **bad})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    for field in ("name", "region_code", "wage_account", "wage_bank_code", "officer_phone",
                  "contract_amount", "pay_day", "planned_end"):
        assert f'id="err-{field}"' in html, field
    assert "计划竣工日期不能早于开工日期" in html
    for kept in ('value="2026-08-31"', 'value="43012"', 'value="1.234"', 'value="32"'):
        assert kept in html, kept
    assert db.session.scalar(select(Project)) is None
    fixed = {**bad, "name": PROJECT["name"], "region_code": "430121",
             "wage_account": PROJECT["wage_account"], "wage_bank_code": "102",
             "officer_phone": PROJECT["officer_phone"], "contract_amount": "38000000",
             "pay_day": "15"}
    resp = client.post("/projects", data={"csrf_token": csrf_token(page), **fixed})
    html = resp.get_data(as_text=True)  # the one error left is the one already named
    assert resp.status_code == 422 and html.count('class="field-error"') == 1
    assert 'id="err-planned_end"' in html
