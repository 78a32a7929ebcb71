"""Wage reconciliation at county scale on PostgreSQL: 200 projects × 300 workers × 12 months
(720,000 worker-months) with daily attendance (22 days a month: 15.8 million attendance days)
and one payment per worker-month, each worker under a signed construction contract.

The import rate is measured through the real import service on files (one project-month of
clock events and of payroll, then the same files again: nothing changes); the rest of the
county's year is bulk-loaded with generate_series (the service would take hours at this
scale, and the load is not what is measured), then vacuumed, analysed and checkpointed, as
autovacuum would leave a live database (else the first reads of the fresh rows rewrite them
all inside the measured time: a likely cause of 52.9 s one day and 151.8 s another). Then every
project is reconciled (``reconcile.run``: flags kept, alerts queued) twice on the same data:
by the previous row-by-row code (commit ``PREVIOUS``, taken from git into a scratch module)
and by the current set-wise code; the time of each is split into the reads (SQL), the rules
phase and the flag writes, and both must keep the same flags. Prints the figures side by
side, peak RSS, and one JSON line. Target: reconciliation ≤ 60 s.

Usage: python bench/reconcile.py [--projects 200] [--workers 300] [--months 12]
       [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.app_pipeline import contractor_hr, csv_bytes, make_app  # noqa: E402

TODAY = date(2027, 2, 10)  # the whole of 2026 is past its pay windows
DAYS = 22
ACCOUNT = "6222020200001234"
DROP_ATTENDANCE_INDEXES = """ALTER TABLE attendance_days DROP CONSTRAINT uq_attendance_days_project_id;
    DROP INDEX ix_attendance_days_id_hash; DROP INDEX ix_attendance_days_project_id"""
ADD_ATTENDANCE_INDEXES = (  # as the migrations make them
    "CREATE INDEX ix_attendance_days_project_id ON attendance_days (project_id)",
    "CREATE INDEX ix_attendance_days_id_hash ON attendance_days (id_hash)",
    "ALTER TABLE attendance_days ADD CONSTRAINT uq_attendance_days_project_id "
    "UNIQUE (project_id, id_hash, day)")


def setup(workers: int, projects_n: int):
    from app.domain.ids import id_with_check
    from app.services.projects import projects

    p = contractor_hr()
    made = []
    for i in range(projects_n + 1):  # project 0: the one imported through the service
        made.append(projects.create(p, {
            "name": f"项目{i:03d}", "region_code": "430121", "permit_no": f"P{i}",
            "builder": "建设单位", "contract_amount": "38000000", "start_date": "2026-01-01",
            "planned_end": "2027-12-31", "officer_name": "刘专管", "officer_phone": "13700001111",
            "wage_bank_code": "102", "wage_account": ACCOUNT, "wage_account_holder": "专户",
            "deposit_kind": "cash", "deposit_amount": "760000", "pay_day": "15"}).id)
    people = [id_with_check(f"43012119800101{w:03d}") for w in range(workers)]
    return p.organization_id, p, made, people


def measure_import(p, project_id: int, people: list[str]) -> dict:
    from app.services.projects import wage_import

    clock = [[n, d, f"2026-01-{day:02d} {t}"] for n in people for day in range(1, DAYS + 1)
             for d, t in (("01", "07:58:00"), ("02", "17:58:00"))]
    attendance = csv_bytes(["身份证号码", "方向", "时间"], clock)
    pay = csv_bytes(["身份证号码", "月份", "出勤天数", "应发金额", "实发金额", "收款账号", "收款户名",
                "付款账号", "发放日期"],
               [[n, "2026-01", DAYS, "6600", "6600", f"62170000{i:08d}", "工人", ACCOUNT,
                 "2026-02-15"] for i, n in enumerate(people)])
    out = {}
    for name, fn, data in (("attendance", wage_import.import_attendance, attendance),
                           ("payroll", wage_import.import_payroll, pay)):
        t = time.perf_counter()
        fn(p, project_id, data)
        first = time.perf_counter() - t
        t = time.perf_counter()
        fn(p, project_id, data)  # the same file again: nothing changes
        again = time.perf_counter() - t
        rows = data.count(b"\n") - 1
        out[name] = {"rows": rows, "seconds": round(first, 2), "rows_per_s": round(rows / first),
                     "again_s": round(again, 2)}
    return out


def bulk_load(org_id: int, project_ids: list[int], workers: int, months: int) -> dict:
    """Workers, signed contracts, daily attendance and payments of every project but the
    first, straight into PostgreSQL."""
    from app import pii
    from app.extensions import db

    dedicated = pii.keyed_hash(ACCOUNT, "account")
    version = db.session.execute(sa.text(
        "SELECT id FROM template_versions ORDER BY id LIMIT 1")).scalar()
    first, last = project_ids[1], project_ids[-1]
    steps = {
        "workers": f"""INSERT INTO workers (id_hash, id_number_enc, id_masked, created_at)
            SELECT encode(sha256(('w' || p || '-' || w)::bytea), 'hex'), 'x', '4301**********' ||
                   lpad(w::text, 4, '0'), now()
            FROM generate_series({first}, {last}) p, generate_series(1, {workers}) w""",
        "contracts": f"""INSERT INTO contracts (contract_no, organization_id, worker_id,
                worker_name, worker_phone_enc, worker_phone_masked, template, template_version,
                template_version_id, terms, status, created_at, version, document_kind)
            SELECT 'B' || wk.id, {org_id}, wk.id, '工人' || p || '-' || w, 'x', '139****0000',
                   'construction_simple', 1, {version},
                   json_build_object('term_start', '2026-01-01', 'term_end', '',
                     'project_name', pr.name, 'wage_form', 'daily', 'wage_amount', '300',
                     'pay_day', 15), 'filed', now(), 1, 'contract'
            FROM generate_series({first}, {last}) p CROSS JOIN generate_series(1, {workers}) w
            JOIN workers wk ON wk.id_hash = encode(sha256(('w' || p || '-' || w)::bytea), 'hex')
            JOIN projects pr ON pr.id = p""",
        "attendance_days": f"""INSERT INTO attendance_days (project_id, id_hash, id_masked, day,
                events, minutes)
            SELECT p, encode(sha256(('w' || p || '-' || w)::bytea), 'hex'), '4301**********' ||
                   lpad(w::text, 4, '0'), make_date(2026, m, d),
                   '["07:58:00 in", "17:58:00 out"]'::json, 600
            FROM generate_series({first}, {last}) p, generate_series(1, {workers}) w,
                 generate_series(1, {months}) m, generate_series(1, {DAYS}) d
            WHERE (w % 97) <> 0 OR m <> 6""",
        "pay_records": f"""INSERT INTO pay_records (project_id, id_hash, id_masked, month, days,
                hours, gross, net, account_hash, account_masked, bank, holder,
                paying_account_hash, paid_on, row_hash, imported_at)
            SELECT p, encode(sha256(('w' || p || '-' || w)::bytea), 'hex'), '4301**********' ||
                   lpad(w::text, 4, '0'), '2026-' || lpad(m::text, 2, '0'), {DAYS}, '176',
                   '6600.00', CASE WHEN w % 50 = 0 THEN '5000.00' ELSE '6600.00' END,
                   'a' || w, '****' || lpad(w::text, 4, '0'), '建设银行', '工人' || p || '-' || w,
                   '{dedicated}', make_date(2026, m, 1) + interval '1 month' + interval '14 days'
                   + CASE WHEN w % 41 = 0 THEN interval '6 days' ELSE interval '0' END,
                   encode(sha256(('r' || p || '-' || w || '-' || m)::bytea), 'hex'), now()
            FROM generate_series({first}, {last}) p, generate_series(1, {workers}) w,
                 generate_series(1, {months}) m
            WHERE w % 89 <> 0""",
    }
    timings = {}
    for name, sql in steps.items():
        t = time.perf_counter()
        if name == "attendance_days":  # 15.8 M rows: the indexes are built after, by sorting
            db.session.execute(sa.text(DROP_ATTENDANCE_INDEXES))
        db.session.execute(sa.text(sql))
        if name == "attendance_days":
            db.session.execute(sa.text("SET maintenance_work_mem = '512MB'"))
            for statement in ADD_ATTENDANCE_INDEXES:
                db.session.execute(sa.text(statement))
        db.session.commit()
        timings[name] = round(time.perf_counter() - t, 1)
    # as a live database would be once autovacuum has passed: hint bits set and statistics
    # taken, the load's dirty pages written; else the first reads of 15.8 M fresh rows write
    # them all again, inside the measured time (52.9 s one day, 151.8 s another)
    t = time.perf_counter()
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM (ANALYZE)"))
        conn.execute(sa.text("CHECKPOINT"))
    timings["vacuum_analyze_checkpoint"] = round(time.perf_counter() - t, 1)
    return timings


PREVIOUS = "82ae224"  # the last commit with the row-by-row reconciliation


def previous_module():
    """The code as it was at commit ``PREVIOUS``, imported from git into a scratch module (for
    this bench only)."""
    from bench._scratch import module_at

    return module_at(PREVIOUS, "app/services/projects/reconcile.py", "reconcile_before")


def _timed(module, name: str, into: dict) -> None:
    """Wrap ``module.name`` so its calls add their seconds to ``into[name]``."""
    fn = getattr(module, name)

    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        out = fn(*args, **kwargs)
        into[name] += time.perf_counter() - t
        if name == "lines":
            into["worker_months"] += len(out)
        return out

    setattr(module, name, wrapper)


def _stored_flags() -> set[tuple]:
    from app.extensions import db

    return {tuple(r) for r in db.session.execute(sa.text(
        "SELECT project_id, month, id_hash, flag, params::text, at_risk, id_masked, "
        "organization_id, resolved_at IS NULL FROM wage_flags"))}


def reconcile_with(run, rules_module, loads_module, project_ids: list[int]) -> dict:
    """Reconcile every project with ``run`` (flags kept, alerts queued), timing the rules
    phase (``lines``, minus the reads) and the flag writes apart."""
    from app.domain import wages
    from app.extensions import db
    from app.models import Project

    reads = ("attendance_of", "payments_of", "contracts_of")
    spent = {"lines": 0.0, "worker_months": 0} | {name: 0.0 for name in reads}
    saved = {n: getattr(m, n) for m, n in ((rules_module, "lines"),
                                            *((loads_module, k) for k in reads))}
    _timed(rules_module, "lines", spent)
    for name in reads:
        _timed(loads_module, name, spent)
    flags = 0
    grades = {g: 0 for g in wages.GRADES}
    kinds: dict[str, int] = {}
    try:
        t = time.perf_counter()
        for project_id in project_ids:
            new = run(db.session.get(Project, project_id), TODAY)
            flags += len(new)
            for f in new:
                kinds[f.flag] = kinds.get(f.flag, 0) + 1
            grades[wages.grade([f.flag for f in new])] += 1
        total = time.perf_counter() - t
    finally:
        rules_module.lines = saved.pop("lines")
        for name, fn in saved.items():
            setattr(loads_module, name, fn)
    read = sum(spent[name] for name in reads)
    split = {"reads_sql": round(read, 1), "rules": round(spent["lines"] - read, 1),
             "flag_writes": round(total - spent["lines"], 1)}
    return {"seconds": round(total, 1), "worker_months": spent["worker_months"],
            "flags": flags, "kinds": kinds, "grades": grades, "split": split}


def reconcile_both(project_ids: list[int]) -> dict:
    """The previous code, then the current one, on the same data; the flags of both must be
    the same."""
    from app.extensions import db
    from app.services.projects import reconcile, reconcile_sets

    before = previous_module()
    old = reconcile_with(before.run, before, before, project_ids)
    old_flags = _stored_flags()
    db.session.execute(sa.text("DELETE FROM wage_flags"))
    db.session.commit()
    new = reconcile_with(reconcile.run, reconcile, reconcile_sets, project_ids)
    same = _stored_flags() == old_flags
    return {"previous": old, "current": new, "same_flags": same,
            "speedup": round(old["seconds"] / max(new["seconds"], 0.001), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--workers", type=int, default=300)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    scratch = f"laborsign_reconcile_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(args.database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
    try:
        with tempfile.TemporaryDirectory(prefix="reconcile-") as folder:
            app = make_app(Path(folder), args.database_url.rsplit("/", 1)[0] + f"/{scratch}")
            with app.app_context():
                org_id, p, project_ids, people = setup(args.workers, args.projects)
                imported = measure_import(p, project_ids[0], people)
                loaded = bulk_load(org_id, project_ids, args.workers, args.months)
                result = reconcile_both(project_ids)
                from app.extensions import db

                db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    months = args.projects * args.workers * args.months
    print(f"{args.projects} projects × {args.workers} workers × {args.months} months "
          f"= {months:,} worker-months (daily attendance), PostgreSQL")
    for name, f in imported.items():
        print(f"  import {name}: {f['rows']:,} rows in {f['seconds']} s = {f['rows_per_s']:,} "
              f"rows/s through the service; the same file again {f['again_s']} s, no change")
    print(f"  bulk load (generate_series, not measured as import): {loaded}")
    for label, key in (("previous code (row by row, " + PREVIOUS + ")", "previous"),
                       ("current code (set-wise)", "current")):
        r = result[key]
        print(f"  reconciliation, {label}: {r['worker_months']:,} worker-months in "
              f"{r['seconds']} s (target ≤ 60 s); {r['flags']:,} new flags {r['kinds']}")
        print(f"    where the time goes (s): {r['split']}; grades {r['grades']}")
    print(f"  same flags from both: {result['same_flags']}; speed-up ×{result['speedup']}")
    print(f"  peak RSS of this process: {peak:.0f} MB")
    print(json.dumps({"projects": args.projects, "workers": args.workers, "months": args.months,
                      "worker_months": result["current"]["worker_months"], "import": imported,
                      "bulk_load_s": loaded, "reconcile_s": result["current"]["seconds"],
                      "split_s": result["current"]["split"],
                      "previous_reconcile_s": result["previous"]["seconds"],
                      "previous_split_s": result["previous"]["split"],
                      "same_flags": result["same_flags"], "flags": result["current"]["flags"],
                      "flag_kinds": result["current"]["kinds"],
                      "grades": result["current"]["grades"], "peak_rss_mb": round(peak),
                      "target_s": 60}, ensure_ascii=False))


if __name__ == "__main__":
    main()
