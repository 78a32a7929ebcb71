"""more search indexes

Revision ID: a2207idx0007
Revises: a2206lta0006
Create Date: 2026-12-07 07:00:00

"""
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'a2207idx0007'
down_revision = 'a2206lta0006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
