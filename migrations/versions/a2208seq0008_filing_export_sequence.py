"""filing export sequence

The filings export reads in commit order: ``filings.export_seq`` (unique, nullable) is given
after commit by one serialized step (app/services/exports/sequence.py) from the counter
``filing_export_seq``. Existing filings are numbered here by id, and the counter starts after.
The counter ``filing_export_generation`` (a random number every export cursor carries) is
replaced after a restore (``flask filings new-generation``), so older cursors are refused.

Revision ID: a2208seq0008
Revises: a2207idx0007
Create Date: 2026-12-07 07:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a2208seq0008'
down_revision = 'a2207idx0007'
branch_labels = None
depends_on = None

COUNTER = "filing_export_seq"
GENERATION = "filing_export_generation"


def upgrade():
    op.add_column("filings", sa.Column("export_seq", sa.Integer(), nullable=True))
    op.execute("UPDATE filings SET export_seq = id")
    op.create_index("ix_filings_export_seq", "filings", ["export_seq"], unique=True)
    # only where missing: a restore runs ``flask filings new-generation`` (which creates the
    # generation counter) and may do so before this upgrade, on a dump of an earlier release
    for name, value in ((COUNTER, "(SELECT COALESCE(MAX(id), 0) FROM filings)"),
                        (GENERATION, str(secrets.randbelow(2**31 - 1) + 1))):
        op.execute(sa.text(f"INSERT INTO counters (name, value) SELECT :name, {value} "
                           "FROM (SELECT 1 AS one) AS one WHERE NOT EXISTS "
                           "(SELECT 1 FROM counters WHERE name = :name)").bindparams(name=name))


def downgrade():
    op.execute(sa.text("DELETE FROM counters WHERE name IN (:name, :generation)")
               .bindparams(name=COUNTER, generation=GENERATION))
    op.drop_index("ix_filings_export_seq", table_name="filings")
    with op.batch_alter_table("filings") as batch:
        batch.drop_column("export_seq")
