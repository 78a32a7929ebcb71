"""Template data: typed fields per kind, clause filling, the migration's frozen seed copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.domain.rules import with_law_fields
from app.domain.templates import (
    KINDS,
    STANDARD_V1,
    field_names,
    fill,
    required_missing,
    unknown_placeholders,
    validate_fields,
)

SEED = Path(__file__).parents[2] / "migrations" / "versions" / "data" / "standard_templates_v1.json"
SEED_V2 = SEED.with_name("standard_templates_v2.json")


def _spec(kind: str) -> dict:
    return next(t for t in STANDARD_V1 if t["kind"] == kind)


def test_the_migrations_end_with_exactly_the_standard_templates():
    """v1 of every kind, then the frozen later versions: each kind's newest is the code's."""
    newest = {t["kind"]: t for t in json.loads(SEED.read_text(encoding="utf-8"))}
    for later in json.loads(SEED_V2.read_text(encoding="utf-8")):
        newest[later["kind"]] = {**newest[later["kind"]], "fields": later["fields"],
                                 "clauses": later["clauses"]}
    assert list(newest.values()) == STANDARD_V1
    assert KINDS == ("fixed_term", "open_ended", "project_based", "part_time",
                     "construction_simple")


@pytest.mark.parametrize("kind", KINDS)
def test_every_clause_names_only_fields_of_its_template(kind):
    spec = _spec(kind)
    known = field_names(with_law_fields(kind, spec["fields"]))  # and the law's fields
    for clause in spec["clauses"]:
        for text in clause["paragraphs"] + clause["paragraphs_en"]:
            assert unknown_placeholders(text, known) == [], text


def test_kinds_have_the_fields_the_law_describes():
    names = {t["kind"]: field_names(t["fields"]) for t in STANDARD_V1}
    assert "term_end" not in names["open_ended"] | names["project_based"] | names["part_time"]
    assert "probation_months" not in names["project_based"] | names["part_time"]
    assert {"hourly_wage", "hours_per_day", "hours_per_week", "pay_cycle_days"} <= names["part_time"]
    assert {"project_name", "team", "wage_form", "wage_amount", "pay_day",
            "wage_account"} <= names["construction_simple"]
    assert "task_name" in names["project_based"]
    part_time = " ".join(p for c in _spec("part_time")["clauses"] for p in c["paragraphs"])
    assert "随时通知对方终止用工" in part_time and "不向乙方支付经济补偿" in part_time
    simple = " ".join(p for c in _spec("construction_simple")["clauses"] for p in c["paragraphs"])
    assert "农民工工资专用账户" in simple


def test_bad_values_are_named_kept_and_never_coerced():
    fields = _spec("part_time")["fields"]
    clean, errors = validate_fields(fields, {
        "worker_name": ["张三"], "hourly_wage": "12.345", "hours_per_day": "四",
        "pay_cycle_days": "40", "term_start": "20261201"})
    assert errors["worker_name"] == "劳动者姓名应为文本"
    assert errors["hourly_wage"].startswith("小时工资应为")
    assert errors["hours_per_day"] == "每日工作小时数应为整数"
    assert errors["pay_cycle_days"] == "结算周期（天）应为1到31之间的整数"
    assert errors["term_start"] == "合同开始日期格式应为 YYYY-MM-DD"
    assert errors["post"] == "请填写工作岗位"
    assert clean["hours_per_day"] == "四" and clean["term_start"] == "20261201"
    assert "social_insurance" not in errors  # the law's default text stands in


def test_choices_and_yes_no():
    fields = _spec("construction_simple")["fields"]
    _, errors = validate_fields(fields, {"wage_form": "weekly"})
    assert errors["wage_form"] == "工资形式只能是：按月计发、按日计发、按工程量（计件）计发"
    clean, errors = validate_fields(fields, {"wage_form": "daily"})
    assert "wage_form" not in errors and clean["wage_form"] == "daily"
    _, errors = validate_fields(_spec("open_ended")["fields"], {"confidential_role": "maybe"})
    assert errors["confidential_role"] == "负有保密义务的岗位应为是或否"


def test_clauses_print_dates_money_and_choice_labels():
    spec = _spec("construction_simple")
    clean, _ = validate_fields(spec["fields"], {
        "term_start": "2026-12-01", "project_name": "星沙三期", "team": "钢筋班", "post": "钢筋工",
        "work_location": "长沙县", "wage_form": "daily", "wage_amount": "300", "pay_day": "10",
        "wage_account": "长沙银行 8001"})
    text = "\n".join(p for _, ps in fill(spec, clean) for p in ps)
    assert "自2026年12月1日起" in text and "工资按日计发" in text
    assert "人民币300.00元（大写：叁佰元整）" in text and "农民工工资专用账户（长沙银行 8001）" in text
    assert "其他事项" not in [h for h, _ in fill(spec, clean)]  # optional and empty: left out
    english = "\n".join(p for _, ps in fill(spec, clean, english=True) for p in ps)
    assert "2026-12-01" in english and "CNY 300.00" in english and "dedicated" in english


def test_placeholders_of_unknown_fields_and_stray_percent_are_reported():
    known = field_names(_spec("fixed_term")["fields"])
    assert unknown_placeholders("乙方岗位%(post)s，奖金%(bonus)s", known) == ["bonus"]
    assert unknown_placeholders("提成5%", known) == ["%"]


def test_required_fields_of_the_chosen_kind():
    assert "monthly_wage" in required_missing({})
    missing = required_missing({"template": "part_time"})
    assert {"hourly_wage", "hours_per_week"} <= set(missing) and "monthly_wage" not in missing
    assert required_missing({"template": "no_such_kind"}) == {}


def test_every_template_label_title_and_choice_has_english():
    from babel.messages.pofile import read_po

    from app.domain.templates import TEMPLATE_FIELD_LABELS

    catalog = SEED.parents[3] / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with catalog.open("rb") as fh:
        translated = {m.id for m in read_po(fh) if m.id and m.string}
    wanted = set(TEMPLATE_FIELD_LABELS.values()) | {t["title"] for t in STANDARD_V1}
    wanted |= {label for t in STANDARD_V1 for f in t["fields"]
               for label in f.get("choices", {}).values()}
    assert not wanted - translated, sorted(wanted - translated)
