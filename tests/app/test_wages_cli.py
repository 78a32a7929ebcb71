"""``flask wages reconcile --today YYYY-MM-DD``: a past month judged as of a given day, through
the CLI runner; a bad date is a clear error (no traceback, nothing changed)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import WageFlag
from tests.app.project_helpers import make_project
from tests.app.test_wage_reconciliation import _attendance, _import
from tests.conftest import login


def _flags() -> set[str]:
    found = set(db.session.scalars(select(WageFlag.flag).where(WageFlag.resolved_at.is_(None))))
    db.session.rollback()
    return found


def test_reconcile_judges_as_of_the_day_given(client, world, outbox):
    project = make_project()
    login(client, "hr")
    assert _import(client, project.id, "attendance", _attendance({4: 3})).status_code == 302
    runner = client.application.test_cli_runner()
    # October's pay window closes at the end of November: on its last day nothing is unpaid
    before = runner.invoke(args=["wages", "reconcile", "--today", "2026-11-30"])
    assert before.exit_code == 0, before.output
    assert "unpaid" not in _flags() and "no_contract" in _flags()
    after = runner.invoke(args=["wages", "reconcile", "--today", "2026-12-01"])
    assert after.exit_code == 0 and "new flag(s)" in after.output
    assert {"unpaid", "paid_ratio", "unpaid_share"} <= _flags()


def test_a_bad_date_is_a_clear_error(client, world):
    make_project()
    runner = client.application.test_cli_runner()
    for bad in ("2026-13-01", "20261201", "yesterday", ""):
        result = runner.invoke(args=["wages", "reconcile", "--today", bad])
        assert result.exit_code == 2, (bad, result.output)
        assert "Invalid value for '--today'" in result.output, result.output
        assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    assert _flags() == set()
