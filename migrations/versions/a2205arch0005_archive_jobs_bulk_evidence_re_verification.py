"""archive jobs (bulk evidence, re-verification)

Revision ID: a2205arch0005
Revises: a2204feed0004
Create Date: 2026-12-07 07:00:00

"""
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'a2205arch0005'
down_revision = 'a2204feed0004'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
