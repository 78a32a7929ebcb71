"""separate pii keys: recompute keyed hashes of ID numbers under the HKDF hash key

The keyed-hash key is now derived with HKDF from PII_KEY (app/pii.py), separate from the
field-encryption key. Stored hashes made with the old single key are recomputed from the
encrypted ID numbers (which stay readable: the old key remains a decryption key). Needs the
app's PII_KEY, as every `flask db upgrade` has. Pending one-time codes made before the upgrade
no longer match; the worker asks for a new code.

Revision ID: a3c9d4e5f6b7
Revises: f7f61fa627d1
Create Date: 2026-12-01 09:00:00.000000

"""
import logging

import sqlalchemy as sa
from alembic import context, op

# revision identifiers, used by Alembic.
revision = 'a3c9d4e5f6b7'
down_revision = 'f7f61fa627d1'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
workers = sa.table("workers", sa.column("id", sa.Integer), sa.column("id_hash", sa.String),
                   sa.column("id_number_enc", sa.String))


def rehash(conn, new_hash, old_hash) -> int:
    """Replace each worker's ID hash made by ``old_hash`` with ``new_hash``; returns how many."""
    from app import pii

    changed = 0
    for row in conn.execute(sa.select(workers.c.id, workers.c.id_hash, workers.c.id_number_enc)):
        try:
            plain = pii.decrypt(row.id_number_enc)
        except Exception:  # noqa: BLE001 - not readable with any configured key
            log.warning("worker %s: ID number cannot be decrypted; hash left unchanged", row.id)
            continue
        target, source = new_hash(plain), old_hash(plain)
        if row.id_hash == source and row.id_hash != target:
            conn.execute(workers.update().where(workers.c.id == row.id).values(id_hash=target))
            changed += 1
        elif row.id_hash != target:
            log.warning("worker %s: stored ID hash matches neither key; left unchanged", row.id)
    log.info("recomputed %s worker ID hash(es)", changed)
    return changed


def upgrade():
    if context.is_offline_mode():
        return
    from app import pii

    rehash(op.get_bind(), pii.keyed_hash, pii.legacy_keyed_hash)


def downgrade():
    if context.is_offline_mode():
        return
    from app import pii

    rehash(op.get_bind(), pii.legacy_keyed_hash, pii.keyed_hash)
