"""The pages that list a template's clauses say when an alternative clause is printed (the
construction contract's two term clauses and two pay clauses), in Chinese and English; the
bulk-action result lists contract numbers as the page's language lists things."""

from __future__ import annotations

import html as html_lib
import re

from app.extensions import db
from app.models import Contract, Template
from tests.app.flows import api_create
from tests.app.roster_helpers import person
from tests.conftest import csrf_token, login

TERM_FILLED, TERM_EMPTY = "（填写了合同终止日期时）", "（未填写合同终止日期时）"
PIECE = "（工资形式为按工程量（计件）计发且填写了正常工作时间月产量（计件数量）时）"
NOT_PIECE = "（未填写正常工作时间月产量（计件数量）或工资形式不是按工程量（计件）计发时）"


def _construction() -> Template:
    return db.session.query(Template).filter_by(kind="construction_simple",
                                                organization_id=None).one()


def _text(page: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page)))


def test_the_admin_page_says_when_each_term_and_pay_clause_is_printed(client, world):
    template_id = _construction().id
    login(client, "platform")
    text = _text(client.get(f"/admin/templates/{template_id}").get_data(as_text=True))
    assert f"1. 合同期限 {TERM_FILLED}" in text and f"2. 合同期限 {TERM_EMPTY}" in text
    assert f"5. 劳动报酬 {PIECE}" in text and f"6. 劳动报酬 {NOT_PIECE}" in text
    assert "3. 工作内容 乙方在" in text  # a clause always printed has no condition
    english = _text(client.get(f"/admin/templates/{template_id}?lang=en").get_data(as_text=True))
    assert "合同期限 (printed when “End date” is filled in)" in english
    assert "合同期限 (printed when “End date” is left empty)" in english


def test_the_admin_can_publish_the_pay_clause_that_names_the_usual_output(client, world):
    template = _construction()
    login(client, "platform")
    page = client.get(f"/admin/templates/{template.id}").get_data(as_text=True)
    texts = {f"clause.{i}": "\n\n".join(c["paragraphs"])
             for i, c in enumerate(template.newest.clauses)}
    resp = client.post(f"/admin/templates/{template.id}",
                       data={"csrf_token": csrf_token(page), **texts})
    assert resp.status_code == 302, _text(resp.get_data(as_text=True))
    db.session.expire_all()
    assert [v.number for v in _construction().versions] == [1, 2]


def test_the_employers_template_page_says_when_each_clause_is_printed(client, world):
    login(client, "hr")
    text = _text(client.get(f"/employer/templates/{_construction().id}").get_data(as_text=True))
    assert f"合同期限 {TERM_FILLED}" in text and f"合同期限 {TERM_EMPTY}" in text
    assert f"劳动报酬 {PIECE}" in text and f"劳动报酬 {NOT_PIECE}" in text


def _bulk_send(client, ids: list[int]) -> str:
    page = client.get("/employer/contracts").get_data(as_text=True)
    client.post("/employer/contracts/bulk", data={
        "csrf_token": csrf_token(page), "action": "send", "ids": [str(i) for i in ids]})
    return html_lib.unescape(client.get("/employer/contracts").get_data(as_text=True))


def test_bulk_results_list_numbers_with_commas_in_english(client, world, outbox):
    """CLDR's English list (Babel): commas, and "and" before the last."""
    ids = [api_create(client, world["api_key"], **person(i))["id"] for i in range(4)]
    numbers = [db.session.get(Contract, i).contract_no for i in ids]
    login(client, "hr")
    client.get("/employer/contracts?lang=en")
    page = _bulk_send(client, ids[:3])
    done = page.split("3 contracts done: ", 1)[1].split("<", 1)[0]
    assert done == f"{numbers[0]}, {numbers[1]}, and {numbers[2]}"
    client.get("/employer/contracts?lang=zh_CN")
    page = _bulk_send(client, ids[3:])
    assert f"已处理1份合同：{numbers[3]}<" in page
    refused = _bulk_send(client, [])
    assert "批量操作有误，请检查标出的项目：请至少勾选一份合同" in refused


def test_bulk_results_in_chinese_use_the_chinese_list_marks(client, world, outbox):
    ids = [api_create(client, world["api_key"], **person(i))["id"] for i in range(3)]
    numbers = [db.session.get(Contract, i).contract_no for i in ids]
    login(client, "hr")
    page = _bulk_send(client, ids)
    assert f"已处理3份合同：{numbers[0]}、{numbers[1]}和{numbers[2]}" in page
    client.get("/employer/contracts?lang=en")
    refused = _bulk_send(client, [])
    assert "The bulk action has problems; check the marked items: Tick at least one contract" \
        in refused
