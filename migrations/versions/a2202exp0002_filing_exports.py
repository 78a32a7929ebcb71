"""filing exports: bureau system keys, the export cursor's index on filings

The bureau systems' keys (``lbk_…``, only a hash of the secret kept), each scoped to a
region-code prefix; an index on ``filings (archived_at, id)``, the export cursor's order.

Revision ID: a2202exp0002
Revises: a2201acc0001
Create Date: 2026-12-07 05:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a2202exp0002'
down_revision = 'a2201acc0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'bureau_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('region_prefix', sa.String(length=6), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_bureau_keys'),
        sa.UniqueConstraint('prefix', name='uq_bureau_keys_prefix'),
    )
    op.create_index('ix_filings_archived_at_id', 'filings', ['archived_at', 'id'])


def downgrade():
    op.drop_index('ix_filings_archived_at_id', table_name='filings')
    op.drop_table('bureau_keys')
