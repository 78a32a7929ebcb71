"""archive jobs (bulk evidence, re-verification)

Revision ID: a2205arch0005
Revises: a2204feed0004
Create Date: 2026-12-07 07:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a2205arch0005'
down_revision = 'a2204feed0004'
branch_labels = None
depends_on = None

INDEXED = ("actor", "status")


def upgrade():
    op.create_table(
        "archive_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("criteria_shown", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("invalid", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result_key", sa.String(length=300), nullable=True),
        sa.Column("result_size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_jobs")),
    )
    for name in INDEXED:
        op.create_index(f"ix_archive_jobs_{name}", "archive_jobs", [name])


def downgrade():
    for name in INDEXED:
        op.drop_index(f"ix_archive_jobs_{name}", table_name="archive_jobs")
    op.drop_table("archive_jobs")
