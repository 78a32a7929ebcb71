"""sms deliveries: the delivery log of every text message (provider, message id, status)

Numbers are kept masked and as a keyed hash, never plain.

Revision ID: f1c3e5a7b9d0
Revises: e9f1a3b5c7d2
Create Date: 2026-12-08 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f1c3e5a7b9d0'
down_revision = 'e9f1a3b5c7d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sms_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ref', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=True),
        sa.Column('phone_masked', sa.String(length=20), nullable=False),
        sa.Column('phone_hash', sa.String(length=64), nullable=False),
        sa.Column('provider', sa.String(length=20), nullable=True),
        sa.Column('message_id', sa.String(length=100), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('error_code', sa.String(length=120), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('counted', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'],
                                name='fk_sms_deliveries_contract_id_contracts'),
        sa.PrimaryKeyConstraint('id', name='pk_sms_deliveries'),
        sa.UniqueConstraint('ref', name='uq_sms_deliveries_ref'),
    )
    op.create_index('ix_sms_deliveries_contract_id', 'sms_deliveries', ['contract_id'])
    op.create_index('ix_sms_deliveries_phone_hash', 'sms_deliveries', ['phone_hash'])
    op.create_index('ix_sms_deliveries_status', 'sms_deliveries', ['status'])
    op.create_index('ix_sms_deliveries_created_at', 'sms_deliveries', ['created_at'])
    op.create_index('ix_sms_deliveries_provider_message', 'sms_deliveries',
                    ['provider', 'message_id'])


def downgrade():
    op.drop_index('ix_sms_deliveries_provider_message', table_name='sms_deliveries')
    op.drop_index('ix_sms_deliveries_created_at', table_name='sms_deliveries')
    op.drop_index('ix_sms_deliveries_status', table_name='sms_deliveries')
    op.drop_index('ix_sms_deliveries_phone_hash', table_name='sms_deliveries')
    op.drop_index('ix_sms_deliveries_contract_id', table_name='sms_deliveries')
    op.drop_table('sms_deliveries')
