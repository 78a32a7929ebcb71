"""The auditors' archive search at county scale on PostgreSQL: 1,000,000 filed labor contracts
(plus their amendments and terminations) bulk-loaded with COPY (bench/_search_fill.py), then
every query type run through the service layer (app.services.filing.search.search_contracts)
and rendered as the auditor's page (templates/audit/search.html), as an auditor scoped to the
county (region 4301) and one scoped to three employers.

Prints p50/p95 per query type for the whole page as rendered and the SQL statements per page
(counted with a before_cursor_execute listener), first for the previous code (search.py of
commit ``PREVIOUS``, taken from git) without the indexes of migration a2207idx0007 (dropped: the
baseline, same run, same data), then for the current code with them (re-created, build time
shown); plus the database size and the load average. Target: p95 ≤ 50 ms for every type,
≤ 3 statements. The last line is one JSON object. ``--fill-only`` fills a scratch database and
keeps it; ``--reuse NAME`` measures a kept one again (the fill takes minutes).

Usage: python bench/archive_search.py [--contracts 1000000] [--reps 20] [--keep]
       [--fill-only | --reuse NAME]
       [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.app_pipeline import make_app  # noqa: E402

TARGET_MS, TARGET_STATEMENTS = 50.0, 3


def query_types(s: dict) -> dict[str, list[dict]]:
    """Query type → the forms to submit (varied values, cycled over the repetitions)."""
    org_names = [s["orgs"][o - 1][1] for _c, o in s["biggest"]] + [
        s["orgs"][s["median_org"][1] - 1][1]] + [s["orgs"][o - 1][1] for o in s["small"]]
    usccs = [s["orgs"][o - 1][2] for _c, o in s["biggest"]] + [s["orgs"][o - 1][2]
                                                              for o in s["small"]]
    return {
        "employer name part": [{"employer": n[2:6]} for n in org_names],
        "employer USCC": [{"employer": u} for u in usccs],
        "worker surname (prefix)": [{"worker_name": n[0]} for n in s["worker_names"][:10]],
        "worker name part (3+)": [{"worker_name": n} for n in s["worker_names"] if len(n) >= 3][:20],
        "worker ID number (keyed hash)": [{"id_number": i} for i in s["ids"][:20]],
        "filing number": [{"filing_number": f} for f in s["filing_numbers"][:20]],
        "kind": [{"kind": k} for k in ("fixed_term", "open_ended", "project_based", "part_time",
                                       "construction_simple")],
        "status": [{"status": k} for k in ("terminated", "expired", "declined", "filed")],
        "project": [{"project": p} for p in s["projects"][:20]],
        "signed date range (month), by date": [
            {"signed_from": f"{y}-{m:02d}-01", "signed_to": f"{y}-{m:02d}-28", "sort": "signed_asc"}
            for y in (2022, 2024, 2026) for m in (2, 7, 11)],
        "kind + status + year, oldest first": [
            {"kind": k, "status": "terminated", "signed_from": "2023-01-01",
             "signed_to": "2023-12-31", "sort": "oldest"} for k in ("fixed_term", "part_time")],
        "kind, page 10": [{"kind": k, "page": "10"} for k in ("fixed_term", "open_ended")],
        "surname, page 5, by date": [{"worker_name": n[0], "page": "5", "sort": "signed_desc"}
                                     for n in s["worker_names"][:5]],
    }


def measure(app, principals: dict, types: dict, reps: int, search) -> dict:
    """Each query type × principal, ``reps`` times (after one warm-up) through ``search`` (the
    module): ms and statements."""
    from flask import render_template

    from app.extensions import db
    from app.services.contracts import queries

    statements = []

    def count(*_args, **_kw):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    out = {}
    for who, p in principals.items():
        for name, forms in types.items():
            times, counts, found = [], [], []
            for n in range(reps + 1):
                form = {**forms[n % len(forms)]}
                with app.test_request_context("/audit/", method="POST", data=form):
                    statements.clear()
                    t = time.perf_counter()
                    results = search.search_contracts(p, form)
                    html = render_template(
                        "audit/search.html", params={k: form.get(k, "") for k in
                                                     search.SEARCH_FIELDS},
                        results=results, errors={}, message=None, scoped=True,
                        filings=queries.filing_numbers([c.id for c in results]))
                    elapsed = (time.perf_counter() - t) * 1000
                    db.session.rollback()
                assert "result-count" in html
                if n:
                    times.append(elapsed)
                    counts.append(len(statements))
                    found.append(f"{results.total}{'+' if results.capped else ''}")
            qs = statistics.quantiles(times, n=20, method="inclusive")
            out[f"{who}: {name}"] = {"p50_ms": round(statistics.median(times), 1),
                                     "p95_ms": round(qs[18], 1), "statements": max(counts),
                                     "found": sorted(set(found))[:3]}
    sa.event.remove(db.engine, "before_cursor_execute", count)
    return out


def _migration():
    """The index migration of this change (``a2207idx0007``), loaded as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "idx7", Path(__file__).resolve().parent.parent / "migrations/versions/"
        "a2207idx0007_more_search_indexes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _indexes(app, new: bool) -> float:
    """Put the database in the index state of the previous code (``new`` False: without the
    indexes of a2207idx0007, with those it drops) or of the current one; seconds taken."""
    from app.extensions import db

    module = _migration()
    db.session.rollback()
    t = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in module.INDEXES:
            conn.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
            if new:
                conn.execute(sa.text(module.postgresql_create(name)))
        for name in module.DROPPED:
            conn.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
            if not new:
                conn.execute(sa.text(module.postgresql_create(name)))
        conn.execute(sa.text("ANALYZE"))
    return round(time.perf_counter() - t, 1)


