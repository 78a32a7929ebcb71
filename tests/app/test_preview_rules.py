"""The live preview shows what labor law says while HR types — the rule engine's errors
(minimum wage, probation pay, the term's order…) and warnings, each on its field — not only
after submitting; nothing is stored. Through the preview endpoint and in Chromium."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Contract, ContractDocument, Template, Worker
from tests.app.test_phone_browser import chromium, live_server  # noqa: F401  (fixtures)
from tests.app.test_templates_flow import KINDS, PARTIES
from tests.conftest import contract_payload, csrf_token, login

CONSTRUCTION = {**PARTIES, **KINDS["construction_simple"][0]}


def _counts() -> tuple:
    return tuple(db.session.scalar(select(func.count(m.id))) for m in (
        Contract, Worker, ContractDocument, AuditEvent))


def _template(kind: str) -> int:
    return db.session.query(Template).filter_by(kind=kind, organization_id=None).one().id


def _preview(client, data: dict, template: int | None = None) -> str:
    url = f"/employer/contracts/new?template={template}" if template else "/employer/contracts/new"
    token = csrf_token(client.get(url).get_data(as_text=True))
    body = {**data, "csrf_token": token, **({"template": str(template)} if template else {})}
    resp = client.post("/employer/contracts/preview", data=body)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _rules(html: str) -> dict[str, tuple[str, str]]:
    """rule id -> (field, severity) of the findings the fragment lists."""
    return {rule: (field, severity) for rule, field, severity in re.findall(
        r'data-rule="([^"]+)" data-field="([^"]*)" data-severity="([^"]+)"', html)}


@pytest.mark.parametrize("wage, found", [("2199.99", True), ("2200", False)])
def test_the_fixed_term_preview_shows_the_minimum_wage_both_sides(client, world, wage, found):
    login(client, "hr")
    before = _counts()
    html = _preview(client, contract_payload(monthly_wage=wage, probation_months="0",
                                             probation_wage=""))
    rules = _rules(html)
    assert ("LL48.minimum_wage_monthly" in rules) is found
    if found:
        assert rules["LL48.minimum_wage_monthly"] == ("monthly_wage", "error")
        assert "月工资不得低于当地最低工资标准（2200.00元）" in html
        assert "劳动法第四十八条" in html  # the article with it
    assert _counts() == before


@pytest.mark.parametrize("pay, found", [("4799.99", True), ("4800", False)])
def test_the_preview_shows_probation_pay_under_80_percent(client, world, pay, found):
    login(client, "hr")
    html = _preview(client, contract_payload(probation_wage=pay))
    assert ("LCL20.probation_pay_ratio" in _rules(html)) is found
    if found:
        assert "试用期工资不得低于约定工资的80%（4800.00元）" in html


@pytest.mark.parametrize("fields, rule, field", [
    ({"wage_amount": "101.14"}, "LL48.minimum_wage_daily", "wage_amount"),
    ({"wage_amount": "101.15"}, None, None),
    ({"term_start": "2026-12-20", "term_end": "2026-12-10"}, "PLATFORM.term_order", "term_end"),
    ({"term_start": "2026-12-20", "term_end": "2026-12-20"}, None, None),
    ({"wage_form": "piece_rate", "wage_amount": "22"}, "LL48.piece_rate_output_missing",
     "usual_output"),
    ({"wage_form": "piece_rate", "wage_amount": "22", "usual_output": "99.99"},
     "LL48.minimum_wage_piece_rate", "wage_amount"),
    ({"wage_form": "piece_rate", "wage_amount": "22", "usual_output": "100"}, None, None),
])
def test_the_construction_preview_shows_its_rule_findings(client, world, fields, rule, field):
    login(client, "hr")
    before = _counts()
    html = _preview(client, {**CONSTRUCTION, **fields}, _template("construction_simple"))
    errors = {r: v for r, v in _rules(html).items() if v[1] == "error"}
    assert errors == ({rule: (field, "error")} if rule else {}), errors
    assert _counts() == before


def test_warnings_show_too_and_blank_fields_are_not_judged_twice(client, world):
    login(client, "hr")
    html = _preview(client, contract_payload(term_start="2026-09-01"))  # three months back
    assert _rules(html)["LCL82.written_within_month"] == ("term_start", "warning")
    assert "风险提示须在生成合同时逐条确认" in html
    # half typed: the minimum (in force on the start date) is judged already; the blanks are
    # named once, in the errors list (请填写…), not again as missing clauses
    partial = _preview(client, {"post": "钢筋工", "term_start": "2026-12-01",
                                "monthly_wage": "1000"})
    rules = _rules(partial)
    assert rules.get("LL48.minimum_wage_monthly") == ("monthly_wage", "error")
    blanks = set(re.findall(r'<li data-field="([^"]+)">', partial))
    assert "worker_name" in blanks and not blanks & {f for f, _ in rules.values()}


@pytest.mark.browser
def test_the_form_shows_the_rule_findings_while_hr_types(client, world, live_server):  # noqa: F811
    """In Chromium: a daily wage under the minimum is shown in the preview and its field is
    marked as HR types; corrected, both go away; nothing is stored."""
    tid = _template("construction_simple")
    with chromium(viewport={"width": 1280, "height": 900}) as page:
        problems = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{live_server}/login")
        page.fill("input[name=username]", "hr")
        page.fill("input[name=password]", "pw-123456")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{live_server}/employer/contracts/new?template={tid}")
        for name, value in CONSTRUCTION.items():
            box = page.locator(f"#f-{name}")
            if not box.count():
                continue
            if page.locator(f"select#f-{name}").count():
                box.select_option(str(value))
            else:
                box.fill(str(value))
        page.fill("#f-wage_amount", "30")
        page.locator("#preview-rules", has_text="日工资不得低于").wait_for(timeout=15000)
        page.locator("#f-wage_amount.rule-flagged").wait_for(timeout=5000)
        described = page.get_attribute("#f-wage_amount", "aria-describedby") or ""
        assert "preview-rule-" in described
        page.fill("#f-wage_amount", "300")
        page.locator("#preview-rules").wait_for(state="detached", timeout=15000)
        assert page.locator("#f-wage_amount.rule-flagged").count() == 0
        assert "日工资" not in page.inner_text("#preview")
        assert problems == [], problems
    assert db.session.query(Contract).count() == 0


@pytest.mark.parametrize("kind", ["construction_simple", "fixed_term"])
def test_the_preview_reads_in_english_for_hr_in_english(client, world, kind):
    login(client, "hr")
    client.get("/employer/contracts/new?lang=en")
    if kind == "construction_simple":
        html = _preview(client, CONSTRUCTION, _template(kind))
    else:
        html = _preview(client, contract_payload(), _template(kind))
    english = html.split('class="preview-english"', 1)[1].split("</section>", 1)[0]
    text = re.sub(r"<[^>]+>", " ", english)
    # The clauses read in English (names and places typed by HR stay as typed) ...
    assert "Term" in text and "signed in its Chinese text" in text
    leftover = re.sub(r"[\u4e00-\u9fff]*(星沙|钢筋|长沙|银行|安全帽|五项)[\u4e00-\u9fff]*", "", text)
    assert not re.search(r"[\u4e00-\u9fff]{6,}", leftover), re.findall(r"[\u4e00-\u9fff]+", leftover)
    # ... and the Chinese text that is signed is one tap away.
    assert "合同期限" in html.split('class="preview-chinese"', 1)[1]
    # In Chinese the preview is the Chinese text only.
    client.get("/employer/contracts/new?lang=zh_CN")
    assert "preview-english" not in _preview(client, CONSTRUCTION, _template("construction_simple"))
