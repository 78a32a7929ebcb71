"""Push rate of the real-time feeds: records per second through the API (the WSGI test client
of the real app, answers not re-validated, jobs run inline as in the embedded default: each
push's re-reconciliation job included) on a scratch PostgreSQL database (or SQLite with
``--sqlite``), for attendance clock events and bank pay-out results in batches of 1, 100 and
1,000 records; then attendance with jobs left to workers (``*_push_only``: the production
shape, where the queued re-reconciliation is one deduplicated job per project, timed after).
Baseline in the same run: the same kind and number of records imported as a CSV file through
the file import service (no reconciliation). Ends with one JSON line.

Usage: python bench/feed_push.py [--records 3000] [--sqlite]
       [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.app_pipeline import contractor_hr, csv_bytes, make_app  # noqa: E402

ACCOUNT = "6222020200001234"
MONTH = "2026-10"


def _people(n: int) -> list[str]:
    from app.domain.ids import id_with_check

    return [id_with_check(f"430121198{i // 1000:01d}0101{i % 1000:03d}") for i in range(n)]


def _events(people: list[str], n: int, tag: str) -> list[dict]:
    """``n`` clock events: in and out on days of the month, across the people."""
    out = []
    for i in range(n):
        who, day, leg = people[(i // 2) % len(people)], 1 + (i // (2 * len(people))) % 28, i % 2
        out.append({"recordId": f"{tag}-{i}", "idCardNumber": who,
                    "direction": ("01", "02")[leg],
                    "date": f"{MONTH}-{day:02d} {('07:58:00', '17:31:00')[leg]}"})
    return out


def _payments(people: list[str], n: int, tag: str) -> list[dict]:
    return [{"recordId": f"{tag}-{i}", "idCardNumber": people[i % len(people)],
             "payMonth": MONTH, "actualAmount": f"{5000 + i % 997}.00",
             "payRollBankCardNumber": f"62170000{i:08d}", "payRollBankCardHolder": "工人",
             "payBankCardNumber": ACCOUNT, "balanceDate": "2026-11-15", "status": "success"}
            for i in range(n)]


def setup(app) -> tuple:
    from app.services import feeds
    from app.services.projects import projects

    p = contractor_hr()
    made = [projects.create(p, {
        "name": f"项目{i}", "region_code": "430121", "permit_no": f"P{i}", "builder": "建设单位",
        "contract_amount": "38000000", "start_date": "2026-01-01", "planned_end": "2027-12-31",
        "officer_name": "刘专管", "officer_phone": "13700001111", "wage_bank_code": "102",
        "wage_account": ACCOUNT if i == 0 else f"62220202000{i:05d}",
        "wage_account_holder": "专户", "deposit_kind": "cash", "deposit_amount": "760000",
        "pay_day": "15"}).id for i in range(50)]  # the bank holds 50 projects' accounts
    site = feeds.create_key("闸机", "bench", project_id=made[0])[1]
    bank = feeds.create_key("代发", "bench", bank_code="102")[1]
    return p, made[0], site, bank


def push(client, url: str, key: str, records: list[dict], batch: int) -> float:
    """Records/s pushing ``records`` in batches of ``batch`` (every answer must be 200)."""
    auth = {"Authorization": f"Bearer {key}"}
    start = time.perf_counter()
    for at in range(0, len(records), batch):
        resp = client.post(url, json={"records": records[at:at + batch]}, headers=auth)
        assert resp.status_code == 200, resp.get_json()
    return len(records) / (time.perf_counter() - start)


def baseline(p, project_id: int, people: list[str], n: int) -> dict:
    """Records/s of the file imports of the same kind of records (fresh ones)."""
    from app.services.projects import wage_import

    clock = [[r["idCardNumber"], r["direction"], r["date"].replace(MONTH, "2026-09")]
             for r in _events(people, n, "file")]
    pay = [[r["idCardNumber"], "2026-09", r["actualAmount"], r["actualAmount"],
            r["payRollBankCardNumber"], "工人", ACCOUNT, "2026-10-15"]
           for r in _payments(people, n, "file")]
    out = {}
    for name, fn, data in (
            ("attendance", wage_import.import_attendance,
             csv_bytes(["身份证号码", "方向", "时间"], clock)),
            ("payments", wage_import.import_payroll,
             csv_bytes(["身份证号码", "月份", "应发金额", "实发金额", "收款账号", "收款户名", "付款账号",
                   "发放日期"], pay))):
        start = time.perf_counter()
        fn(p, project_id, data)
        out[name] = n / (time.perf_counter() - start)
    return out


def run(app, n: int) -> dict:
    with app.app_context():
        p, project_id, site, bank = setup(app)
        people = _people(300)
        client = app.test_client()
        figures: dict = {"records": n}
        for batch in (1, 100, 1000):
            count = min(n, 300) if batch == 1 else n  # one at a time: fewer, it is slow
            tag = f"b{batch}"
            figures[f"attendance_{batch}"] = push(
                client, "/api/v1/feeds/attendance", site, _events(people, count, tag), batch)
            figures[f"payments_bank_{batch}"] = push(
                client, "/api/v1/feeds/payments", bank, _payments(people, count, tag), batch)
        app.config["JOBS_INLINE"] = False  # production: job workers re-reconcile
        for batch in (1, 1000):
            count = min(n, 300) if batch == 1 else n
            figures[f"attendance_{batch}_push_only"] = push(
                client, "/api/v1/feeds/attendance", site,
                _events(people, count, f"q{batch}"), batch)
        from app.services.platform import jobs

        start = time.perf_counter()
        figures["queued_jobs_run"] = jobs.run_pending(limit=1000)
        figures["queued_jobs_seconds"] = time.perf_counter() - start
        app.config["JOBS_INLINE"] = True
        dup = _events(people, min(n, 1000), "b1000")
        figures["attendance_duplicates_1000"] = push(
            client, "/api/v1/feeds/attendance", site, dup, 1000)
        files = baseline(p, project_id, people, n)
        figures["file_attendance"], figures["file_payments"] = files["attendance"], files[
            "payments"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        if args.sqlite:
            figures = run(make_app(Path(folder), None), args.records)
            backend = "sqlite"
        else:
            scratch = f"laborsign_feeds_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(args.database_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
            try:
                app = make_app(Path(folder),
                               args.database_url.rsplit("/", 1)[0] + f"/{scratch}")
                figures = run(app, args.records)
                with app.app_context():
                    from app.extensions import db

                    db.engine.dispose()
            finally:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            backend = "postgresql"
    print(f"feed push on {backend}, {args.records} records per run (batch 1: at most 300)")
    print(f"{'':28}{'records/s':>12}")
    for name, value in figures.items():
        if name not in ("records", "queued_jobs_run", "queued_jobs_seconds"):
            print(f"{name:28}{value:12.0f}")
    print(f"then {figures['queued_jobs_run']} queued re-reconciliation job(s) (one per project, "
          f"deduplicated) ran in {figures['queued_jobs_seconds']:.2f} s")
    print(json.dumps({"bench": "feed_push", "backend": backend,
                      **{k: round(v, 2 if k.endswith("seconds") else None)
                         if isinstance(v, float) else v for k, v in figures.items()}}))


if __name__ == "__main__":
    main()
