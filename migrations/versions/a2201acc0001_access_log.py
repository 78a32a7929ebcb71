"""access log: hash-chained record of auditors' and admins' reads, daily anchors

The chain's head row (id 1, genesis hash) is inserted here: appends lock it.

Revision ID: a2201acc0001
Revises: f1c3e5a7b9d0
Create Date: 2026-12-07 05:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a2201acc0001'
down_revision = 'f1c3e5a7b9d0'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
INDEXED = ("at", "actor", "action", "contract_id", "organization_id")


def upgrade():
    op.create_table(
        "access_log_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=True),
        sa.Column("scope", sa.String(length=200), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=True),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("criteria", sa.JSON(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    for name in INDEXED:
        op.create_index(f"ix_access_log_entries_{name}", "access_log_entries", [name])
    head = op.create_table(
        "access_log_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    op.create_table(
        "access_log_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("token", sa.LargeBinary(), nullable=False),
        sa.Column("stamped_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("access_log_anchors")
    op.drop_table("access_log_head")
    for name in INDEXED:
        op.drop_index(f"ix_access_log_entries_{name}", table_name="access_log_entries")
    op.drop_table("access_log_entries")
