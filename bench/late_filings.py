"""Late filings at county scale on PostgreSQL: the late list computed in SQL (deadlines per
region resolved into the statement, counted and paged by the database) against the previous
Python path (every filing of the period loaded and judged one by one), on the same data.

Fills a scratch PostgreSQL database with ``--filings`` (default 200,000) filed documents of
200 employers in five region codes: labor contracts starting over two years, each filed 0–44
days after its start (a third of them late under the 30-day default, more under the
``430121=20`` override set here), and one in ten ended by a filed termination filed 0–29
days after its last working day. Rows are bulk-loaded with generate_series (the filing
pipeline is not what is measured), then vacuumed and analysed. Then the auditor's late list
(one page of 100, as ``/audit/late-filings`` asks the service for it: the count, the page, the
access-log entry) runs for a 90-day and a 366-day period, by the previous code (commit
``PREVIOUS``, taken from git into a scratch module) and by the current one; both must find
the same filings. Prints p50/p95 of each and one JSON line.

Usage: python bench/late_filings.py [--filings 200000] [--runs 15]
       [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench._scratch import module_at, scratch_database  # noqa: E402
from bench.app_pipeline import make_app  # noqa: E402

PREVIOUS = "6d40eb7"  # the last commit with the late list judged in Python
REGIONS = ("430121", "430102", "430104", "430111", "430181")
EMPLOYERS = 200
WORKERS = 2000
TODAY = date(2027, 1, 31)
PERIODS = {"90_days": (date(2026, 11, 2), TODAY), "366_days": (date(2026, 1, 30), TODAY)}

CONTRACTS = """
INSERT INTO contracts (contract_no, organization_id, worker_id, worker_name, worker_phone_enc,
    worker_phone_masked, template, template_version, terms, status, created_at, signed_at,
    version, document_kind)
SELECT 'HT' || i, :org0 + i % :orgs, :worker0 + i % :workers, '工人' || (i % 500), :phone,
    '138****8000', 'fixed_term', 1,
    json_build_object('term_start', to_char(date '2025-02-01' + (i % 730), 'YYYY-MM-DD'),
                      'term_end', to_char(date '2027-02-01' + (i % 730), 'YYYY-MM-DD'),
                      'post', '钢筋工'),
    'filed', now(), now(), 1, 'contract'
FROM generate_series(1, :n) AS i"""
TERMINATIONS = """
INSERT INTO contracts (contract_no, organization_id, worker_id, worker_name, worker_phone_enc,
    worker_phone_masked, template, template_version, terms, status, created_at, signed_at,
    version, document_kind, parent_id)
SELECT 'ZZ' || c.id, c.organization_id, c.worker_id, c.worker_name, c.worker_phone_enc,
    c.worker_phone_masked, c.template, 1,
    json_build_object('last_working_day',
                      to_char((c.terms->>'term_start')::date + 60, 'YYYY-MM-DD')),
    'filed', now(), now(), 1, 'termination', c.id
FROM contracts c WHERE c.document_kind = 'contract' AND c.id % 10 = 0"""
FILINGS = """
INSERT INTO filings (number, contract_id, pdf_key, manifest_key, audit_key, sha256,
    manifest_sha256, retain_until, archived_at, export_seq)
SELECT 'BA' || c.id, c.id, 'k', 'm', 'a', repeat('0', 64), repeat('0', 64),
    timestamptz '2040-01-01 00:00+00',
    ((CASE WHEN c.document_kind = 'termination' THEN (c.terms->>'last_working_day')::date
          + (c.id * 7919) % 30
          ELSE (c.terms->>'term_start')::date + (c.id * 7919) % 45 END)
    + time '10:00') AT TIME ZONE 'Asia/Shanghai', c.id
