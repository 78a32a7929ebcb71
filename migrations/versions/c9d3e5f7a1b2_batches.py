"""batches: a roster launched at once, one row per worker

``batches`` holds a checked roster of one employer (template version, who launched it, the
warnings acknowledged at launch); ``batch_rows`` one worker each: the typed row encrypted
(dropped once the contract exists), the masked ID number, the row's status, its job, the
contract made of it or the reason it failed. Only adds; the downgrade drops both.

Revision ID: c9d3e5f7a1b2
Revises: b2e7c4d9f1a3
Create Date: 2026-12-03 07:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c9d3e5f7a1b2'
down_revision = 'b2e7c4d9f1a3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'batches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('api_key_id', sa.Integer(), nullable=True),
        sa.Column('template_version_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('acknowledged', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('launched_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_batches_organization_id_organizations')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_batches_created_by_id_users')),
        sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'],
                                name=op.f('fk_batches_api_key_id_api_keys')),
        sa.ForeignKeyConstraint(['template_version_id'], ['template_versions.id'],
                                name=op.f('fk_batches_template_version_id_template_versions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_batches')),
    )
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batches_organization_id'), ['organization_id'],
                              unique=False)
    op.create_table(
        'batch_rows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('row_no', sa.Integer(), nullable=False),
        sa.Column('data_enc', sa.Text(), nullable=True),
        sa.Column('worker_name', sa.String(length=100), nullable=False),
        sa.Column('id_masked', sa.String(length=30), nullable=False),
        sa.Column('warnings', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('contract_id', sa.Integer(), nullable=True),
        sa.Column('error', sa.JSON(), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], ondelete='CASCADE',
                                name=op.f('fk_batch_rows_batch_id_batches')),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'],
                                name=op.f('fk_batch_rows_contract_id_contracts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_rows')),
        sa.UniqueConstraint('batch_id', 'row_no', name=op.f('uq_batch_rows_batch_id')),
    )
    with op.batch_alter_table('batch_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_rows_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_batch_rows_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('batch_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_rows_status'))
        batch_op.drop_index(batch_op.f('ix_batch_rows_batch_id'))
    op.drop_table('batch_rows')
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batches_organization_id'))
    op.drop_table('batches')
