"""archive time-stamp renewals

Revision ID: a2206lta0006
Revises: a2205arch0005
Create Date: 2026-12-07 07:00:00

"""
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'a2206lta0006'
down_revision = 'a2205arch0005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
