"""Any contract can put its worker on a project: the employer names a project it takes part in
(form, API, a whole batch), the worker joins the project's roster and wage reconciliation;
another employer's project is refused by name; a construction simple contract naming its
project by name is linked to it."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from app.extensions import db
from app.models import Batch, Contract
from app.services.batches import batches
from app.services.platform import jobs
from tests.app.project_helpers import PROJECT, make_project, principal
from tests.app.roster_helpers import FIXED_TERM_HEADER, person, row, xlsx
from tests.app.test_wage_reconciliation import PAY_HEADER, PEOPLE, _csv, _import, _pay
from tests.conftest import bearer, contract_payload, csrf_token, login


def _filed(contract_id: int) -> Contract:
    contract = db.session.get(Contract, contract_id)
    contract.status = "filed"  # signing is tested elsewhere
    db.session.commit()
    return contract


def _projects(html: str) -> set[str]:
    """The options of the page's project choice."""
    import re

    found = re.search(r'<select name="project_id".*?</select>', html, re.S)
    return set(re.findall(r'<option value="(\d+)"', found.group(0))) if found else set()


def _form(client, template: str | None = None) -> str:
    url = "/employer/contracts/new" + (f"?template={template}" if template else "")
    return client.get(url).get_data(as_text=True)


def test_a_fixed_term_worker_joins_the_project_through_the_form(client, world):
    project = make_project()
    theirs = make_project("hr2", name="别家的项目")
    login(client, "hr")
    page = _form(client)
    assert _projects(page) == {str(project.id)}  # not the other employer's
    body = contract_payload(**{k: v for k, v in zip(
        ("worker_name", "worker_id_number"), PEOPLE[1], strict=True)}, worker_phone="13900000001",
        term_start="2026-09-01", term_end="2029-08-31", probation_months="0",
        probation_wage="", csrf_token=csrf_token(page))
    for bad, field in ((str(theirs.id), "请选择本单位参与的工程项目"),
                       ("abc", "请选择本单位参与的工程项目"), ("１", "请选择本单位参与的工程项目"),
                       ("99999", "请选择本单位参与的工程项目")):
        resp = client.post("/employer/contracts/new", data={**body, "project_id": bad,
                                                            "project_team": "钢筋班"})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422 and field in html, bad
        assert 'id="err-project_id"' in html and 'value="钢筋班"' in html  # what was typed
    for team, text in (("班" * 101, "不能超过100个字"), ("钢筋班", "请先选择工程项目")):
        resp = client.post("/employer/contracts/new", data={**body, "project_id": "",
                                                            "project_team": team})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422 and 'id="err-project_team"' in html and text in html
    assert db.session.scalar(select(func.count()).select_from(Contract)) == 0
    resp = client.post("/employer/contracts/new", data={
        **body, "project_id": str(project.id), "project_team": "钢筋班",
        "ack": "LCL82.written_within_month"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    contract = db.session.scalar(select(Contract))
    assert (contract.project_id, contract.project_team) == (project.id, "钢筋班")
    edit = client.get(f"/employer/contracts/{contract.id}/edit").get_data(as_text=True)
    assert f'<option value="{project.id}" selected' in edit  # the draft keeps its project
    _filed(contract.id)
    detail = client.get(f"/employer/contracts/{contract.id}").get_data(as_text=True)
    assert "星沙安置房一期 · 钢筋班" in detail
    listed = client.get("/employer/contracts?project=安置房").get_data(as_text=True)
    assert contract.contract_no in listed  # a fixed-term contract found by its project
    assert contract.contract_no not in client.get(
        "/employer/contracts?project=别家").get_data(as_text=True)
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert PEOPLE[1][0] in html and "钢筋班" in html  # on the real-name roster
    # the wage reconciliation counts the fixed-term contract's monthly wage
    days = _csv(["身份证号码", "出勤日期", "工时"],
                [[PEOPLE[1][1], f"2026-10-{d:02d}", "8"] for d in range(1, 21)])
    assert _import(client, project.id, "attendance", days).status_code == 302
    _import(client, project.id, "payroll", _csv(PAY_HEADER, [_pay(1, "6000", "2026-11-15")]))
    wages = client.get(f"/projects/{project.id}/wages").get_data(as_text=True)
    assert 'data-flags=""' in wages and "6000" in wages  # no "attendance without contract"
    # on the other employer's project the same person is not on a contract
    assert PEOPLE[1][0] not in client.application.test_client().get(
        f"/projects/{theirs.id}").get_data(as_text=True)


def test_the_api_names_the_project_and_lists_the_employers_projects(client, world):
    project = make_project()
    theirs = make_project("hr2", name="别家的项目")
    key, other = bearer(world["api_key"]), bearer(world["api_key_other"])
    listed = client.get("/api/v1/projects", headers=key).get_json()["projects"]
    assert [(p["id"], p["role"], p["accepted"]) for p in listed] == [
        (project.id, "contractor", True)]
    body = contract_payload(**person(1))
    for bad in (theirs.id, str(project.id), True, 0):
        resp = client.post("/api/v1/contracts", json={**body, "project_id": bad}, headers=key)
        assert resp.status_code == 422 and "project_id" in resp.get_json()["fields"], bad
    resp = client.post("/api/v1/contracts", json={**body, "project_id": project.id,
                                                  "project_team": "木工班"}, headers=key)
    assert resp.status_code == 201, resp.get_json()
    assert (resp.get_json()["project_id"], resp.get_json()["project_team"]) == (
        project.id, "木工班")
    # a construction simple contract: the project's name fills an empty project_name, and
    # a different name is refused (the text would name one project and the record another)
    simple = {**contract_payload(**person(2)), "template": "construction_simple",
              "wage_form": "daily", "wage_amount": "300", "wage_account": "专户", "team": "",
              "project_id": project.id, "project_team": "钢筋班"}
    for name in ("monthly_wage", "term_end", "probation_months", "probation_wage"):
        simple.pop(name)
    resp = client.post("/api/v1/contracts", json={**simple, "project_name": "别的工地"},
                       headers=key)
    assert resp.status_code == 422 and PROJECT["name"] in resp.get_json()["fields"][
        "project_name"]
    resp = client.post("/api/v1/contracts", json={**simple, "team": "木工班"}, headers=key)
    assert resp.status_code == 422 and "木工班" in resp.get_json()["fields"]["project_team"]
    resp = client.post("/api/v1/contracts", json={**simple, "project_id": None,
                                                  "project_team": None, "team": "钢筋班",
                                                  "project_name": "别家的项目"}, headers=key)
    assert resp.status_code == 201 and resp.get_json()["project_id"] is None  # not ours
    db.session.rollback()
    resp = client.post("/api/v1/contracts", json=simple, headers=key)
    out = resp.get_json()
    assert resp.status_code == 201 and out["terms"]["project_name"] == PROJECT["name"], out
    assert out["terms"]["team"] == "钢筋班" and out["project_id"] == project.id
    # named by name only (no project_id): linked to the employer's project of that name
    simple.pop("project_id"), simple.pop("project_team")
    simple.update(person(3), project_name=PROJECT["name"] + " ", team="混凝土班")
    out = client.post("/api/v1/contracts", json=simple, headers=key).get_json()
    assert (out["project_id"], out["project_team"]) == (project.id, "混凝土班")
    twin = make_project(permit_no="430121202609010102")  # a second project of the same name
    resp = client.post("/api/v1/contracts", json={**simple, **person(5)}, headers=key)
    assert resp.status_code == 422 and "多个" in resp.get_json()["fields"]["project_name"]
    resp = client.post("/api/v1/contracts", json={**simple, **person(5), "project_id": twin.id},
                       headers=key)
    assert resp.status_code == 201 and resp.get_json()["project_id"] == twin.id
    # the other employer: invited, it sees the project (not yet accepted) and may name it
    assert client.get("/api/v1/projects", headers=other).get_json()["projects"][0]["id"] == \
        theirs.id
    login(client, "hr")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    client.post(f"/projects/{project.id}/subcontractors",
                data={"csrf_token": csrf_token(page), "uscc": world["other"].uscc})
    listed = client.get("/api/v1/projects", headers=other).get_json()["projects"]
    assert {(p["name"], p["role"], p["accepted"]) for p in listed} == {
        ("别家的项目", "contractor", True), (PROJECT["name"], "subcontractor", False)}
    resp = client.post("/api/v1/contracts", json={**contract_payload(**person(4)),
                                                  "project_id": project.id}, headers=other)
    assert resp.status_code == 201 and resp.get_json()["project_id"] == project.id
    # only invited: a construction contract naming the project by name is not linked to it
    by_name = {**simple, **person(6), "project_name": PROJECT["name"]}
    resp = client.post("/api/v1/contracts", json=by_name, headers=other)
    assert resp.status_code == 201 and resp.get_json()["project_id"] is None


def test_a_batch_puts_every_worker_on_the_project(client, world):
    project = make_project()
    theirs = make_project("hr2", name="别家的项目")
    key = bearer(world["api_key"])
    rows = [contract_payload(**person(i)) for i in range(3)]
    resp = client.post("/api/v1/batches", json={"rows": rows, "project_id": theirs.id},
                       headers=key)
    assert resp.status_code == 422 and "project_id" in resp.get_json()["fields"]
    bad = [*rows[:2], {**rows[2], "project_id": theirs.id}]  # a row naming another's project
    resp = client.post("/api/v1/batches", json={"rows": bad}, headers=key)
    body = resp.get_json()
    assert resp.status_code == 422 and {(p["row"], p["field"]) for p in body["problems"]} == {
        (3, "project_id")}
    long = [*rows[:2], {**rows[2], "project_team": "班" * 101}]  # checked as at launch
    resp = client.post("/api/v1/batches", json={"rows": long, "project_id": project.id},
                       headers=key)
    assert resp.status_code == 422 and {(p["row"], p["field"]) for p in resp.get_json()[
        "problems"]} == {(3, "project_team")}
    assert db.session.scalar(select(func.count()).select_from(Batch)) == 0
    db.session.rollback()
    resp = client.post("/api/v1/batches", json={"rows": rows, "project_id": project.id,
                                                "project_team": "钢筋班"}, headers=key)
    batch = resp.get_json()
    assert resp.status_code == 201, batch
    url = f"/api/v1/batches/{batch['id']}"
    assert client.post(url + "/launch", json={}, headers=key).status_code == 202
    for _ in range(20):
        if client.get(url, headers=key).get_json()["status"] == "done":
            break
    made = db.session.scalars(select(Contract).where(Contract.document_kind == "contract")).all()
    assert len(made) == 3 and {(c.project_id, c.project_team) for c in made} == {
        (project.id, "钢筋班")}
    # the roster upload form: the project chosen for the whole file
    login(client, "hr")
    page = client.get("/employer/batches").get_data(as_text=True)
    assert _projects(page) == {str(project.id)}
    data = xlsx([[*row(10), "模板班"], [*row(11), None]], header=[*FIXED_TERM_HEADER, "班组"])
    form = {"csrf_token": csrf_token(page), "template": "fixed_term"}
    resp = client.post("/employer/batches", data={
        **form, "project_id": str(theirs.id), "roster": (io.BytesIO(data), "r.xlsx")},
        content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="err-project_id"' in html
    resp = client.post("/employer/batches", data={
        **form, "project_id": str(project.id), "project_team": "木工班",
        "roster": (io.BytesIO(data), "r.xlsx")}, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:1500]
    stored = db.session.scalars(select(Batch).order_by(Batch.id.desc())).first()
    assert (stored.project_id, stored.project_team, stored.total) == (project.id, "木工班", 2)
    batches.launch(principal("hr"), stored.id)
    jobs.run_pending(limit=100)
    teams = dict(db.session.execute(select(Contract.worker_name, Contract.project_team).where(
        Contract.worker_name.in_([person(10)["worker_name"], person(11)["worker_name"]]))).all())
    assert teams == {person(10)["worker_name"]: "模板班",  # the row's own team
                     person(11)["worker_name"]: "木工班"}  # else the batch's
    template = client.get("/employer/batches/template.xlsx?template=fixed_term")
    import openpyxl

    header = [c.value for c in openpyxl.load_workbook(io.BytesIO(template.data))["名册"][1]]
    assert header[-1] == "班组"  # optional: the team on the project
