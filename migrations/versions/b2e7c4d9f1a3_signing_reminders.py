"""signing reminders: one row per reminder sent, the employer's schedule

``signing_reminders`` records reminder n (1–3) of a contract waiting for the worker (unique
per contract and number: the run texts each reminder once). ``organizations.reminder_days``
holds the employer's schedule (days after sending; NULL: the platform's default, days 2 and
5). Only adds; the downgrade drops both.

Revision ID: b2e7c4d9f1a3
Revises: a8f3c2e9d1b7
Create Date: 2026-12-02 20:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b2e7c4d9f1a3'
down_revision = 'a8f3c2e9d1b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'signing_reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('day', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ondelete='CASCADE',
                                name=op.f('fk_signing_reminders_contract_id_contracts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_reminders')),
        sa.UniqueConstraint('contract_id', 'number',
                            name=op.f('uq_signing_reminders_contract_id')),
    )
    with op.batch_alter_table('signing_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_reminders_contract_id'), ['contract_id'],
                              unique=False)
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_days', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('reminder_days')
    with op.batch_alter_table('signing_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_reminders_contract_id'))
    op.drop_table('signing_reminders')
