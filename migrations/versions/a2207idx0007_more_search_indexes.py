"""more search indexes: the auditors' search pages each employer from its own index

The auditor's search (app.services.filing.search) pages an employer named by name part or
USCC, or the few employers of an auditor scoped to named employers, one employer at a time
(``organization_id = :one ORDER BY id DESC LIMIT page × 50`` per employer, merged), and counts
the matches up to 1,000. Measured at 1,000,000 contracts (bench/archive_search.py), the
per-employer filters still read every row of a big employer (tens of thousands) or built two
large bitmaps to count them; these btrees give each shape its rows in order:

- ``ix_contracts_org_template_id``: (organization_id, template, id) — an employer's contracts
  of one kind, newest or oldest first;
- ``ix_contracts_org_status_id``: (organization_id, status, id) — of one status;
- ``ix_contracts_org_signed_at``: (organization_id, signed_at, id) — by signing date, and
  signing-date ranges of an employer;
- ``ix_contracts_org_worker_name``: (organization_id, worker_name) — a surname within an
  employer (``varchar_pattern_ops`` on PostgreSQL so that ``LIKE '李%'`` uses it under any
  collation);
- ``ix_contracts_template_status_id_signed``: (template, status, id, signed_at) — kind and
  status over the whole county within signing dates, newest or oldest first: the index is
  walked in id order and the signing dates are checked on the index entries, so the years
  outside the range cost index entries, not table rows (PostgreSQL does not know that ids grow
  with signing dates and would otherwise walk the whole table by id); counted likewise.

``ix_contracts_template_id`` and ``ix_contracts_status_id`` of a2203idx0003 stay (kind or status
alone, county-wide). All are plain btrees: SQLite (the embedded default) gets the same ones. On
PostgreSQL they are built CONCURRENTLY so that a live table keeps taking writes.

Revision ID: a2207idx0007
Revises: a2206lta0006
Create Date: 2026-12-07 07:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a2207idx0007'
down_revision = 'a2206lta0006'
branch_labels = None
depends_on = None

#: name → (table, columns); a column ``worker_name`` gets ``varchar_pattern_ops`` on PostgreSQL
INDEXES = {
    "ix_contracts_org_template_id": ("contracts", ["organization_id", "template", "id"]),
    "ix_contracts_org_status_id": ("contracts", ["organization_id", "status", "id"]),
    "ix_contracts_org_signed_at": ("contracts", ["organization_id", "signed_at", "id"]),
    "ix_contracts_org_worker_name": ("contracts", ["organization_id", "worker_name"]),
    "ix_contracts_template_status_id_signed": ("contracts",
                                               ["template", "status", "id", "signed_at"]),
}
#: indexes this revision drops (name → (table, columns)); re-created by the downgrade
DROPPED: dict = {}
PATTERN_OPS = {"worker_name": "varchar_pattern_ops"}


def postgresql_create(name: str, concurrently: bool = False) -> str:
    """The PostgreSQL ``CREATE INDEX`` of ``name`` (also used by bench/archive_search.py)."""
    table, columns = {**INDEXES, **DROPPED}[name]
    cols = ", ".join(f"{c} {PATTERN_OPS[c]}" if c in PATTERN_OPS else c for c in columns)
    return (f"CREATE INDEX {'CONCURRENTLY ' if concurrently else ''}IF NOT EXISTS {name} "
            f"ON {table} ({cols})")


def _postgresql(create: dict, drop: dict) -> None:
    with op.get_context().autocommit_block():
        # a CONCURRENTLY build that failed (a cancelled migration) leaves an INVALID index
        # that "IF NOT EXISTS" would keep: drop those first, so a re-run builds them again
        invalid = op.get_bind().execute(sa.text(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE NOT i.indisvalid AND c.relname = ANY(:names)"),
            {"names": list(create)}).scalars().all()
        for name in invalid:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        for name in create:
            op.execute(postgresql_create(name, concurrently=True))
        for name in drop:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(INDEXES, DROPPED)
        return
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)
    for name, (table, _columns) in DROPPED.items():
        op.drop_index(name, table_name=table)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(DROPPED, INDEXES)
        return
    for name, (table, columns) in DROPPED.items():
        op.create_index(name, table, columns)
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
