"""contract documents in the archive store

Every contract_documents row's PDF moves into the archive store (built from the app config
with archive.open_store, as the app does) under
``contracts/<USCC>/<contract no>/v<version>-<kind>-<sha256[:12]>.pdf`` — sealed, signed and
later versions with a retention date (drafts without) — then the row gets ``key`` and
``size`` and the ``data`` column goes. Each row's bytes are checked against its recorded
SHA-256 before the put and read back after it. Rerunning is safe: rows that have a key are
skipped and an object already stored with the same SHA-256 is not written again.

Downgrade puts the bytes back into ``data`` from the store (checked against the SHA-256);
the archive objects are left in place (retained ones cannot be deleted anyway).

Revision ID: 06e176a55414
Revises: 3f1d2a9c7b10
Create Date: 2026-12-01 12:00:00.000000

"""
import hashlib
import logging
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '06e176a55414'
down_revision = '3f1d2a9c7b10'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

DOCS = sa.table(
    "contract_documents", sa.column("id", sa.Integer), sa.column("contract_id", sa.Integer),
    sa.column("version", sa.Integer), sa.column("kind", sa.String), sa.column("sha256", sa.String),
    sa.column("data", sa.LargeBinary), sa.column("key", sa.String), sa.column("size", sa.Integer))
CONTRACTS = sa.table(
    "contracts", sa.column("id", sa.Integer), sa.column("contract_no", sa.String),
    sa.column("organization_id", sa.Integer), sa.column("terms", sa.JSON))
ORGS = sa.table("organizations", sa.column("id", sa.Integer), sa.column("uscc", sa.String))


def _columns() -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns("contract_documents")}


def _open_store():
    from flask import current_app

    from archive import open_store

    store = open_store(current_app.config)
    if hasattr(store, "ensure_bucket"):
        store.ensure_bucket()
    return store


def _retain_until(kind: str, terms: dict) -> datetime | None:
    """Frozen copy of the app's rule: two years after the contract ends, at least two years
    from now; drafts are not retained."""
    if kind == "draft":
        return None
    floor = datetime.now(UTC) + timedelta(days=730)
    try:
        end = date.fromisoformat(terms["term_end"])
        years = end.year + 2
        kept = date(years, 3, 1) if (end.month, end.day) == (2, 29) else end.replace(year=years)
    except (KeyError, TypeError, ValueError, OverflowError):
        return floor
    return max(datetime.combine(kept, time(), tzinfo=UTC), floor)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _archive_row(store, row, data: bytes) -> str:
    """Put one row's bytes (unless already there), read them back; returns the key."""
    from archive import ObjectNotFound

    digest = _sha256(data)
    if digest != row.sha256:
        raise RuntimeError(f"contract_documents row {row.id}: its bytes do not match the "
                           f"recorded SHA-256; migration stopped (rerun when fixed: rows "
                           f"already moved are skipped)")
    owner = row.uscc or f"org-{row.organization_id}"
    key = f"contracts/{owner}/{row.contract_no}/v{row.version}-{row.kind}-{digest[:12]}.pdf"
    try:
        present = store.stat(key).sha256 == digest
    except ObjectNotFound:
        present = False
    if not present:
        retain = _retain_until(row.kind, row.terms or {})
        store.put(key, data, content_type="application/pdf",
                  retain_until=retain if store.supports_retention else None,
                  metadata={"contract-no": row.contract_no, "kind": row.kind,
                            "version": str(row.version)})
    if _sha256(store.get(key)) != digest:
        raise RuntimeError(f"archive object {key} does not read back with its SHA-256")
    return key


def upgrade():
    bind = op.get_bind()
    columns = _columns()
    if "key" not in columns:
        with op.batch_alter_table('contract_documents', schema=None) as batch_op:
            batch_op.add_column(sa.Column('key', sa.String(length=300), nullable=True))
            batch_op.add_column(sa.Column('size', sa.Integer(), nullable=True))
    if "data" not in columns:
        return
    rows = bind.execute(
        sa.select(DOCS.c.id, DOCS.c.version, DOCS.c.kind, DOCS.c.sha256, CONTRACTS.c.contract_no,
                  CONTRACTS.c.organization_id, CONTRACTS.c.terms, ORGS.c.uscc)
        .join(CONTRACTS, CONTRACTS.c.id == DOCS.c.contract_id)
        .join(ORGS, ORGS.c.id == CONTRACTS.c.organization_id)
        .where(DOCS.c.key.is_(None)).order_by(DOCS.c.id)).all()
    store = _open_store() if rows else None
    for row in rows:  # one row's bytes in memory at a time
        data = bind.execute(sa.select(DOCS.c.data).where(DOCS.c.id == row.id)).scalar_one()
        key = _archive_row(store, row, bytes(data))
        bind.execute(sa.update(DOCS).where(DOCS.c.id == row.id).values(key=key, size=len(data)))
    log.info("moved %d contract document(s) into the archive store", len(rows))
    with op.batch_alter_table('contract_documents', schema=None) as batch_op:
        batch_op.alter_column('key', existing_type=sa.String(length=300), nullable=False)
        batch_op.alter_column('size', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('data')


def downgrade():
    bind = op.get_bind()
    columns = _columns()
    if "data" not in columns:
        with op.batch_alter_table('contract_documents', schema=None) as batch_op:
            batch_op.add_column(sa.Column('data', sa.LargeBinary(), nullable=True))
    if "key" not in columns:
        return
    rows = bind.execute(sa.select(DOCS.c.id, DOCS.c.key, DOCS.c.sha256)
                        .where(DOCS.c.data.is_(None)).order_by(DOCS.c.id)).all()
    store = _open_store() if rows else None
    for row in rows:
        data = store.get(row.key)
        if _sha256(data) != row.sha256:
            raise RuntimeError(f"archive object {row.key} does not match the SHA-256 of "
                               f"contract_documents row {row.id}")
        bind.execute(sa.update(DOCS).where(DOCS.c.id == row.id).values(data=data))
    with op.batch_alter_table('contract_documents', schema=None) as batch_op:
        batch_op.alter_column('data', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('size')
        batch_op.drop_column('key')
