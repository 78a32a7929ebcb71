"""search indexes for the auditors' archive search at a million contracts

(Placeholder made by the lead; the helper building this part fills upgrade/downgrade.)

Revision ID: a2203idx0003
Revises: a2202exp0002
Create Date: 2026-12-07 05:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'a2203idx0003'
down_revision = 'a2202exp0002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
