"""minimum-wage table (regions, effective dates; seeded with Hunan) and rule results

The minimum wage moves from a table in the code into the database, where platform admins add
rows (history kept). Seeded with the figures of LABOR_RULES.md: Hunan province from
2025-09-01 at its lowest tier (¥1,800/month, ¥18/hour), Changsha County (430121) at ¥1,740 /
¥17 from 2022-04-01 and ¥2,200 / ¥22 from 2025-09-01 (its tier is unverified). Contracts
get ``rule_results``: the rule engine's warnings and their acknowledgements.

Revision ID: c4e9a7d2b5f1
Revises: c5e8a1f3d7b2
Create Date: 2026-12-02 05:10:00

"""
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = 'c4e9a7d2b5f1'
down_revision = 'c5e8a1f3d7b2'
branch_labels = None
depends_on = None

# A literal copy (migrations never import the app): app.services.standards.minimum_wages.SEED
SEED = [
    ("430121", date(2022, 4, 1), Decimal("1740.00"), Decimal("17.00"),
     "长沙县（原二档；档次未核实）"),
    ("430121", date(2025, 9, 1), Decimal("2200.00"), Decimal("22.00"),
     "长沙县（档次未核实，LABOR_RULES.md）"),
    ("43", date(2025, 9, 1), Decimal("1800.00"), Decimal("18.00"), "湖南省最低档"),
]
SEEDED_AT = datetime(2026, 12, 2, tzinfo=UTC)


def upgrade():
    table = op.create_table(
        'minimum_wages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_prefix', sa.String(length=6), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('monthly', sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column('hourly', sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_minimum_wages_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_minimum_wages')),
        sa.UniqueConstraint('region_prefix', 'effective_from',
                            name=op.f('uq_minimum_wages_region_prefix')),
    )
    with op.batch_alter_table('minimum_wages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minimum_wages_region_prefix'), ['region_prefix'],
                              unique=False)
    op.bulk_insert(table, [
        {"region_prefix": prefix, "effective_from": start, "monthly": monthly,
         "hourly": hourly, "note": note, "created_at": SEEDED_AT}
        for prefix, start, monthly, hourly, note in SEED])
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule_results', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_column('rule_results')
    with op.batch_alter_table('minimum_wages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minimum_wages_region_prefix'))
    op.drop_table('minimum_wages')
