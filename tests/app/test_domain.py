"""Identifier check digits and field-level contract-term checks (the law: test_rules.py)."""

import pytest

from app.domain.ids import (
    id_number_error,
    id_with_check,
    mask_id,
    mask_phone,
    phone_error,
    uscc_error,
    uscc_with_check,
)
from app.domain.terms import validate_terms
from tests.conftest import contract_payload


def test_valid_identifiers_from_the_rules_pass():
    assert id_number_error("360426199101010071") is None
    assert id_number_error("36042619910101007x".upper()[:-1] + "1") is None
    assert uscc_error("91110000600037341L") is None


@pytest.mark.parametrize("value, fragment", [
    ("360426199101010072", "校验位"),
    ("36042619910101007", "18位"),
    ("3604261991010100AA", "数字"),
    ("360426199113010071", "出生日期"),
])
def test_bad_id_numbers_say_why(value, fragment):
    assert fragment in id_number_error(value)


@pytest.mark.parametrize("value, fragment", [
    ("91110000600037341M", "校验位"),
    ("91110000600037341", "18位"),
    ("9111000060003734IL", "无效字符"),
])
def test_bad_uscc_say_why(value, fragment):
    assert fragment in uscc_error(value)


def test_check_character_helpers_agree_with_validators():
    assert id_with_check("11010519491231002") == "11010519491231002X"
    assert id_number_error(id_with_check("11010519491231002")) is None
    assert uscc_error(uscc_with_check("Y1430121MA4L8X2Q7")) is None


def test_masking_keeps_only_the_ends():
    assert mask_id("360426199101010071") == "3604**********0071"
    assert mask_phone("13800138000") == "138****8000"
    assert phone_error("1380013800") and phone_error("23800138000")


def _errors(**overrides):
    return validate_terms(contract_payload(**overrides))[1]


def test_valid_terms_are_cleaned():
    clean, errors = validate_terms(contract_payload(worker_id_number="36042619910101007 1"
                                                    .replace(" ", "")))
    assert errors == {}
    assert clean["monthly_wage"] == "6000.00" and clean["probation_months"] == 2


@pytest.mark.parametrize("overrides, field, fragment", [
    ({"term_end": "2026-11-30"}, "term_end", "晚于"),
    ({"term_start": "2026/12/01"}, "term_start", "YYYY-MM-DD"),
    ({"hours_system": "996"}, "hours_system", "工时制度"),
    ({"pay_day": "40"}, "pay_day", "1到31"),
    ({"post": ""}, "post", "请填写工作岗位"),
    ({"worker_phone": "12345"}, "worker_phone", "11位"),
    ({"probation_months": "7"}, "probation_months", "0到6"),
    ({"non_compete_months": "121"}, "non_compete_months", "0到120"),
    ({"confidential_role": "maybe"}, "confidential_role", "是或否"),
])
def test_each_bad_term_names_its_field(overrides, field, fragment):
    errors = _errors(**overrides)
    assert fragment in errors[field], errors
