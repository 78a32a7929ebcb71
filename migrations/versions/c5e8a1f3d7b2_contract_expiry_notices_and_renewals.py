"""contract expiry: expiry notices (one per contract) and renewals linked to their original

``expiry_notices`` records that a contract entering the 30-day expiry window was announced
(HR told, the worker texted once; unique per contract). ``contracts.renewal_of_id`` links a
renewal (续订) draft to the contract it continues. Self-contained: only adds, so it can be
re-chained after any other revision from b8d2c6e1f0a4; the downgrade drops both.

Revision ID: c5e8a1f3d7b2
Revises: b8d2c6e1f0a4
Create Date: 2026-12-02 05:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c5e8a1f3d7b2'
down_revision = 'b8d2c6e1f0a4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'expiry_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('term_end', sa.Date(), nullable=False),
        sa.Column('days_left', sa.Integer(), nullable=False),
        sa.Column('worker_texted', sa.Boolean(), nullable=False),
        sa.Column('hr_recipients', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ondelete='CASCADE',
                                name=op.f('fk_expiry_notices_contract_id_contracts')),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_expiry_notices_organization_id_organizations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_expiry_notices')),
        sa.UniqueConstraint('contract_id', name=op.f('uq_expiry_notices_contract_id')),
    )
    with op.batch_alter_table('expiry_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expiry_notices_organization_id'),
                              ['organization_id'], unique=False)
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('renewal_of_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contracts_renewal_of_id'), ['renewal_of_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_contracts_renewal_of_id_contracts'),
                                    'contracts', ['renewal_of_id'], ['id'])


def downgrade():
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contracts_renewal_of_id_contracts'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contracts_renewal_of_id'))
        batch_op.drop_column('renewal_of_id')
    with op.batch_alter_table('expiry_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expiry_notices_organization_id'))
    op.drop_table('expiry_notices')
