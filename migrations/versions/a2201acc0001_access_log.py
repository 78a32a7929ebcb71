"""access log: hash-chained record of auditors' and admins' reads, daily anchors

(Placeholder made by the lead; the helper building this part fills upgrade/downgrade.)

Revision ID: a2201acc0001
Revises: f1c3e5a7b9d0
Create Date: 2026-12-07 05:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'a2201acc0001'
down_revision = 'f1c3e5a7b9d0'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
