"""The migration that moves contract documents out of the database into the archive store,
on both databases: built at the previous revision, filled with rows holding bytes, upgraded,
downgraded, upgraded again."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

PREVIOUS, MIGRATION = "3f1d2a9c7b10", "06e176a55414"
DRAFT, SEALED = b"%PDF-1.7 draft " + bytes(range(256)) * 40, b"%PDF-1.7 sealed " + b"\x00\xff" * 5000
USCC = "91430121MA4L8X2Q7X"


def _insert_old_rows(engine, *, sealed_sha: str | None = None) -> None:
    """An employer, a worker and a sent contract whose two versions hold their bytes."""
    meta = sa.MetaData()
    meta.reflect(engine, only=["organizations", "workers", "contracts", "contract_documents"])
    orgs, workers, contracts, docs = (meta.tables[n] for n in (
        "organizations", "workers", "contracts", "contract_documents"))
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(orgs.insert().values(id=1, name="星城建设", uscc=USCC, address="长沙县",
                                          legal_rep="李建国", region_code="430121", created_at=now))
        conn.execute(workers.insert().values(id=1, id_hash="h" * 64, id_number_enc="e",
                                             id_masked="3604**", created_at=now))
        conn.execute(contracts.insert().values(
            id=1, contract_no="HT20261201000001", organization_id=1, worker_id=1,
            worker_name="张三", worker_phone_enc="e", worker_phone_masked="138",
            template="fixed_term", template_version=1, status="sent", created_at=now, version=2,
            terms={"term_start": "2026-12-01", "term_end": "2028-11-30"}))
        for version, kind, data, sha in ((1, "draft", DRAFT, None), (2, "sealed", SEALED, sealed_sha)):
            conn.execute(docs.insert().values(
                contract_id=1, version=version, kind=kind, data=data, created_at=now,
                sha256=sha or hashlib.sha256(data).hexdigest()))


def _rows(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text(
            "SELECT * FROM contract_documents ORDER BY version"))]


def _columns(engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("contract_documents")}


def test_documents_move_into_the_store_and_back(blank_app):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db
    from archive import open_store

    with blank_app.app_context():
        upgrade(revision=PREVIOUS)
        _insert_old_rows(db.engine)
        upgrade(revision=MIGRATION)
        store = open_store(blank_app.config)
        assert "data" not in _columns(db.engine)
        rows = _rows(db.engine)
        prefix = f"contracts/{USCC}/HT20261201000001/"
        assert [r["key"] for r in rows] == [
            prefix + f"v1-draft-{hashlib.sha256(DRAFT).hexdigest()[:12]}.pdf",
            prefix + f"v2-sealed-{hashlib.sha256(SEALED).hexdigest()[:12]}.pdf"]
        assert [r["size"] for r in rows] == [len(DRAFT), len(SEALED)]
        assert [store.get(r["key"]) for r in rows] == [DRAFT, SEALED]
        assert store.retention(rows[0]["key"]) is None  # a draft may be deleted
        assert store.retention(rows[1]["key"]).year == 2030  # two years after the term ends
        # Downgrade puts the bytes back; upgrading again reuses the objects already there.
        downgrade(revision=PREVIOUS)
        assert {"key", "size"}.isdisjoint(_columns(db.engine))
        assert [bytes(r["data"]) for r in _rows(db.engine)] == [DRAFT, SEALED]
        upgrade(revision=MIGRATION)
        assert [r["key"] for r in _rows(db.engine)] == [r["key"] for r in rows]
        assert len(list(store.list("contracts/"))) == 2


def test_bytes_that_do_not_match_their_sha256_stop_the_migration(blank_app, capfd):
    from flask_migrate import upgrade

    from app.extensions import db
    from archive import open_store

    with blank_app.app_context():
        upgrade(revision=PREVIOUS)
        _insert_old_rows(db.engine, sealed_sha="0" * 64)
        with pytest.raises(SystemExit):  # flask db upgrade exits 1, the reason logged
            upgrade(revision=MIGRATION)
        assert "row 2: its bytes do not match the recorded SHA-256" in capfd.readouterr().err
        db.session.remove()
        assert "data" in _columns(db.engine)
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == PREVIOUS
        # Fixed by hand (here: the right hash), the rerun completes.
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE contract_documents SET sha256 = :s WHERE version = 2"),
                         {"s": hashlib.sha256(SEALED).hexdigest()})
        upgrade(revision=MIGRATION)
        assert [open_store(blank_app.config).get(r["key"]) for r in _rows(db.engine)] == [
            DRAFT, SEALED]
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == MIGRATION
