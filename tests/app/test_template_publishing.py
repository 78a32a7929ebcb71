"""Platform admins publish new versions of standard templates; contracts made before keep
theirs (render and verify as signed), new contracts take the newest."""

from __future__ import annotations

from app.extensions import db
from app.models import Contract, Template
from tests.app.pdftools import pdf_text
from tests.app.test_templates_flow import KINDS, PARTIES
from tests.conftest import bearer, csrf_token, login


def _create(client, world, kind="open_ended"):
    resp = client.post("/api/v1/contracts", json={**PARTIES, **KINDS[kind][0], "template": kind},
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 201, resp.get_json()
    return db.session.get(Contract, resp.get_json()["id"])


def test_admin_publishes_a_version_and_old_contracts_keep_theirs(client, world, tmp_path):
    before = _create(client, world)
    template = db.session.query(Template).filter_by(kind="open_ended", organization_id=None).one()
    login(client, "platform")
    page = client.get(f"/admin/templates/{template.id}").get_data(as_text=True)
    resp = client.post(f"/admin/templates/{template.id}", data={
        "csrf_token": csrf_token(page),
        "clause.0": "本合同为无固定期限劳动合同，自%(term_start)s起履行，至法定解除或终止条件出现时止。"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db.session.expire_all()
    assert [v.number for v in template.versions] == [1, 2]
    after = _create(client, world)
    assert after.template_version_row.number == 2 and before.template_version_row.number == 1
    new_text = pdf_text(client.get(f"/api/v1/contracts/{after.id}/pdf",
                                    headers=bearer(world["api_key"])).data, tmp_path)
    old_text = pdf_text(client.get(f"/api/v1/contracts/{before.id}/pdf",
                                    headers=bearer(world["api_key"])).data, tmp_path)
    assert "至法定解除或终止条件出现时止" in new_text
    assert "至法定解除或终止条件出现时止" not in old_text


def test_a_bad_clause_is_named_and_nothing_published(client, world):
    template = db.session.query(Template).filter_by(kind="part_time", organization_id=None).one()
    login(client, "platform")
    page = client.get(f"/admin/templates/{template.id}").get_data(as_text=True)
    resp = client.post(f"/admin/templates/{template.id}", data={
        "csrf_token": csrf_token(page), "clause.0": "自%(start_day)s起", "clause.1": ""})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "条款引用了模板中没有的字段：start_day" in body and "请填写条款内容" in body
    assert "自%(start_day)s起" in body  # what was typed is kept
    db.session.expire_all()
    assert [v.number for v in template.versions] == [1]


def test_only_platform_admins_publish(client, world):
    login(client, "hr")
    assert client.get("/admin/templates").status_code in (302, 403)