FROM contracts c"""


def previous_module():
    """The late list as it was at commit ``PREVIOUS`` (every filing of the period judged in
    Python)."""
    return module_at(PREVIOUS, "app/services/exports/late.py", "late_before")


def fill(n: int) -> dict:
    """Employers (service), workers and filed documents (bulk SQL); returns counts and s."""
    from app import pii
    from app.domain.ids import uscc_with_check
    from app.extensions import db
    from app.services.accounts import accounts

    started = time.perf_counter()
    orgs = [accounts.add_organization(name=f"用人单位{i:03d}",
                                      uscc=uscc_with_check(f"91430121MA4L{i:05d}"),
                                      address="长沙县", legal_rep="李某",
                                      region_code=REGIONS[i % len(REGIONS)])
            for i in range(EMPLOYERS)]
    db.session.commit()
    enc, phone = pii.encrypt("360426199101010071"), pii.encrypt("13800138000")
    db.session.execute(sa.text(
        "INSERT INTO workers (id_hash, id_number_enc, id_masked, created_at) "
        "SELECT md5(i::text) || md5((i + 1)::text), :enc, '3604**********0071', now() "
        "FROM generate_series(1, :n) AS i"), {"enc": enc, "n": WORKERS})
    worker0 = db.session.scalar(sa.text("SELECT min(id) FROM workers"))
    db.session.execute(sa.text(CONTRACTS), {"org0": orgs[0].id, "orgs": EMPLOYERS,
                                            "worker0": worker0, "workers": WORKERS,
                                            "phone": phone, "n": int(n / 1.1)})
    db.session.execute(sa.text(TERMINATIONS))
    db.session.execute(sa.text(FILINGS))
    db.session.execute(sa.text("UPDATE counters SET value = (SELECT max(export_seq) FROM "
                               "filings) WHERE name = 'filing_export_seq'"))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    filings = db.session.scalar(sa.text("SELECT count(*) FROM filings"))
    return {"filings": filings, "seconds": round(time.perf_counter() - started, 1)}


def _timed(fn, runs: int) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return times, out


def _stats(ms: list[float]) -> dict:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1),
            "runs": len(ordered)}


def measure(runs: int) -> dict:
    """Both paths for each period (the current one first: the previous one leaves 100,000
    loaded objects in the session, which every later commit would expire); the same late
    filings from both."""
    from app.extensions import db
    from app.services.exports import late
    from app.services.platform.principal import Principal

    before = previous_module()
    auditor = Principal(kind="user", actor="user:1", role="auditor", user_id=1,
                        jurisdiction="4301")
    out = {}
    for name, (start, end) in PERIODS.items():
        data = {"from": start.isoformat(), "to": end.isoformat()}
        new_ms, page = _timed(lambda d=data: late.late_page(auditor, d, TODAY), runs)
        new_ids = (page.total, [r.record_id for r, _ in page.rows])
        db.session.remove()
        old_ms, (_, _, old_rows) = _timed(lambda d=data: before.late_page(auditor, d, TODAY),
                                          max(2, runs // 5))
        same = new_ids == (len(old_rows), [r.record_id for r, _ in old_rows[:late.PAGE_SIZE]])
        del old_rows
        db.session.remove()
        out[name] = {"late": page.total, "same_result": same, "sql": _stats(new_ms),
                     "previous_python": _stats(old_ms)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with scratch_database(args.database_url, "laborsign_late") as url, \
            tempfile.TemporaryDirectory(prefix="late-") as folder:
        app = make_app(Path(folder), url)
        app.config["FILING_REGISTER_DAYS_BY_REGION"] = "43=30,430121=20"
        with app.app_context():
            loaded = fill(args.filings)
            result = measure(args.runs)
            from app.extensions import db

            db.engine.dispose()
    print(f"{loaded['filings']:,} filings of {EMPLOYERS} employers in {len(REGIONS)} regions, "
          f"PostgreSQL (bulk load {loaded['seconds']} s); one page of 100 as the auditor's "
          "late list asks for it")
    for name, r in result.items():
        print(f"  period {name}: {r['late']:,} late; SQL {r['sql']}; previous Python path "
              f"({PREVIOUS}) {r['previous_python']}; same result: {r['same_result']}")
    print(json.dumps({"filings": loaded["filings"], "periods": result,
                      "previous": PREVIOUS}, ensure_ascii=False))


if __name__ == "__main__":
    main()
