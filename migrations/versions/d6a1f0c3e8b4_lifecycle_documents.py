"""lifecycle documents: amendments, terminations and certificates are contract rows

A document signed after a contract (变更协议, 解除/终止协议, 解除/终止劳动合同证明) is a row of
``contracts`` with ``document_kind`` other than 'contract' and ``parent_id`` pointing at the
labor contract it belongs to, so the seal → SMS → worker signature → filing pipeline is the
contract's own. ``ended_on`` records a terminated contract's last working day (art. 50: kept
at least two years after it).

Revision ID: d6a1f0c3e8b4
Revises: c4e9a7d2b5f1
Create Date: 2026-12-02 13:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd6a1f0c3e8b4'
down_revision = 'c4e9a7d2b5f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_kind', sa.String(length=20), nullable=False,
                                      server_default='contract'))
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contracts_document_kind'), ['document_kind'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_contracts_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_contracts_parent_id_contracts'), 'contracts',
                                    ['parent_id'], ['id'])


def downgrade():
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contracts_parent_id_contracts'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contracts_parent_id'))
        batch_op.drop_index(batch_op.f('ix_contracts_document_kind'))
        batch_op.drop_column('ended_on')
        batch_op.drop_column('parent_id')
        batch_op.drop_column('document_kind')
