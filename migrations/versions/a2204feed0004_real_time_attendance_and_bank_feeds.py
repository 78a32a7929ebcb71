"""real-time attendance and bank feeds

Revision ID: a2204feed0004
Revises: a2203idx0003
Create Date: 2026-12-07 07:00:00

"""
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'a2204feed0004'
down_revision = 'a2203idx0003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
