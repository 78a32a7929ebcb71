"""A piece-rate construction contract prints the usual monthly output its wage was checked
with (劳动报酬), in the signed PDF and in the worker's reading, Chinese and English; with any
other wage form the output is not printed, even when one was typed."""

from __future__ import annotations

import pytest

from tests.app.test_contract_wording import _flat, _pdf, _reading, _reads_as_printed, _sent

PIECE = {"wage_form": "piece_rate", "wage_amount": "22", "usual_output": "350"}
OUTPUT = "月产量（计件数量）约为350"


def test_a_piece_rate_prints_the_usual_output(client, world, outbox, tmp_path):
    contract_id, token = _sent(client, world, "construction_simple", **PIECE)
    printed = _pdf(client, world, contract_id, tmp_path)
    assert _flat("工资按工程量（计件）计发，计件单价为人民币22.00元") in printed
    assert OUTPUT in printed
    body = _reading(client, outbox, token)
    pay = next(c for c in body["clauses"] if c["heading"] == "劳动报酬")
    assert OUTPUT in pay["paragraphs"][0]
    _reads_as_printed(body, printed)  # the worker reads what is printed
    english = next(c for c in body["clauses_en"] if c["heading"] == "Pay")["paragraphs"][0]
    assert "usual output in a month of normal working hours is about 350 pieces" in english
    assert "CNY 22.00 per piece" in english


@pytest.mark.parametrize("wage", [{"wage_form": "daily", "wage_amount": "300"},
                                  {"wage_form": "monthly", "wage_amount": "3000"}])
def test_without_a_piece_rate_no_output_is_printed(client, world, outbox, tmp_path, wage):
    contract_id, token = _sent(client, world, "construction_simple", **wage,
                               usual_output="350")  # typed, but it is no piece rate
    printed = _pdf(client, world, contract_id, tmp_path)
    assert "月产量" not in printed and "计件单价" not in printed
    assert "标准为人民币" in printed
    body = _reading(client, outbox, token, "en")
    assert "usual output" not in str(body["clauses_en"])
