"""wage records: attendance days, pay records, wage flags

``attendance_days``: a worker's day on a project (keyed hash and masked ID number, clock
events, minutes from first in to last out; unique per project, person and day).
``pay_records``: one payment of a month's wage (days, hours, gross, net, the worker's account
hashed and masked, bank, holder, the paying account hashed, payment date; a unique hash of
the line makes importing it twice change nothing). ``wage_flags``: each flag of a
worker-month or project-month, raised once (and marked resolved when a later run no longer
finds it). Only adds; the downgrade drops them.

Revision ID: f6b8d0e2a4c5
Revises: e5a7c9d1f3b4
Create Date: 2026-12-03 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'f6b8d0e2a4c5'
down_revision = 'e5a7c9d1f3b4'
branch_labels = None
depends_on = None


def _s(name, length, nullable=False):
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def _fk(table):
    return sa.ForeignKeyConstraint(['project_id'], ['projects.id'],
                                   name=op.f(f'fk_{table}_project_id_projects'))


def upgrade():
    op.create_table(
        'attendance_days',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        _s('id_hash', 64), _s('id_masked', 30),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('events', sa.JSON(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        _fk('attendance_days'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_days')),
        sa.UniqueConstraint('project_id', 'id_hash', 'day',
                            name=op.f('uq_attendance_days_project_id')),
    )
    op.create_table(
        'pay_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        _s('id_hash', 64), _s('id_masked', 30), _s('month', 7),
        sa.Column('days', sa.Integer(), nullable=False),
        _s('hours', 12), _s('gross', 20), _s('net', 20), _s('account_hash', 64),
        _s('account_masked', 40), _s('bank', 100), _s('holder', 100),
        _s('paying_account_hash', 64),
        sa.Column('paid_on', sa.Date(), nullable=True),
        _s('row_hash', 64),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        _fk('pay_records'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pay_records')),
        sa.UniqueConstraint('row_hash', name=op.f('uq_pay_records_row_hash')),
    )
    op.create_table(
        'wage_flags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        _s('month', 7), _s('id_hash', 64), _s('id_masked', 30),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        _s('flag', 30),
        sa.Column('params', sa.JSON(), nullable=False),
        _s('at_risk', 20),
        sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        _fk('wage_flags'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wage_flags')),
        sa.UniqueConstraint('project_id', 'month', 'id_hash', 'flag',
                            name=op.f('uq_wage_flags_project_id')),
    )
    for table, columns in (('attendance_days', ['project_id', 'id_hash']),
                           ('pay_records', ['project_id', 'id_hash', 'month']),
                           ('wage_flags', ['project_id'])):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column])


def downgrade():
    for table, columns in (('wage_flags', ['project_id']),
                           ('pay_records', ['project_id', 'id_hash', 'month']),
                           ('attendance_days', ['project_id', 'id_hash'])):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
