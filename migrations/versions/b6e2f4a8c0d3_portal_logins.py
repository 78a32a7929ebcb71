"""portal logins: the worker's own space (sign-in codes and short sessions)

Revision ID: b6e2f4a8c0d3
Revises: a7c9e1b3d5f6
Create Date: 2026-12-07 02:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b6e2f4a8c0d3'
down_revision = 'a7c9e1b3d5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('portal_logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('pending_hash', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('phone_hash', sa.String(length=64), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('session_hash', sa.String(length=64), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'],
                            name=op.f('fk_portal_logins_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_logins')),
    sa.UniqueConstraint('pending_hash', name=op.f('uq_portal_logins_pending_hash')),
    sa.UniqueConstraint('session_hash', name=op.f('uq_portal_logins_session_hash'))
    )
    with op.batch_alter_table('portal_logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_logins_worker_id'), ['worker_id'], unique=False)


def downgrade():
    with op.batch_alter_table('portal_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_logins_worker_id'))
    op.drop_table('portal_logins')
