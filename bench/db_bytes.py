"""Database bytes per filed contract, on SQLite and PostgreSQL, through the whole HTTP path
(create → seal & send → SMS code → verify → sign → automatic filing), next to the archive
bytes per contract, and the "before" figure: the same measure plus the contract documents'
bytes held in the database as the old ``contract_documents.data`` column did (the same
bytes, copied into a scratch table of the same database and measured the same way).

PostgreSQL: ``pg_total_relation_size`` summed over every table (TOAST and indexes included),
measured before and after. SQLite: used pages × page size (free pages excluded). A few
warm-up contracts are filed before the first measurement so that every table and index
already has its first pages.

Usage: python bench/db_bytes.py [-n 100] [--pg-admin-url postgresql://postgres@127.0.0.1:5432/postgres]
       [--no-postgres]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from app_pipeline import SIGNATURE, last_code, make_app, payload  # noqa: E402

WARM_UP = 5
GOAL = 8 * 1024


def table_bytes(engine) -> dict[str, int]:
    """Bytes per table, its indexes (and TOAST) included: ``pg_total_relation_size`` on
    PostgreSQL; pages in use (``dbstat``) on SQLite."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.execute(sa.text(
                "SELECT tablename, pg_total_relation_size(format('%I.%I', schemaname, "
                "tablename)::regclass) FROM pg_tables WHERE schemaname = 'public'"))
        else:
            rows = conn.execute(sa.text(
                "SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize) FROM dbstat d "
                "LEFT JOIN sqlite_schema m ON m.name = d.name GROUP BY 1"))
        return {name: int(size) for name, size in rows}


def db_bytes(engine) -> int:
    """Bytes the database uses for its tables."""
    return sum(table_bytes(engine).values())


def file_contracts(app, outbox: Path, auth: dict, first: int, count: int) -> None:
    """File ``count`` contracts through the HTTP API, numbered from ``first``."""
    client = app.test_client()
    for i in range(first, first + count):
        p = payload(i)
        cid = client.post("/api/v1/contracts", json=p, headers=auth).get_json()["id"]
        url = client.post(f"/api/v1/contracts/{cid}/send", headers=auth).get_json()["signing_url"]
        token = url.rsplit("/", 1)[1]
        client.post(f"/api/v1/sign/{token}/otp",
                    json={"name": p["worker_name"], "id_number": p["worker_id_number"]})
        session = client.post(f"/api/v1/sign/{token}/verify",
                              json={"code": last_code(outbox, p["worker_phone"])}).get_json()
        done = client.post(f"/api/v1/sign/{token}", json={
            "session": session["session"], "signature": SIGNATURE, "consent": True}).get_json()
        assert done["status"] == "signed", done  # filed by the job right after the answer
        filed = client.get(f"/api/v1/contracts/{cid}", headers=auth).get_json()
        assert filed["status"] == "filed", filed


def documents_in_database(engine, store, keys: list[str]) -> int:
    """Bytes the database takes for ``keys``' documents stored as before (a binary column)."""
    table = sa.Table("bench_documents_in_db", sa.MetaData(),
                     sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("data", sa.LargeBinary, nullable=False))
    table.create(engine)
    start = db_bytes(engine)
    for key in keys:
        with engine.begin() as conn:
            conn.execute(table.insert().values(data=store.get(key)))
    grown = db_bytes(engine) - start
    table.drop(engine)
    return grown


def measure(n: int, database_url: str | None, label: str) -> dict:
    """File ``n`` contracts on one database; the figures per filed contract."""
    from app.extensions import db
    from app.models import ContractDocument
    from app.services.accounts import accounts, apikeys
    from archive import open_store

    with tempfile.TemporaryDirectory(prefix="dbbytes-") as tmp:
        folder = Path(tmp)
        app = make_app(folder, database_url)
        with app.app_context():
            org = accounts.add_organization(name="湖南星城建设工程有限公司",
                                            uscc="91110000600037341L", address="长沙县",
                                            legal_rep="李建国")
            auth = {"Authorization": f"Bearer {apikeys.create_key(org, 'bench')}"}
            db.session.commit()
            outbox = folder / "sms.jsonl"
            file_contracts(app, outbox, auth, 0, WARM_UP)
            before = table_bytes(db.engine)
            store = open_store(app.config)  # the app's archive, opened as the app does
            archived_before = {o.key for o in store.list("")}
            file_contracts(app, outbox, auth, WARM_UP, n)
            after = table_bytes(db.engine)
            new = [o for o in store.list("") if o.key not in archived_before]
            documents = [o for o in new if o.key.startswith("contracts/")]
            keys = set(db.session.scalars(sa.select(ContractDocument.key)))
            assert {o.key for o in documents} <= keys
            baseline_docs = documents_in_database(db.engine, store, [o.key for o in documents])
            db.session.remove()
            db.engine.dispose()
    grown = {t: round((after[t] - before.get(t, 0)) / n) for t in sorted(after)
             if after[t] != before.get(t, 0)}
    total = sum(after.values()) - sum(before.values())
    per = {"db_bytes": total / n,
           "db_bytes_before": (total + baseline_docs) / n,
           "archive_bytes": sum(o.size for o in new) / n,
           "archive_document_bytes": sum(o.size for o in documents) / n,
           "archive_filing_bytes": sum(o.size for o in new if o.key.startswith("filings/")) / n}
    return {"database": label, "contracts": n, **{k: round(v) for k, v in per.items()},
            "db_bytes_by_table": grown}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL admin URL; a scratch database is created and dropped")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    results = [measure(args.n, None, "SQLite")]
    if not args.no_postgres:
        scratch = f"laborsign_dbbytes_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.pg_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
        try:
            url = args.pg_admin_url.rsplit("/", 1)[0] + f"/{scratch}"
            results.append(measure(args.n, url, "PostgreSQL"))
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            admin.dispose()
    print(f"Bytes per filed contract ({args.n} contracts through the HTTP API after {WARM_UP} "
          f"warm-up ones; goal: database <= {GOAL} bytes)")
    print(f"  {'database':11s} {'db now':>9s} {'db before':>10s} {'archive':>9s} "
          f"{'(documents':>11s} {'+ filing)':>10s}")
    for r in results:
        print(f"  {r['database']:11s} {r['db_bytes']:9d} {r['db_bytes_before']:10d} "
              f"{r['archive_bytes']:9d} {r['archive_document_bytes']:11d} "
              f"{r['archive_filing_bytes']:10d}")
    print("  db before = the same database plus the documents' bytes in a binary column, as "
          "contract_documents.data held them")
    for r in results:
        tables = ", ".join(f"{t} {b}" for t, b in sorted(r["db_bytes_by_table"].items(),
                                                          key=lambda item: -item[1]))
        print(f"  {r['database']} bytes per contract by table: {tables}")
    print(json.dumps({"goal_db_bytes_per_contract": GOAL, "results": results,
                      "goal_met": all(r["db_bytes"] <= GOAL for r in results)}))


if __name__ == "__main__":
    main()
