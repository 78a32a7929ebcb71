"""contract templates with immutable versions; contracts point at the version they used

Seeds the five standard templates (fixed_term, open_ended, project_based, part_time,
construction_simple), version 1 each, from the frozen copy data/standard_templates_v1.json
(migrations never import the app; tests/app/test_templates_domain.py keeps the copy equal
to app.domain.templates.STANDARD_V1). Existing contracts point at the v1 of their kind.

Revision ID: a8f3c2e9d1b7
Revises: d6a1f0c3e8b4
Create Date: 2026-12-02 14:30:00

"""
import json
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = 'a8f3c2e9d1b7'
down_revision = 'd6a1f0c3e8b4'
branch_labels = None
depends_on = None

SEED_FILE = Path(__file__).parent / "data" / "standard_templates_v1.json"
SEEDED_AT = datetime(2026, 12, 2, tzinfo=UTC)


def upgrade():
    templates = op.create_table(
        'templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('title_en', sa.String(length=200), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('based_on_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_templates_organization_id_organizations')),
        sa.ForeignKeyConstraint(['based_on_id'], ['templates.id'],
                                name=op.f('fk_templates_based_on_id_templates')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_templates')),
    )
    with op.batch_alter_table('templates') as batch_op:
        batch_op.create_index(batch_op.f('ix_templates_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_templates_organization_id'), ['organization_id'],
                              unique=False)
    versions = op.create_table(
        'template_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('template_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('clauses', sa.JSON(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['template_id'], ['templates.id'],
                                name=op.f('fk_template_versions_template_id_templates')),
        sa.ForeignKeyConstraint(['published_by_id'], ['users.id'],
                                name=op.f('fk_template_versions_published_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_template_versions')),
        sa.UniqueConstraint('template_id', 'number',
                            name=op.f('uq_template_versions_template_id')),
    )
    with op.batch_alter_table('template_versions') as batch_op:
        batch_op.create_index(batch_op.f('ix_template_versions_template_id'), ['template_id'],
                              unique=False)
    seed = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    op.bulk_insert(templates, [
        {"id": i, "kind": t["kind"], "title": t["title"], "title_en": t["title_en"],
         "organization_id": None, "based_on_id": None, "created_at": SEEDED_AT}
        for i, t in enumerate(seed, start=1)])
    op.bulk_insert(versions, [
        {"id": i, "template_id": i, "number": 1, "fields": t["fields"], "clauses": t["clauses"],
         "published_at": SEEDED_AT, "published_by_id": None}
        for i, t in enumerate(seed, start=1)])
    if op.get_bind().dialect.name == "postgresql":  # explicit ids: move the sequences on
        for table in ("templates", "template_versions"):
            op.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT MAX(id) FROM {table}))")
    with op.batch_alter_table('contracts') as batch_op:
        batch_op.add_column(sa.Column('template_version_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contracts_template_version_id'),
                              ['template_version_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_contracts_template_version_id_template_versions'),
            'template_versions', ['template_version_id'], ['id'])
    op.execute("UPDATE contracts SET template_version_id = (SELECT v.id FROM template_versions v "
               "JOIN templates t ON t.id = v.template_id WHERE t.kind = contracts.template "
               "AND t.organization_id IS NULL AND v.number = 1)")


def downgrade():
    with op.batch_alter_table('contracts') as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_contracts_template_version_id_template_versions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contracts_template_version_id'))
        batch_op.drop_column('template_version_id')
    with op.batch_alter_table('template_versions') as batch_op:
        batch_op.drop_index(batch_op.f('ix_template_versions_template_id'))
    op.drop_table('template_versions')
    with op.batch_alter_table('templates') as batch_op:
        batch_op.drop_index(batch_op.f('ix_templates_organization_id'))
        batch_op.drop_index(batch_op.f('ix_templates_kind'))
    op.drop_table('templates')
