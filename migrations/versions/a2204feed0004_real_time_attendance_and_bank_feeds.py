"""real-time attendance and bank feeds: feed keys, receipts by the sender's record id, the
worker-months waiting for re-reconciliation; a pay record's status, sender and sender's record
id (gross may be unknown); a keyed hash of each project's wage account (backfilled from the
encrypted account: needs the app's PII_KEY, as every `flask db upgrade` has)

Revision ID: a2204feed0004
Revises: a2203idx0003
Create Date: 2026-12-07 07:00:00

"""
import logging

import sqlalchemy as sa
from alembic import context, op

# revision identifiers, used by Alembic.
revision = 'a2204feed0004'
down_revision = 'a2203idx0003'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
projects = sa.table("projects", sa.column("id", sa.Integer),
                    sa.column("wage_account_enc", sa.Text),
                    sa.column("wage_account_hash", sa.String))


def _backfill(conn) -> None:
    """Each project's wage account hash from its encrypted account (one that cannot be read
    stays empty: the push then cannot find that project)."""
    if context.is_offline_mode():
        return
    from app import pii

    for row in conn.execute(sa.select(projects.c.id, projects.c.wage_account_enc)):
        try:
            hashed = pii.keyed_hash(pii.decrypt(row.wage_account_enc), "account")
        except Exception:  # noqa: BLE001 - not readable with any configured key
            log.warning("project %s: wage account cannot be decrypted; no hash", row.id)
            continue
        conn.execute(projects.update().where(projects.c.id == row.id)
                     .values(wage_account_hash=hashed))


def upgrade():
    # pay_records first: the feed tables refer to it (SQLite rebuilds it in batch mode)
    with op.batch_alter_table("pay_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=10), nullable=False,
                                      server_default="paid"))
        batch_op.add_column(sa.Column("record_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("sender", sa.String(length=130), nullable=True))
        batch_op.alter_column("gross", existing_type=sa.String(length=20), nullable=True)
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wage_account_hash", sa.String(length=64), nullable=True))
    _backfill(op.get_bind())
    op.create_table(
        "feed_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("bank_code", sa.String(length=12), nullable=True),
        sa.Column("sender", sa.String(length=130), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"],
                                name="fk_feed_keys_project_id_projects"),
        sa.PrimaryKeyConstraint("id", name="pk_feed_keys"),
        sa.UniqueConstraint("prefix", name="uq_feed_keys_prefix"),
    )
    op.create_index("ix_feed_keys_project_id", "feed_keys", ["project_id"])
    op.create_table(
        "feed_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=130), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("pay_record_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"],
                                name="fk_feed_receipts_project_id_projects"),
        sa.ForeignKeyConstraint(["key_id"], ["feed_keys.id"],
                                name="fk_feed_receipts_key_id_feed_keys"),
        sa.ForeignKeyConstraint(["pay_record_id"], ["pay_records.id"],
                                name="fk_feed_receipts_pay_record_id_pay_records"),
        sa.PrimaryKeyConstraint("id", name="pk_feed_receipts"),
        sa.UniqueConstraint("sender", "kind", "record_id",
                            name="uq_feed_receipts_sender"),
    )
    op.create_index("ix_feed_receipts_project_id", "feed_receipts", ["project_id"])
    op.create_table(
        "feed_pending",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"],
                                name="fk_feed_pending_project_id_projects"),
        sa.PrimaryKeyConstraint("id", name="pk_feed_pending"),
        sa.UniqueConstraint("project_id", "id_hash", "month",
                            name="uq_feed_pending_project_id"),
    )
    op.create_index("ix_feed_pending_project_id", "feed_pending", ["project_id"])


def downgrade():
    op.drop_index("ix_feed_pending_project_id", table_name="feed_pending")
    op.drop_table("feed_pending")
    op.drop_index("ix_feed_receipts_project_id", table_name="feed_receipts")
    op.drop_table("feed_receipts")
    op.drop_index("ix_feed_keys_project_id", table_name="feed_keys")
    op.drop_table("feed_keys")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("wage_account_hash")
    op.execute("UPDATE pay_records SET gross = '0' WHERE gross IS NULL")
    with op.batch_alter_table("pay_records", schema=None) as batch_op:
        batch_op.alter_column("gross", existing_type=sa.String(length=20), nullable=False)
        batch_op.drop_column("sender")
        batch_op.drop_column("record_id")
        batch_op.drop_column("status")
