"""Stored text is printed in PDFs as text, never read as ReportLab markup: a worker address
holding ``<img src=...>`` embeds no server file and one holding ``<br>`` breaks nothing in
the staff register; an employer's own clause heading ``附加<b>条款`` creates, sends and
prints literally (the source rule: tests/test_paragraph_markup.py)."""

from __future__ import annotations

from datetime import date

import pytest
from PIL import Image

from app.extensions import db
from app.models import Template, User
from app.services.platform.principal import of_user
from app.services.templates import template_copies
from signing import markup
from tests.app.flows import api_send, in_force
from tests.app.pdftools import pdf_text
from tests.conftest import bearer, contract_payload, login


def test_register_prints_addresses_with_tags_literally(client, world, tmp_path):
    secret = tmp_path / "s.png"  # a file on the server an <img> tag could pull in
    Image.new("RGB", (30, 30), (200, 0, 0)).save(secret, "PNG")
    img = f'<img src="{secret}" width="30" height="30"/>'
    in_force(client, world, date(2027, 12, 31), start=date(2026, 1, 1), worker_name="王五",
             worker_address=f"长沙{img}县")
    in_force(client, world, date(2027, 12, 31), start=date(2026, 1, 1), worker_name="赵六",
             worker_address="星沙街道<br>3号 & <b>栋</b>")
    login(client, "hr")
    resp = client.get("/employer/register?as_of=2026-06-30&format=pdf")
    assert resp.status_code == 200, resp.status_code
    assert b"/Subtype /Image" not in resp.data  # nothing embedded
    text = pdf_text(resp.data, tmp_path)
    assert "长沙" + "".join(img.split()) + "县" in text
    assert "星沙街道<br>3号&<b>栋</b>" in text


def _hr():
    return of_user(db.session.query(User).filter_by(username="hr").one())


def test_an_own_clause_heading_with_a_tag_creates_sends_and_prints(client, world, tmp_path):
    standard = db.session.query(Template).filter_by(kind="fixed_term",
                                                    organization_id=None).one()
    copy = template_copies.copy_template(_hr(), standard.id, [
        {"heading": "附加<b>条款", "text": "乙方遵守<安全>规程&工地守则。"}])
    resp = client.post("/api/v1/contracts", json=contract_payload(template=copy.id),
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 201, resp.get_json()
    contract_id = resp.get_json()["id"]
    api_send(client, world["api_key"], contract_id)
    pdf = client.get(f"/api/v1/contracts/{contract_id}/pdf", headers=bearer(world["api_key"]))
    assert pdf.status_code == 200
    text = pdf_text(pdf.data, tmp_path)
    assert "附加<b>条款" in text and "乙方遵守<安全>规程&工地守则。" in text


def test_markup_helper_refuses_what_is_not_text():
    assert markup.text("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert markup.lines("一\n二<br>") == "一<br/>二&lt;br&gt;"
    with pytest.raises(TypeError):
        markup.text(12)  # type: ignore[arg-type]
