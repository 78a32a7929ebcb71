"""Bad input gets a clear error naming the field and writes nothing (never a 500, never a repr)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Contract, Worker
from tests.app.flows import search
from tests.conftest import bearer, contract_payload, login


def _create(client, world, **overrides):
    return client.post("/api/v1/contracts", json=contract_payload(**overrides),
                       headers=bearer(world["api_key"]))


@pytest.mark.parametrize("field, value, fragment", [
    ("monthly_wage", "1e30", "最多两位小数的金额"),
    ("monthly_wage", 1e30, "最多两位小数的金额"),
    ("monthly_wage", 10 ** 40, "最多两位小数的金额"),
    ("monthly_wage", "99999999.00", "不能超过1000000元"),
    ("monthly_wage", "6000.005", "最多两位小数"),
    ("monthly_wage", True, "金额"),
    ("probation_wage", "NaN", "金额"),
    ("pay_day", 10 ** 40, "整数"),
    ("pay_day", "15.5", "整数"),
    ("pay_day", False, "整数"),
    ("post", ["钢筋工"], "应为文本"),
    ("post", {"name": "钢筋工"}, "应为文本"),
    ("post", 42, "应为文本"),
    ("worker_name", True, "应为文本"),
    ("worker_id_number", 360426199101010071, "应为文本"),
    ("post", "钢筋\x00工", "NUL"),
    ("work_location", "工地\x1b[31m", "控制字符"),
    ("worker_name", "张\u202e三\x07", "控制字符"),
    ("term_start", "20261201", "YYYY-MM-DD"),
    ("term_start", 20261201, "YYYY-MM-DD"),
    ("term_end", "2028-11-30T00:00", "YYYY-MM-DD"),
    ("term_end", "9999-12-31", "不能超过50年"),
    ("term_start", "1900-01-01", "2000年到2100年"),
    ("worker_address", "x" * 201, "不能超过200个字"),
])
def test_bad_values_are_named_and_nothing_is_written(client, world, field, value, fragment):
    resp = _create(client, world, **{field: value})
    body = resp.get_json()
    assert resp.status_code == 422, body
    assert fragment in body["fields"][field], body
    assert db.session.scalar(select(func.count(Contract.id))) == 0
    assert db.session.scalar(select(func.count(Worker.id))) == 0


def test_errors_in_english_name_the_field(client, world):
    resp = client.post("/api/v1/contracts", json=contract_payload(post=["x"], monthly_wage="1e30"),
                       headers={**bearer(world["api_key"]), "Accept-Language": "en"})
    fields = resp.get_json()["fields"]
    assert fields["post"] == "Post must be text"
    assert fields["monthly_wage"].startswith("Monthly wage must be an amount")


def test_multi_line_texts_keep_their_newlines(client, world):
    resp = _create(client, world, other_terms="第一条：包吃住\n第二条：\t年底双薪")
    assert resp.status_code == 201
    assert resp.get_json()["terms"]["other_terms"] == "第一条：包吃住\n第二条：\t年底双薪"


def test_json_numbers_are_taken_as_numbers_not_as_their_repr(client, world):
    resp = _create(client, world, monthly_wage=6000, probation_wage=4800.5, pay_day=15,
                   probation_months=2)
    assert resp.status_code == 201, resp.get_json()
    terms = resp.get_json()["terms"]
    assert (terms["monthly_wage"], terms["probation_wage"], terms["pay_day"]) == (
        "6000.00", "4800.50", 15)


def test_a_huge_search_field_is_refused_and_kept(client, world):
    login(client, "auditor")
    resp = search(client, worker_name="张" * 100_000)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "劳动者姓名不能超过50个字" in html
    resp = search(client, employer="星城\x00建设")
    assert resp.status_code in (400, 422)


def test_retention_is_total_for_any_stored_end_date(ctx):
    from datetime import date

    from app.services.contracts.documents import retention_for

    far = Contract(terms={"term_end": "9999-12-31"})
    assert retention_for(far).date() == date.max
    leap = Contract(terms={"term_end": "2028-02-29"})
    assert retention_for(leap).date() == date(2030, 3, 1)
    assert retention_for(Contract(terms={})).year >= 2070  # open-ended: kept for decades


@pytest.mark.parametrize("field, value, fragment", [
    ("worker_id_number", "３６０４２６１９９１０１０１００７１", "身份证号码前17位应为数字"),
    ("worker_phone", "１３８００１３８０００", "手机号码应为11位"),
    ("pay_day", "１５", "整数"),
    ("monthly_wage", "６０００", "金额"),
    ("term_start", "２０２６-１２-０１", "YYYY-MM-DD"),
    ("post", "\u202e工筋钢", "控制字符"),
    ("worker_name", "张\u200b三", "控制字符"),
    ("work_location", "\ufeff工地", "控制字符"),
])
def test_look_alike_digits_and_invisible_characters_are_refused(client, world, field, value,
                                                                 fragment):
    """Full-width digits would give one person a second identity (another keyed hash);
    invisible formatting makes a text read differently from what is signed."""
    from app.domain.terms import validate_terms

    errors = validate_terms(contract_payload(**{field: value}))[1]
    assert fragment in errors[field], errors
    login(client, "hr")
    from tests.conftest import csrf_token

    token = csrf_token(client.get("/employer/contracts/new").get_data(as_text=True))
    resp = client.post("/employer/contracts/new",
                       data={**contract_payload(**{field: value}), "csrf_token": token})
    assert resp.status_code == 422 and fragment in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Contract.id))) == 0
