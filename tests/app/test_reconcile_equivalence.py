"""The set-wise reconciliation gives what the row-by-row one gave (``reconcile_before``, the
code as it was): the same worker-month lines to the cent and the same flags kept — raised,
resolved when the cause goes away, reopened when it comes back — on a generated site where
every flag occurs: contracts monthly, daily, hourly, by the piece, ended and renewed, of
another project, none at all (team and project estimates, the pay sheet's gross); payments
missing, short, late, to someone else, not from the dedicated account, under the minimum
wage, over the monthly and yearly limits, split in two, without attendance."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

from sqlalchemy import delete, select

from app import pii
from app.extensions import db
from app.models import AttendanceDay, Contract, PayRecord, WageFlag, Worker
from app.services.projects import reconcile
from tests.app import reconcile_before
from tests.app.project_helpers import PROJECT, make_project

MONTHS = ("2026-09", "2026-10", "2026-11", "2026-12")
TODAYS = (date(2027, 2, 10), date(2026, 12, 20))  # every pay window closed; two still open
ACCOUNT = PROJECT["wage_account"]
EVERY_FLAG = {"unpaid", "underpaid", "late", "wrong_holder", "not_dedicated", "below_minimum",
              "no_contract", "paid_without_attendance", "big_month", "big_year", "paid_ratio",
              "unpaid_share"}


NUMBERS = itertools.count(1)


def _contract(n: int, worker: Worker, org_id: int, project, **kw) -> Contract:
    terms = {"term_start": "2026-09-01", "term_end": "", "project_name": project.name}
    terms |= kw.pop("terms", {})
    return Contract(contract_no=f"E{next(NUMBERS)}", organization_id=org_id, worker=worker,
                    worker_name=f"工人{n}",
                    worker_phone_enc="x", worker_phone_masked="139****0000",
                    template=kw.pop("template", "construction_simple"), terms=terms,
                    status=kw.pop("status", "filed"), **kw)


def _site(world) -> object:
    """A project, 36 people and four months of attendance and pay, all kinds mixed."""
    project = make_project()
    other = make_project(name="另一个项目", permit_no="430121202609010199")
    org = world["org"].id
    dedicated, elsewhere = ACCOUNT, "6222020200009999"
    rnd = random.Random(22)
    for n in range(36):
        number = f"43012119800101{n:03d}"
        worker = Worker(id_hash=pii.keyed_hash(number, "id"), id_number_enc="x",
                        id_masked=f"4301**********{n:04d}")
        db.session.add(worker)
        kind = n % 9
        wage = {0: {"wage_form": "daily", "wage_amount": "300"},
                1: {"wage_form": "monthly", "wage_amount": "6600"},
                2: {"wage_form": "piece_rate", "wage_amount": "20"},
                5: {"wage_form": "daily", "wage_amount": "350"},
                6: {"wage_form": "monthly", "wage_amount": "2000"},
                7: {"wage_form": "daily", "wage_amount": "280"},
                8: {"wage_form": "daily", "wage_amount": "320"}}.get(kind)
        if kind == 3:  # part-time, hourly
            db.session.add(_contract(n, worker, org, project, template="part_time",
                                     terms={"hourly_wage": "30"}, project_id=project.id))
        elif kind == 4:  # no signed contract: a draft names the team (or not)
            if n % 2:
                db.session.add(_contract(n, worker, org, project, status="draft",
                                         terms={"team": "钢筋班"}, project_id=project.id))
        elif kind == 5:  # ended in October, renewed from November
            db.session.add(_contract(n, worker, org, project,
                                     ended_on=date(2026, 10, 31), terms=wage))
            db.session.add(_contract(n, worker, org, project, project_id=project.id,
                                     terms={**wage, "term_start": "2026-11-01",
                                            "team": "钢筋班"}))
        elif kind == 8:  # one of another project's, one naming this one
            db.session.add(_contract(n, worker, org, project, project_id=other.id,
                                     terms={"wage_form": "daily", "wage_amount": "999"}))
            db.session.add(_contract(n, worker, org, project, terms=wage))
        else:
            db.session.add(_contract(n, worker, org, project, terms={
                **wage, "team": "木工班" if n % 2 else "钢筋班"},
                project_id=project.id if kind in (0, 6) else None))
        for m, month in enumerate(MONTHS):
            year, mon = (int(x) for x in month.split("-"))
            days = 0 if (n + m) % 11 == 0 else rnd.choice((5, 12, 20, 22, 22, 26))
            for d in range(1, days + 1):
                db.session.add(AttendanceDay(project_id=project.id, id_hash=worker.id_hash,
                                             id_masked=worker.id_masked,
                                             day=date(year, mon, d), events=[],
                                             minutes=rnd.choice((480, 600))))
            case = (n * 7 + m * 3) % 13
            if days and (case == 0 or (kind == 4 and m == 0)):
                continue  # unpaid (September: over a tenth of the site)
            amounts = {1: "100", 2: "500", 3: "60000", 4: "120000"}
            net = "120000" if n == 35 else amounts.get(case, str(300 * max(days, 1)))
            due = date(year + mon // 12, mon % 12 + 1, 15)
            paid_on = due + timedelta(days=rnd.choice((0, 0, 3, 9)) if case in (5, 6) else 0)
            rows = [net] if case != 7 else [str(150 * days), str(150 * days + 1)]
            for i, amount in enumerate(rows):
                db.session.add(PayRecord(
                    project_id=project.id, id_hash=worker.id_hash, id_masked=worker.id_masked,
                    month=month, days=days, hours="0",
                    gross={8: "0", 9: "7000"}.get(case, amount), net=amount,
                    account_hash=f"a{n}", account_masked="****0001", bank="建设银行",
                    holder="别人" if case == 10 else f"工人{n}",
                    paying_account_hash=pii.keyed_hash(
                        elsewhere if case == 11 else dedicated, "account"),
                    paid_on=None if case == 12 else paid_on,
                    row_hash=f"{n}-{month}-{i}"))
    db.session.commit()
    return project


def _lines(items) -> list[tuple]:
    return [(x.month, x.id_hash, x.id_masked, x.worker_name, x.organization_id,
             str(x.result.expected), str(x.result.paid), str(x.result.difference),
             x.result.days_late, x.result.days, x.result.flags, x.result.source,
             str(x.result.at_risk)) for x in items]


def _kept(project_id: int) -> set[tuple]:
    return {(f.month, f.id_hash, f.flag, f.id_masked, f.organization_id, repr(f.params),
             f.at_risk, f.resolved_at is None) for f in db.session.scalars(
        select(WageFlag).where(WageFlag.project_id == project_id))}


def _runs(run, project, today: date) -> list[tuple[set, list[str]]]:
    """Kept flags and new ones after: a first run; a run after a payment was corrected and
    an attendance day withdrawn; a run after both came back."""
    out = []
    new = run(project, today)
    out.append((_kept(project.id), sorted(f"{f.month}{f.id_hash}{f.flag}" for f in new)))
    changed = db.session.scalars(select(PayRecord).where(
        PayRecord.project_id == project.id, PayRecord.net == "100").order_by(PayRecord.id)).first()
    changed.net = "9000"
    gone = db.session.scalars(select(AttendanceDay).where(
        AttendanceDay.project_id == project.id).order_by(AttendanceDay.id_hash, AttendanceDay.day)).first()
    kept = {c.name: getattr(gone, c.name) for c in AttendanceDay.__table__.columns}
    db.session.delete(gone)
    db.session.commit()
    new = run(project, today)
    out.append((_kept(project.id), sorted(f"{f.month}{f.id_hash}{f.flag}" for f in new)))
    changed.net = "100"
    db.session.add(AttendanceDay(**kept))
    db.session.commit()
    new = run(project, today)
    out.append((_kept(project.id), sorted(f"{f.month}{f.id_hash}{f.flag}" for f in new)))
    db.session.execute(delete(WageFlag))
    db.session.commit()
    return out


def test_the_set_wise_reconciliation_gives_what_the_row_by_row_one_gave(world):
    project = _site(world)
    for today in TODAYS:
        before = _lines(reconcile_before.lines(project, today))
        now = _lines(reconcile.lines(project, today))
        assert now == before
        assert (reconcile.project_flags(project, reconcile.lines(project, today), today)
                == reconcile_before.project_flags(project, reconcile_before.lines(
                    project, today), today))
    today = TODAYS[0]
    old = _runs(reconcile_before.run, project, today)
    new = _runs(reconcile.run, project, today)
    for (kept, raised), (kept_before, raised_before) in zip(new, old, strict=True):
        assert kept ^ kept_before == set()  # only the differences, if any, shown
        assert raised == raised_before
    raised = {key[2] for key in old[0][0]}
    assert raised == EVERY_FLAG  # the site still shows every kind of flag
    assert old[1][0] != old[0][0] and old[2][0] != old[1][0]  # resolved, then reopened
    assert len(old[0][1]) == len(old[0][0]) and old[2][1] == []  # reopened: no new alert
    assert {x[11] for x in before} >= {"contract", "payroll_gross", "team_estimate",
                                       "project_estimate"}


def test_one_persons_months_are_the_same_as_in_the_whole(world):
    project = _site(world)
    person = db.session.scalars(select(Worker.id_hash).order_by(Worker.id)).all()[4]
    whole = [x for x in _lines(reconcile.lines(project, TODAYS[0])) if x[1] == person]
    assert _lines(reconcile.lines(project, TODAYS[0], person=person)) == whole
    assert _lines(reconcile_before.lines(project, TODAYS[0], person=person)) == whole