PREVIOUS = "c2481ec"  # the last commit with the previous search (app/services/filing/search.py)


def previous_search():
    """The code as it was at commit ``PREVIOUS``, imported from git into a scratch module (for
    this bench only)."""
    from bench._scratch import module_at

    return module_at(PREVIOUS, "app/services/filing/search.py", "search_before")


def _table(title: str, before: dict, after: dict) -> None:
    print(f"\n{title}")
    print(f"  {'query type (page of 50, rendered)':<50} {'previous p50/p95':>17} "
          f"{'now p50/p95':>16} {'stmts':>5}  found")
    for key, a in after.items():
        b = before[key]
        flag = "" if a["p95_ms"] <= TARGET_MS and a["statements"] <= TARGET_STATEMENTS else "  ✗"
        print(f"  {key:<50} {b['p50_ms']:>8.1f}/{b['p95_ms']:<8.1f} {a['p50_ms']:>7.1f}/"
              f"{a['p95_ms']:<8.1f} {a['statements']:>5}  {','.join(a['found'])}{flag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", metavar="NAME",
                        help="measure a scratch database kept by an earlier --keep run")
    parser.add_argument("--fill-only", action="store_true",
                        help="fill a scratch database, keep it and stop (for --reuse)")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    scratch = args.reuse or f"laborsign_search_{uuid.uuid4().hex[:8]}"
    args.keep = args.keep or args.fill_only or bool(args.reuse)
    admin = sa.create_engine(args.database_url, isolation_level="AUTOCOMMIT")
    if not args.reuse:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
    url = args.database_url.rsplit("/", 1)[0] + f"/{scratch}"
    try:
        with tempfile.TemporaryDirectory(prefix="search-") as folder:
            result = run(make_app(Path(folder), url), url, args)
    finally:
        if args.keep:
            print(f"kept scratch database {scratch} (--reuse {scratch})", file=sys.stderr)
        else:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    print(json.dumps(result, ensure_ascii=False))


def run(app, url: str, args) -> dict:
    import psycopg

    from app import pii
    from app.domain.ids import id_with_check
    from app.extensions import db
    from app.services.platform.principal import Principal
    from bench._search_fill import fill, load_sample

    with app.app_context():
        t = time.perf_counter()
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            sample = (load_sample(conn) if args.reuse else
                      fill(conn, args.contracts, pii.keyed_hash, id_with_check))
        load_s = sample.get("load_s") or time.perf_counter() - t
        if args.fill_only:
            return {"database": url.rsplit("/", 1)[1], "load_s": round(load_s, 1)}
        rows = db.session.scalar(sa.text("SELECT count(*) FROM contracts"))
        db.session.rollback()  # no lock held while the indexes are dropped
        principals = {
            "county 4301": Principal(kind="user", actor="user:1", role="auditor",
                                     user_id=1, jurisdiction="4301"),
            "3 employers": Principal(kind="user", actor="user:2", role="auditor", user_id=2,
                                     employer_ids=frozenset([sample["biggest"][1][1],
                                                             sample["median_org"][1],
                                                             sample["small"][0]])),
        }
        types = query_types(sample)
        from app.services.filing import search

        _indexes(app, new=False)
        before = measure(app, principals, types, args.reps, previous_search())
        build_s = _indexes(app, new=True)
        after = measure(app, principals, types, args.reps, search)
        size = db.session.scalar(sa.text("SELECT pg_database_size(current_database())"))
        table = db.session.scalar(sa.text("SELECT pg_total_relation_size('contracts')"))
        db.session.rollback()
        db.engine.dispose()
    print(f"{rows:,} contract rows ({args.contracts:,} labor contracts + "
          f"{sample['documents']:,} amendments/terminations), {sample['filings']:,} filings, "
          f"5,000 employers (largest {sample['biggest'][0][0]:,} contracts, median "
          f"{sample['median_org'][0]}), bulk load (COPY) {load_s:.1f} s; PostgreSQL")
    print(f"database size {size / 2**20:,.0f} MiB (contracts with indexes "
          f"{table / 2**20:,.0f} MiB); index build a2207idx0007 {build_s} s")
    _table(f"{args.reps} pages per type after a warm-up; target p95 ≤ {TARGET_MS:.0f} ms, "
           f"≤ {TARGET_STATEMENTS} statements", before, after)
    worst = max(a["p95_ms"] for a in after.values())
    print(f"\nworst p95 now {worst} ms (target ≤ {TARGET_MS:.0f}); most statements "
          f"{max(a['statements'] for a in after.values())} (target ≤ {TARGET_STATEMENTS})")
    return {"contracts": args.contracts, "rows": rows, "load_s": round(load_s, 1),
            "db_mib": round(size / 2**20), "index_build_s": build_s, "worst_p95_ms": worst,
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "previous": before, "now": after}


if __name__ == "__main__":
    main()
