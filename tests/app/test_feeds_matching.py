"""Matching pay-outs one to one between payroll files and the banks' pushes: each stored
record is matched at most once, a pushed failure never undoes another source's
confirmation, a file line without a date still matches; the project lock on SQLite, taken
only once the file has been read and checked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import PayRecord
from app.services import feeds
from app.services.projects import projects, wage_import
from app.services.projects.import_files import ImportInvalid
from tests.app.project_helpers import PROJECT, make_project, principal
from tests.app.test_feeds import ID1, _month, _payment
from tests.app.test_feeds_fixes import PAY_HEADER, _csv, _paid
from tests.conftest import bearer

PAYMENTS = "/api/v1/feeds/payments"


def _line(month: str, days: int, *, paid_on: str | None = None, gross: str = "600") -> list:
    return [ID1, month, days, gross, "500", "6217000000000001", "建设银行", "工人一",
            PROJECT["wage_account"], f"{month}-28" if paid_on is None else paid_on]


def _import(project, *lines) -> dict:
    return wage_import.import_payroll(principal("hr"), project.id, _csv(PAY_HEADER, list(lines)))


def _push(client, key, *records) -> dict:
    return client.post(PAYMENTS, headers=bearer(key), json={"records": list(records)}).get_json()


def test_a_push_reporting_a_retry_matches_the_file_line_once(client, world):
    project = make_project()
    _, bank = feeds.create_key("工行代发", "test", bank_code="102")
    month = _month(2)
    _import(project, _line(month, 20))
    body = _push(client, bank, _payment("ok-1", ID1, month, 500),
                 _payment("fail-1", ID1, month, 500, status="failed"))
    assert (body["matched"], body["new"]) == (1, 1)  # the failed attempt: its own record
    assert _paid(project) == {month: "500.00"}
    # the same bank's next 500 of that day is another pay-out, not the file line again
    body = _push(client, bank, _payment("ok-2", ID1, month, 500))
    assert body["new"] == 1 and _paid(project) == {month: "1000.00"}


def test_two_file_lines_of_one_amount_after_a_push_are_two_pay_outs(client, world):
    project = make_project()
    _, bank = feeds.create_key("工行代发", "test", bank_code="102")
    month = _month(2)
    _push(client, bank, _payment("b-1", ID1, month, 500))
    done = _import(project, _line(month, 10), _line(month, 11))
    assert (done["new"], done["changed"]) == (1, 1)
    assert _paid(project) == {month: "1000.00"}
    assert _import(project, _line(month, 10), _line(month, 11))["unchanged"] == 2


def test_a_bank_failing_one_of_two_file_pay_outs_leaves_one_paid(client, world):
    project = make_project()
    _, bank = feeds.create_key("工行代发", "test", bank_code="102")
    month = _month(2)
    _import(project, _line(month, 10), _line(month, 11))
    body = _push(client, bank, _payment("b-2", ID1, month, 500, status="failed"),
                 _payment("b-1", ID1, month, 500))
    assert body["matched"] == 2
    assert _paid(project) == {month: "500.00"}
    statuses = sorted(db.session.scalars(select(PayRecord.status)))
    assert statuses == ["failed", "paid"]


def test_a_file_line_without_a_date_matches_the_pushed_pay_out(client, world):
    project = make_project()
    _, bank = feeds.create_key("工行代发", "test", bank_code="102")
    month = _month(2)
    _push(client, bank, _payment("b-1", ID1, month, 500))
    done = _import(project, _line(month, 20, paid_on=""))
    assert (done["new"], done["changed"]) == (0, 1)
    assert _paid(project) == {month: "500.00"}
    stored = db.session.scalars(select(PayRecord)).one()
    assert (stored.gross, stored.days) == ("600.00", 20)
    db.session.rollback()
    # and the other way round: the undated line first, the bank's push after
    other = _month(3)
    _import(project, _line(other, 20, paid_on=""))
    assert _push(client, bank, _payment("b-2", ID1, other, 500))["matched"] == 1
    assert _paid(project)[other] == "500.00"


def test_the_project_lock_makes_a_second_writer_wait(ctx, world):
    """While one transaction holds the project lock, another connection cannot take it (on
    SQLite: cannot start writing at all); once it ends, it can."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    project = make_project()
    db.session.commit()
    sqlite = db.engine.dialect.name == "sqlite"

    def other_writer(conn) -> None:
        if sqlite:
            conn.exec_driver_sql("PRAGMA busy_timeout = 0")
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.exec_driver_sql("ROLLBACK")
        else:
            conn.execute(text("SELECT id FROM projects WHERE id = :id FOR NO KEY UPDATE NOWAIT"),
                         {"id": project.id})
            conn.rollback()

    projects.lock(project.id)
    with db.engine.connect() as other:
        with pytest.raises(OperationalError):
            other_writer(other)
    db.session.rollback()  # the lock ends with the transaction
    with db.engine.connect() as other:
        other_writer(other)


def test_a_payroll_file_with_problems_does_not_take_the_lock(ctx, world, monkeypatch):
    project = make_project()
    taken = []
    monkeypatch.setattr(projects, "lock", taken.append)
    with pytest.raises(ImportInvalid):
        _import(project, [ID1, "2026-13", 20, "600", "500", "6217000000000001", "建设银行",
                          "工人一", PROJECT["wage_account"], ""])
    with pytest.raises(ImportInvalid):
        wage_import.import_attendance(principal("hr"), project.id, _csv(
            ["身份证号码", "方向", "时间"], [[ID1, "09", "not a time"]]))
    assert taken == []
