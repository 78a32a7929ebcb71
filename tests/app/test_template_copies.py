"""Employer copies of a standard template with own clauses: typed-checked, versioned,
walled off from other employers, printed on the contracts made from them."""

from __future__ import annotations

import pytest

from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import Contract, Template, User
from app.services.platform.principal import of_user
from app.services.templates import template_copies
from tests.conftest import bearer, contract_payload


def _hr(username: str):
    return of_user(db.session.query(User).filter_by(username=username).one())


def _standard(kind: str = "fixed_term") -> Template:
    return db.session.query(Template).filter_by(kind=kind, organization_id=None).one()


def test_a_copy_with_own_clauses_prints_them_and_is_walled_off(client, world, tmp_path):
    copy = template_copies.copy_template(_hr("hr"), _standard().id, [
        {"heading": "安全承诺", "text": "乙方在%(work_location)s作业时遵守安全规程。"}])
    assert copy.newest.number == 1 and copy.based_on_id == _standard().id

    listed = client.get("/api/v1/templates", headers=bearer(world["api_key"])).get_json()
    assert copy.id in [t["id"] for t in listed["templates"]]
    others = client.get("/api/v1/templates", headers=bearer(world["api_key_other"])).get_json()
    assert copy.id not in [t["id"] for t in others["templates"]]
    assert len(others["templates"]) == 5
    assert client.get(f"/api/v1/templates/{copy.id}",
                      headers=bearer(world["api_key_other"])).status_code == 404
    resp = client.post("/api/v1/contracts", json=contract_payload(template=copy.id),
                       headers=bearer(world["api_key_other"]))
    assert resp.status_code == 422 and "template" in resp.get_json()["fields"]
    with pytest.raises(NotFound):
        template_copies.set_own_clauses(_hr("hr2"), copy.id, [])

    resp = client.post("/api/v1/contracts", json=contract_payload(template=copy.id),
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 201, resp.get_json()
    first = db.session.get(Contract, resp.get_json()["id"])
    pdf = client.get(f"/api/v1/contracts/{first.id}/pdf", headers=bearer(world["api_key"])).data
    from tests.app.pdftools import pdf_text

    text = pdf_text(pdf, tmp_path)
    assert "安全承诺" in text and "乙方在长沙县星沙产业园三期工地作业时遵守安全规程" in text
    assert "期限自2026年12月1日起至2028年11月30日止" in text  # the standard text stays

    v2 = template_copies.set_own_clauses(_hr("hr"), copy.id, [{"heading": "交通", "text": "甲方提供班车。"}])
    assert v2.number == 2
    db.session.expire_all()
    assert db.session.get(Contract, first.id).template_version_row.number == 1
    detail = client.get(f"/api/v1/templates/{copy.id}", headers=bearer(world["api_key"])).get_json()
    assert [v["number"] for v in detail["versions"]] == [1, 2]
    assert detail["clauses"][-1]["heading"] == "交通"
    assert "安全承诺" not in [c["heading"] for c in detail["clauses"]]


def test_own_clauses_are_checked_and_nothing_written(ctx, world):
    with pytest.raises(ValidationFailed) as err:
        template_copies.copy_template(_hr("hr"), _standard("part_time").id, [
            {"heading": "奖金", "text": "每月奖金%(bonus)s元"}, {"heading": "", "text": ["x"]}])
    fields = err.value.fields
    assert fields["clauses.0.text"] == "条款引用了模板中没有的字段：bonus"
    assert fields["clauses.1.heading"] == "请填写条款标题"
    assert fields["clauses.1.text"] == "条款内容应为文本"
    assert db.session.query(Template).count() == 5


def test_template_detail_lists_typed_fields(client, world):
    tid = _standard("construction_simple").id
    detail = client.get(f"/api/v1/templates/{tid}", headers=bearer(world["api_key"])).get_json()
    fields = {f["name"]: f for f in detail["fields"]}
    assert fields["wage_form"]["type"] == "choice" and fields["wage_form"]["required"]
    assert set(fields["wage_form"]["choices"]) == {"monthly", "daily", "piece_rate"}
    assert fields["wage_account"]["label_en"] == "Dedicated migrant-worker wage account"
    assert detail["standard"] and detail["version"]["number"] == 1


def test_openapi_documents_the_template_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/templates"]
    assert "get" in paths["/api/v1/templates/{template_id}"]


def test_the_employer_reads_a_contract_in_english(client, world):
    from tests.conftest import login

    resp = client.post("/api/v1/contracts", json=contract_payload(), headers=bearer(world["api_key"]))
    cid = resp.get_json()["id"]
    login(client, "hr")
    page = client.get(f"/employer/contracts/{cid}/english").get_data(as_text=True)
    assert "A fixed-term contract from 2026-12-01 to 2028-11-30." in page
    assert "The monthly wage is CNY 6,000.00." in page
    assert "360426199101010071" not in page
    assert "English" in client.get(f"/employer/contracts/{cid}").get_data(as_text=True)
    other = client.application.test_client()
    login(other, "hr2")
    assert other.get(f"/employer/contracts/{cid}/english").status_code == 404


def test_employer_pages_copy_and_edit_own_clauses(client, world):
    from tests.conftest import csrf_token, login

    login(client, "hr")
    std = _standard("part_time").id
    page = client.get(f"/employer/templates/{std}").get_data(as_text=True)
    resp = client.post(f"/employer/templates/{std}", data={
        "csrf_token": csrf_token(page), "heading.0": "考勤", "text.0": "每日%(hours_per_day)s小时打卡。"})
    assert resp.status_code == 302
    copy_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    page = client.get(f"/employer/templates/{copy_id}").get_data(as_text=True)
    assert "每日%(hours_per_day)s小时打卡。" in page
    resp = client.post(f"/employer/templates/{copy_id}", data={
        "csrf_token": csrf_token(page), "heading.0": "考勤", "text.0": "奖金%(bonus)s"})
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert "条款引用了模板中没有的字段：bonus" in body and "奖金%(bonus)s" in body
    assert "（本单位副本）" in client.get("/employer/templates").get_data(as_text=True)
    other = client.application.test_client()
    login(other, "hr2")
    assert other.get(f"/employer/templates/{copy_id}").status_code == 404
    assert "（本单位副本）" not in other.get("/employer/templates").get_data(as_text=True)
