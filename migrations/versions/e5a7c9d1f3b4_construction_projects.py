"""construction projects: projects, their labor subcontractors, their archive documents

``projects``: a general contractor's construction project (permit, builder, amounts, dates,
labor-and-wage officer with the phone encrypted, the dedicated wage account encrypted and
masked, the wage deposit, pay day). ``project_members``: the labor subcontractors invited onto it (and when they accepted).
``project_documents``: every uploaded version of an archive document (category, period,
object key, SHA-256, size, type, uploader, retention). Only adds; the downgrade drops them.

Revision ID: e5a7c9d1f3b4
Revises: d4f6a8b0c2e1
Create Date: 2026-12-03 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'e5a7c9d1f3b4'
down_revision = 'd4f6a8b0c2e1'
branch_labels = None
depends_on = None


def _text(name, length=None, nullable=False):
    return sa.Column(name, sa.String(length=length) if length else sa.Text(), nullable=nullable)


def upgrade():
    op.create_table(
        'projects',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contractor_id', sa.Integer(), nullable=False),
        _text('name', 200), _text('region_code', 6), _text('permit_no', 60), _text('builder', 200),
        _text('contract_amount', 20),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('planned_end', sa.Date(), nullable=False),
        sa.Column('completed_on', sa.Date(), nullable=True),
        sa.Column('settled_on', sa.Date(), nullable=True),
        _text('officer_name', 50), _text('officer_phone_enc'), _text('officer_phone_masked', 20),
        _text('wage_bank_code', 12), _text('wage_account_enc'), _text('wage_account_masked', 40),
        _text('wage_account_holder', 200), _text('deposit_kind', 12), _text('deposit_amount', 20),
        sa.Column('pay_day', sa.Integer(), nullable=False),
        _text('created_by', 120),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contractor_id'], ['organizations.id'],
                                name=op.f('fk_projects_contractor_id_organizations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_contractor_id'), ['contractor_id'])
        batch_op.create_index(batch_op.f('ix_projects_region_code'), ['region_code'])
    op.create_table(
        'project_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'],
                                name=op.f('fk_project_members_project_id_projects')),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_project_members_organization_id_organizations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_project_members')),
        sa.UniqueConstraint('project_id', 'organization_id',
                            name=op.f('uq_project_members_project_id')),
    )
    with op.batch_alter_table('project_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_members_project_id'), ['project_id'])
        batch_op.create_index(batch_op.f('ix_project_members_organization_id'),
                              ['organization_id'])
    op.create_table(
        'project_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        _text('category', 40), _text('period', 7),
        sa.Column('version', sa.Integer(), nullable=False),
        _text('key', 300), _text('sha256', 64),
        sa.Column('size', sa.Integer(), nullable=False),
        _text('content_type', 100), _text('filename', 200), _text('uploaded_by', 120),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('retain_until', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'],
                                name=op.f('fk_project_documents_project_id_projects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_project_documents')),
        sa.UniqueConstraint('project_id', 'category', 'period', 'version',
                            name=op.f('uq_project_documents_project_id')),
    )
    with op.batch_alter_table('project_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_documents_project_id'), ['project_id'])


def downgrade():
    for table, indexes in (('project_documents', ['project_id']),
                           ('project_members', ['organization_id', 'project_id']),
                           ('projects', ['region_code', 'contractor_id'])):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in indexes:
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
