"""scheduled runs: one row per periodic job and due slot (claim and record)

`flask schedule run` claims a job's due slot by inserting its row; the unique (job, slot)
constraint lets one scheduler win, on PostgreSQL and SQLite alike.

Revision ID: e9f1a3b5c7d2
Revises: d8e2a4c6f0b1
Create Date: 2026-12-07 11:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e9f1a3b5c7d2'
down_revision = 'd8e2a4c6f0b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'scheduled_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=60), nullable=False),
        sa.Column('slot', sa.String(length=32), nullable=False),
        sa.Column('claimed_by', sa.String(length=80), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=8), nullable=True),
        sa.Column('summary', sa.String(length=300), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('job', 'slot', name='uq_scheduled_runs_job_slot'),
    )
    op.create_index('ix_scheduled_runs_started_at', 'scheduled_runs', ['started_at'])


def downgrade():
    op.drop_index('ix_scheduled_runs_started_at', table_name='scheduled_runs')
    op.drop_table('scheduled_runs')
