"""contracts and batches name their project; the county's wage thresholds

``contracts.project_id`` / ``project_team``: the construction project (and team) a worker
joins through a contract of any template (before, only the construction simple template's
``project_name`` term named one: such contracts still count by name while unlinked).
``batches.project_id`` / ``project_team``: every contract of the batch joins that project.
``wage_thresholds``: the arrears-warning thresholds by region-code prefix and effective date,
added by platform admins, never changed (projects without a row use the settings' defaults).
Only adds; the downgrade drops them.

Revision ID: a7c9e1b3d5f6
Revises: f6b8d0e2a4c5
Create Date: 2026-12-03 11:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c9e1b3d5f6'
down_revision = 'f6b8d0e2a4c5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('project_team', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_contracts_project_id'), ['project_id'])
        batch_op.create_foreign_key(batch_op.f('fk_contracts_project_id_projects'),
                                    'projects', ['project_id'], ['id'])
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('project_team', sa.String(length=100), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_batches_project_id_projects'),
                                    'projects', ['project_id'], ['id'])
    op.create_table(
        'wage_thresholds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_prefix', sa.String(length=6), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('underpaid_percent', sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column('late_days', sa.Integer(), nullable=False),
        sa.Column('big_month', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('big_year', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('unpaid_share_percent', sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_wage_thresholds_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wage_thresholds')),
        sa.UniqueConstraint('region_prefix', 'effective_from',
                            name=op.f('uq_wage_thresholds_region_prefix')),
    )
    with op.batch_alter_table('wage_thresholds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wage_thresholds_region_prefix'),
                              ['region_prefix'])


def downgrade():
    op.drop_table('wage_thresholds')
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_batches_project_id_projects'),
                                 type_='foreignkey')
        batch_op.drop_column('project_team')
        batch_op.drop_column('project_id')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contracts_project_id_projects'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contracts_project_id'))
        batch_op.drop_column('project_team')
        batch_op.drop_column('project_id')
