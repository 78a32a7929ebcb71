"""filing export sequence

Revision ID: a2208seq0008
Revises: a2207idx0007
Create Date: 2026-12-07 07:00:00

"""
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'a2208seq0008'
down_revision = 'a2207idx0007'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
