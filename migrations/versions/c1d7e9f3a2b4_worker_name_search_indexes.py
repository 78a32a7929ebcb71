"""auditors find contracts by part of the worker's name: two PostgreSQL indexes

The auditor's search matches one or two typed characters at the start of the name (a
surname: 李, 欧阳) and three or more anywhere in it (app.services.filing.search.name_matches).

- ``ix_contracts_worker_name_trgm``: GIN with ``gin_trgm_ops`` (pg_trgm) serves
  ``worker_name LIKE '%李秀兰%'``. A trigram needs three characters, so it cannot serve a one-
  or two-character part in the middle of a name — which the search never asks for.
- ``ix_contracts_worker_name_prefix``: a btree with ``varchar_pattern_ops`` serves
  ``worker_name LIKE '李%'`` exactly, under any database collation (the plain btree
  ``ix_contracts_worker_name`` can serve a prefix only under the "C" collation).

pg_trgm is a trusted extension (PostgreSQL 13+): the database owner can create it. Both indexes
are built CONCURRENTLY so that a live table of a million contracts keeps taking writes.
SQLite (the embedded default) scans with LIKE: nothing to do there.

Revision ID: c1d7e9f3a2b4
Revises: b6e2f4a8c0d3
Create Date: 2026-12-07 03:00:00

"""
from alembic import op

revision = 'c1d7e9f3a2b4'
down_revision = 'b6e2f4a8c0d3'
branch_labels = None
depends_on = None

INDEXES = ("ix_contracts_worker_name_trgm", "ix_contracts_worker_name_prefix")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.get_context().autocommit_block():
        op.create_index(INDEXES[0], "contracts", ["worker_name"], postgresql_using="gin",
                        postgresql_ops={"worker_name": "gin_trgm_ops"},
                        postgresql_concurrently=True)
        op.create_index(INDEXES[1], "contracts", ["worker_name"],
                        postgresql_ops={"worker_name": "varchar_pattern_ops"},
                        postgresql_concurrently=True)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    with op.get_context().autocommit_block():
        for name in INDEXES:
            op.drop_index(name, table_name="contracts", postgresql_concurrently=True)
