"""The construction contract gets the checks every kind gets, through the API and the form:
the term's order and length, and its daily or piece-rate wage against the local minimum
(nothing created when refused). The rule engine's side: tests/app/test_rules_domain.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Contract, ContractDocument, Template, Worker
from tests.app.test_templates_flow import KINDS, PARTIES
from tests.conftest import bearer, csrf_token, login

CONSTRUCTION = {**PARTIES, **KINDS["construction_simple"][0], "template": "construction_simple"}


def _counts() -> tuple:
    return tuple(db.session.scalar(select(func.count(m.id)))
                 for m in (Contract, Worker, ContractDocument))


def _create(client, world, **fields):
    return client.post("/api/v1/contracts", json={**CONSTRUCTION, **fields},
                       headers=bearer(world["api_key"]))


def test_the_issues_contract_is_refused_with_both_fields_named(client, world):
    resp = _create(client, world, term_start="2026-12-20", term_end="2026-12-10",
                   wage_amount="30")
    assert resp.status_code == 422, resp.get_json()
    fields = resp.get_json()["fields"]
    assert fields["term_end"] == "合同终止日期（2026-12-10）不能早于开始日期（2026-12-20）"
    assert "101.15元" in fields["wage_amount"]
    assert {r["rule"] for r in resp.get_json()["rules"]} >= {
        "PLATFORM.term_order", "LL48.minimum_wage_daily"}
    assert _counts() == (0, 0, 0)


@pytest.mark.parametrize("fields, status, field", [
    ({"wage_amount": "101.15"}, 201, None), ({"wage_amount": "101.14"}, 422, "wage_amount"),
    ({"term_end": "2026-12-01"}, 201, None),  # start = end: one day
    ({"term_end": "2026-11-30"}, 422, "term_end"),
    ({"term_start": "1999-12-31"}, 422, "term_start"),
    ({"term_end": "2076-12-02"}, 422, "term_end"), ({"term_end": "2076-12-01"}, 201, None),
    ({"wage_form": "piece_rate", "wage_amount": "22", "usual_output": "100"}, 201, None),
    ({"wage_form": "piece_rate", "wage_amount": "22", "usual_output": "99.99"}, 422,
     "wage_amount"),
    ({"wage_form": "piece_rate", "wage_amount": "22"}, 422, "usual_output"),
    ({"wage_form": "piece_rate", "wage_amount": "22", "usual_output": "0"}, 422, "usual_output"),
    ({"wage_form": "piece_rate", "wage_amount": "22", "usual_output": "1.234"}, 422,
     "usual_output"),
    ({"wage_form": "monthly", "wage_amount": "2200"}, 201, None),
    ({"wage_form": "monthly", "wage_amount": "2199.99"}, 422, "wage_amount"),
])
def test_both_sides_of_each_limit_through_the_api(client, world, fields, status, field):
    resp = _create(client, world, **fields)
    assert resp.status_code == status, resp.get_json()
    if field:
        assert field in resp.get_json()["fields"], resp.get_json()
        assert _counts() == (0, 0, 0)
    else:
        contract = db.session.get(Contract, resp.get_json()["id"])
        assert contract.terms.get("usual_output", "") == (
            "100.00" if "usual_output" in fields else "")


def test_the_usual_output_error_names_the_field(client, world):
    resp = _create(client, world, wage_form="piece_rate", wage_amount="22", usual_output="很多")
    assert resp.status_code == 422
    assert resp.get_json()["fields"]["usual_output"].startswith("正常工作时间月产量（计件数量）应为")
    resp = _create(client, world, wage_form="piece_rate", wage_amount="22", usual_output="0")
    assert resp.get_json()["fields"]["usual_output"] == \
        "正常工作时间月产量（计件数量）应为大于0、最多两位小数的数量"


def test_a_draft_that_breaks_the_term_order_is_not_sent(client, world, outbox):
    """A draft saved before the check (terms written as they were) is refused at sending."""
    resp = _create(client, world)
    contract = db.session.get(Contract, resp.get_json()["id"])
    contract.terms = {**contract.terms, "term_end": "2026-11-20", "wage_amount": "30.00"}
    db.session.commit()
    sent = client.post(f"/api/v1/contracts/{contract.id}/send", json={},
                       headers=bearer(world["api_key"]))
    assert sent.status_code == 422, sent.get_json()
    assert {"term_end", "wage_amount"} <= set(sent.get_json()["fields"])
    db.session.expire_all()
    assert db.session.get(Contract, contract.id).status == "draft" and not outbox.messages()


# ---- through the form ----------------------------------------------------------------------

def _template_id() -> int:
    return db.session.query(Template).filter_by(kind="construction_simple",
                                                organization_id=None).one().id


def test_the_form_shows_the_output_field_and_refuses_with_every_field_named(client, world):
    login(client, "hr")
    tid = _template_id()
    page = client.get(f"/employer/contracts/new?template={tid}").get_data(as_text=True)
    assert 'name="usual_output"' in page and "正常工作时间月产量" in page
    assert page.index('name="wage_amount"') < page.index('name="usual_output"')
    form = {k: str(v) for k, v in CONSTRUCTION.items() if k != "template"}
    form.update(term_start="2026-12-20", term_end="2026-12-10", wage_form="piece_rate",
                wage_amount="22", usual_output="")
    resp = client.post(f"/employer/contracts/new?template={tid}",
                       data={**form, "csrf_token": csrf_token(page)})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="err-term_end"' in html and 'id="err-usual_output"' in html
    assert "不能早于开始日期" in html and "正常工作时间内的月产量" in html
    assert 'value="2026-12-10"' in html and 'value="22"' in html  # what was typed stays
    assert _counts() == (0, 0, 0)
    form.update(term_end="2027-06-30", usual_output="100")
    resp = client.post(f"/employer/contracts/new?template={tid}",
                       data={**form, "csrf_token": csrf_token(page)})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert db.session.query(Contract).one().terms["usual_output"] == "100.00"
