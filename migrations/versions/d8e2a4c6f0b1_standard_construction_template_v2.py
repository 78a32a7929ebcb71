"""standard construction contract, version 2: its end date and a piece rate's usual output printed

Publishes the next version of the standard templates listed in the frozen copy
data/standard_templates_v2.json (migrations never import the app; tests/app/
test_templates_domain.py keeps each kind's newest frozen copy equal to
app.domain.templates.STANDARD_V1). Today that is the construction contract
(建筑业简易劳动合同, construction_simple):

- its term clause prints 本合同期限自…起至…止 when an end date is given, and the clause "until
  the worker's part of the project is done" only when none is;
- its pay clause prints the usual output of a month of normal working hours with a piece rate
  (the figure the minimum wage was checked with).

Version 1 of every kind (data/standard_templates_v1.json, as first shipped) stays, and every
contract keeps the exact version it was made with; new contracts take the newest. Where the
newest published version of a template already holds this text, nothing is added; where a
platform admin published versions of their own, this one comes after them (numbered on from
the highest). Employers' own copies of a standard template (organization_id set) are left as
they are: an employer publishes a new version of its copy itself.

Downgrade removes the versions this revision published that no contract or batch uses (one
that is used stays, so that its contracts keep their words).

Revision ID: d8e2a4c6f0b1
Revises: c1d7e9f3a2b4
Create Date: 2026-12-07 04:00:00

"""
import json
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = 'd8e2a4c6f0b1'
down_revision = 'c1d7e9f3a2b4'
branch_labels = None
depends_on = None

DATA_FILE = Path(__file__).parent / "data" / "standard_templates_v2.json"

templates = sa.table("templates", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                     sa.column("organization_id", sa.Integer))
versions = sa.table("template_versions", sa.column("id", sa.Integer),
                    sa.column("template_id", sa.Integer), sa.column("number", sa.Integer),
                    sa.column("fields", sa.JSON), sa.column("clauses", sa.JSON),
                    sa.column("published_at", sa.DateTime(timezone=True)),
                    sa.column("published_by_id", sa.Integer))
contracts = sa.table("contracts", sa.column("template_version_id", sa.Integer))
batches = sa.table("batches", sa.column("template_version_id", sa.Integer))


def _data() -> list[dict]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def _standard(bind, kind: str) -> int | None:
    """The id of the standard template of ``kind`` (the first, as new contracts choose it)."""
    return bind.execute(sa.select(templates.c.id).where(
        templates.c.kind == kind, templates.c.organization_id.is_(None))
        .order_by(templates.c.id).limit(1)).scalar()


def _same(row, data: dict) -> bool:
    return row.fields == data["fields"] and row.clauses == data["clauses"]


def upgrade():
    bind = op.get_bind()
    for data in _data():
        template_id = _standard(bind, data["kind"])
        if template_id is None:
            continue
        newest = bind.execute(sa.select(versions.c.fields, versions.c.clauses).where(
            versions.c.template_id == template_id, versions.c.published_at.is_not(None))
            .order_by(versions.c.number.desc()).limit(1)).first()
        if newest is not None and _same(newest, data):
            continue
        highest = bind.execute(sa.select(sa.func.max(versions.c.number)).where(
            versions.c.template_id == template_id)).scalar() or 0
        bind.execute(versions.insert().values(
            template_id=template_id, number=highest + 1, fields=data["fields"],
            clauses=data["clauses"], published_at=datetime.now(UTC), published_by_id=None))


def downgrade():
    bind = op.get_bind()
    used = sa.union(sa.select(contracts.c.template_version_id),
                    sa.select(batches.c.template_version_id)).subquery()
    for data in _data():
        template_id = _standard(bind, data["kind"])
        if template_id is None:
            continue
        rows = bind.execute(sa.select(versions.c.id, versions.c.fields, versions.c.clauses).where(
            versions.c.template_id == template_id, versions.c.number > 1,
            versions.c.published_by_id.is_(None),
            versions.c.id.not_in(sa.select(used.c.template_version_id).where(
                used.c.template_version_id.is_not(None))))).all()
        ids = [row.id for row in rows if _same(row, data)]
        if ids:
            bind.execute(versions.delete().where(versions.c.id.in_(ids)))
