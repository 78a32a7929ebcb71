"""The law's days are Beijing's: the double-pay window (未订立书面劳动合同二倍工资, LCL art. 82)
is counted on the Beijing date, while the clock (and storage) is UTC. At 23:30 UTC on
2026-11-30 it is already 07:30 on 2026-12-01 in Beijing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.models import Contract
from app.services.contracts import rules
from tests.app.test_templates_flow import KINDS, PARTIES
from tests.conftest import bearer

LATE_EVENING_UTC = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def rules_today(monkeypatch):
    """Instead of the suite's pinned date: the real rule of today, on a pinned UTC clock."""
    monkeypatch.setattr(rules, "utcnow", lambda: LATE_EVENING_UTC)


def test_today_is_the_beijing_date():
    assert rules.today().isoformat() == "2026-12-01"


@pytest.mark.parametrize("start, window", [
    # work began 2026-10-30: the first month ends 11-29, double pay runs from 11-30 to the day
    # before signing — on Beijing's 12-01 that is one day; on UTC's 11-30 it would be none
    ("2026-10-30", ("2026-11-30", "2026-11-30")),
    ("2026-10-15", ("2026-11-15", "2026-11-30")),  # UTC would end it a day early (11-29)
])
def test_the_double_pay_window_is_counted_on_beijing_dates(client, world, start, window):
    body = {**PARTIES, **KINDS["construction_simple"][0], "template": "construction_simple",
            "term_start": start}
    resp = client.post("/api/v1/contracts", json=body, headers=bearer(world["api_key"]))
    assert resp.status_code == 201, resp.get_json()
    kept = db.session.get(Contract, resp.get_json()["id"]).rule_results["warnings"]
    found = {w["rule"]: w["params"] for w in kept}
    assert (found["LCL82.written_within_month"]["first"],
            found["LCL82.written_within_month"]["last"]) == window
    created_at = db.session.get(Contract, resp.get_json()["id"]).created_at
    assert created_at.utcoffset() is None or created_at.utcoffset().total_seconds() == 0
