"""archive time-stamp renewals

Revision ID: a2206lta0006
Revises: a2205arch0005
Create Date: 2026-12-07 07:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a2206lta0006'
down_revision = 'a2205arch0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "filing_timestamps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stamped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tsa_serial", sa.String(length=64), nullable=True),
        sa.Column("tsa_not_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("md_algorithm", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["filing_id"], ["filings.id"],
                                name=op.f("fk_filing_timestamps_filing_id_filings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filing_timestamps")),
        sa.UniqueConstraint("filing_id", "seq", name=op.f("uq_filing_timestamps_filing_id")),
    )
    op.create_index("ix_filing_timestamps_tsa_not_after", "filing_timestamps",
                    ["tsa_not_after"])
    op.create_index("ix_filing_timestamps_sha256", "filing_timestamps", ["sha256"])


def downgrade():
    op.drop_index("ix_filing_timestamps_sha256", table_name="filing_timestamps")
    op.drop_index("ix_filing_timestamps_tsa_not_after", table_name="filing_timestamps")
    op.drop_table("filing_timestamps")
