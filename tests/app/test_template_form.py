"""The employer's new-contract form for any template (fields from its spec) and the live
preview (clause text fragment, draft PDF): typed values shown, nothing stored, another
employer's template copy hidden."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Contract, ContractDocument, Template, User, Worker
from app.services.platform.principal import of_user
from app.services.templates import template_copies
from tests.app.pdftools import pdf_text
from tests.conftest import WORKER, csrf_token, login

PART_TIME = {"worker_name": WORKER["name"], "worker_id_number": WORKER["id_number"],
             "worker_phone": WORKER["phone"], "worker_address": "江西省德安县",
             "term_start": "2026-12-01", "post": "保洁员", "work_location": "长沙县星沙街道",
             "hourly_wage": "25", "hours_per_day": "4", "hours_per_week": "20",
             "pay_cycle_days": "15"}


def _template(kind: str) -> Template:
    return db.session.query(Template).filter_by(kind=kind, organization_id=None).one()


def _counts() -> tuple:
    return tuple(db.session.scalar(select(func.count(m.id))) for m in (
        Contract, Worker, ContractDocument, AuditEvent))


def _page(client, template_id: int) -> str:
    resp = client.get(f"/employer/contracts/new?template={template_id}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _post(client, url: str, template_id: int, data: dict, **kw):
    token = csrf_token(_page(client, template_id))
    return client.post(url, data={**data, "template": str(template_id), "csrf_token": token},
                       **kw)




def test_the_form_lists_the_templates_and_shows_the_part_time_fields(client, world):
    login(client, "hr")
    html = client.get("/employer/contracts/new").get_data(as_text=True)
    for kind in ("fixed_term", "open_ended", "project_based", "part_time",
                 "construction_simple"):
        assert f'value="{_template(kind).id}"' in html
    html = _page(client, _template("part_time").id)
    for name in ("hourly_wage", "hours_per_day", "hours_per_week", "pay_cycle_days"):
        assert re.search(rf'<input type="(text|number)"[^>]*name="{name}"[^>]*required', html)
    assert "小时工资" in html and 'class="required"' in html
    assert 'name="monthly_wage"' not in html and 'name="term_end"' not in html
    assert 'src="/static/preview.js"' in html and "<script>" not in html
    construction = _page(client, _template("construction_simple").id)
    assert '<select name="wage_form"' in construction
    fixed = _page(client, _template("fixed_term").id)
    assert re.search(r'type="checkbox" name="confidential_role"', fixed)


def test_a_part_time_contract_from_the_form(client, world):
    login(client, "hr")
    part_time = _template("part_time").id
    resp = _post(client, f"/employer/contracts/new?template={part_time}", part_time, PART_TIME)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    contract = db.session.scalars(select(Contract)).one()
    assert contract.template == "part_time"
    assert contract.terms["hourly_wage"] == "25.00" or contract.terms["hourly_wage"] == "25"
    assert contract.terms["hours_per_day"] == 4


def test_bad_input_keeps_what_was_typed_and_names_the_field(client, world):
    login(client, "hr")
    part_time = _template("part_time").id
    resp = _post(client, f"/employer/contracts/new?template={part_time}", part_time,
                 {**PART_TIME, "hourly_wage": "很多", "hours_per_day": "5"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'value="很多"' in html and 'value="保洁员"' in html and 'value="5"' in html
    assert 'id="err-hourly_wage"' in html and 'id="err-hours_per_day"' in html
    assert html.count("autofocus") == 1
    assert re.search(r'name="hourly_wage"[^>]*autofocus', html)
    assert _counts()[:2] == (0, 0)


def test_the_preview_holds_the_typed_post_and_wage_and_writes_nothing(client, world):
    login(client, "hr")
    part_time = _template("part_time").id
    before = _counts()
    resp = _post(client, "/employer/contracts/preview", part_time,
                 {**PART_TIME, "post": "收银员", "hourly_wage": "27.5"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "收银员岗位工作" in html and "27.50" in html
    assert "<html" not in html
    partial = _post(client, "/employer/contracts/preview", part_time,
                    {"post": "收银员", "hours_per_day": "x"})
    assert partial.status_code == 200 and "收银员" in partial.get_data(as_text=True)
    assert _counts() == before


def test_the_pdf_preview_is_a_pdf_with_the_typed_values(client, world, tmp_path):
    login(client, "hr")
    part_time = _template("part_time").id
    before = _counts()
    resp = _post(client, "/employer/contracts/preview.pdf", part_time,
                 {**PART_TIME, "post": "收银员"})
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF")
    text = pdf_text(resp.data, tmp_path)
    assert "收银员" in text and "非全日制" in text and WORKER["name"] in text
    bad = _post(client, "/employer/contracts/preview.pdf", part_time,
                {**PART_TIME, "hourly_wage": ""}, headers={"Accept": "application/json"})
    assert bad.status_code == 422 and "hourly_wage" in bad.get_json()["fields"]
    page = _post(client, "/employer/contracts/preview.pdf", part_time,
                 {**PART_TIME, "hourly_wage": ""})
    assert page.status_code == 422 and "小时工资" in page.get_data(as_text=True)
    assert _counts() == before


def test_another_employers_template_copy_is_hidden(client, world):
    hr = of_user(db.session.query(User).filter_by(username="hr").one())
    copy = template_copies.copy_template(hr, _template("part_time").id, [])
    login(client, "hr2")
    assert client.get(f"/employer/contracts/new?template={copy.id}").status_code == 404
    html = client.get("/employer/contracts/new").get_data(as_text=True)
    assert f'value="{copy.id}"' not in html
    token = csrf_token(html)
    for url in ("/employer/contracts/preview", "/employer/contracts/preview.pdf"):
        resp = client.post(url, data={**PART_TIME, "template": str(copy.id),
                                      "csrf_token": token})
        assert resp.status_code == 404, url
    assert client.get("/employer/contracts/new?template=abc").status_code == 404


def test_an_own_copy_is_offered_and_makes_contracts(client, world):
    hr = of_user(db.session.query(User).filter_by(username="hr").one())
    copy = template_copies.copy_template(hr, _template("part_time").id, [
        {"heading": "卫生承诺", "text": "乙方在%(work_location)s保持整洁。"}])
    login(client, "hr")
    assert f'value="{copy.id}"' in client.get("/employer/contracts/new").get_data(as_text=True)
    preview = _post(client, "/employer/contracts/preview", copy.id, PART_TIME)
    assert "乙方在长沙县星沙街道保持整洁" in preview.get_data(as_text=True)
    resp = _post(client, f"/employer/contracts/new?template={copy.id}", copy.id, PART_TIME)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    contract = db.session.scalars(select(Contract)).one()
    assert contract.template_version_row.template_id == copy.id


def test_an_expired_form_keeps_the_template_and_what_was_typed(client, world):
    login(client, "hr")
    part_time = _template("part_time").id
    resp = client.post(f"/employer/contracts/new?template={part_time}",
                       data={**PART_TIME, "post": "收银员"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "页面已过期" in html
    assert 'value="收银员"' in html and 'name="hourly_wage"' in html
    assert _counts()[0] == 0


def test_the_fixed_term_form_has_the_preview_too(client, world, tmp_path):
    from tests.conftest import contract_payload

    login(client, "hr")
    html = client.get("/employer/contracts/new").get_data(as_text=True)
    assert 'data-preview="/employer/contracts/preview"' in html and "预览 PDF" in html
    token = csrf_token(html)
    before = _counts()
    frag = client.post("/employer/contracts/preview",
                       data={**contract_payload(post="架子工"), "csrf_token": token})
    assert frag.status_code == 200 and "架子工" in frag.get_data(as_text=True)
    pdf = client.post("/employer/contracts/preview.pdf",
                      data={**contract_payload(post="架子工"), "csrf_token": token})
    assert pdf.status_code == 200 and "架子工" in pdf_text(pdf.data, tmp_path)
    assert _counts() == before


def test_the_fixed_term_preview_says_what_the_pdf_will_say(client, world, tmp_path):
    """Typed in full, the preview is the PDF's own words (its probation clause included);
    with a field left out, the template's text with the blank and the field named."""
    from tests.conftest import contract_payload

    login(client, "hr")
    token = csrf_token(client.get("/employer/contracts/new").get_data(as_text=True))
    full = client.post("/employer/contracts/preview",
                       data={**contract_payload(), "csrf_token": token}).get_data(as_text=True)
    probation = "试用期为2个月，自2026年12月1日起计算，包含在本合同期限内。"
    assert probation in full and "preview-errors" not in full
    pdf = client.post("/employer/contracts/preview.pdf",
                      data={**contract_payload(), "csrf_token": token})
    assert probation in re.sub(r"\s+", "", pdf_text(pdf.data, tmp_path))
    heads = re.findall(r"<h4>\d+\. (.+?)</h4>", full)
    assert heads[:3] == ["合同期限", "试用期", "工作内容和工作地点"], heads
    partial = client.post("/employer/contracts/preview", data={
        **contract_payload(monthly_wage=""), "csrf_token": token}).get_data(as_text=True)
    assert "data-field=\"monthly_wage\"" in partial and probation not in partial
    assert "钢筋工岗位工作" in partial
