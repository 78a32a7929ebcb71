"""search indexes for the auditors' archive search at a million contracts

The auditor's search (app.services.filing.search) pages through the labor contracts of a
scope, newest first (or oldest, or by signing date), filtered by employer, kind, status,
project or signing dates. Each shape gets a btree that serves the filter *and* the order, so
that a page of 50 is read from the index instead of sorting every match:

- ``ix_contracts_org_id``: (organization_id, id) — employers named in an auditor's scope,
  an employer searched by name part or USCC;
- ``ix_contracts_template_id``: (template, id) — the contract kind;
- ``ix_contracts_status_id``: (status, id) — the status (the plain ``ix_contracts_status``
  stays for the other screens);
- ``ix_contracts_project_id_id``: (project_id, id) — the project;
- ``ix_contracts_signed_at``: (signed_at, id) — signing-date ranges and the order by date;
- ``ix_organizations_region_code``: the jurisdiction (region-code prefix) of the scope
  (``varchar_pattern_ops`` on PostgreSQL so that ``LIKE '4301%'`` uses it under any collation).

All are plain btrees: SQLite (the embedded default) gets the same ones. On PostgreSQL they are
built CONCURRENTLY so that a live table of a million contracts keeps taking writes.

Revision ID: a2203idx0003
Revises: a2202exp0002
Create Date: 2026-12-07 05:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a2203idx0003'
down_revision = 'a2202exp0002'
branch_labels = None
depends_on = None

#: name → (table, columns)
INDEXES = {
    "ix_contracts_org_id": ("contracts", ["organization_id", "id"]),
    "ix_contracts_template_id": ("contracts", ["template", "id"]),
    "ix_contracts_status_id": ("contracts", ["status", "id"]),
    "ix_contracts_project_id_id": ("contracts", ["project_id", "id"]),
    "ix_contracts_signed_at": ("contracts", ["signed_at", "id"]),
    "ix_organizations_region_code": ("organizations", ["region_code"]),
}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        for name, (table, columns) in INDEXES.items():
            op.create_index(name, table, columns)
        return
    with op.get_context().autocommit_block():
        for name, (table, columns) in INDEXES.items():
            ops = ({"region_code": "varchar_pattern_ops"} if table == "organizations" else {})
            op.create_index(name, table, columns, postgresql_ops=ops,
                            postgresql_concurrently=True)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        for name, (table, _columns) in INDEXES.items():
            op.drop_index(name, table_name=table)
        return
    with op.get_context().autocommit_block():
        for name, (table, _columns) in INDEXES.items():
            op.drop_index(name, table_name=table, postgresql_concurrently=True)
