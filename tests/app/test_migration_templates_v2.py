"""Databases set up before the construction contract printed its end date get version 2 of the
standard template (migration d8e2a4c6f0b1); contracts keep the version they were made with,
employers' copies stay as they are, and a fresh install ends with the same text."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

BEFORE, REVISION = "c1d7e9f3a2b4", "d8e2a4c6f0b1"
DATA = Path(__file__).parents[2] / "migrations" / "versions" / "data"
V1 = {t["kind"]: t for t in json.loads((DATA / "standard_templates_v1.json").read_text("utf-8"))}


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _versions(conn, kind: str, *, standard: bool = True) -> list[tuple]:
    """``(id, number, clauses)`` of the templates of ``kind`` (standard or copies), by number."""
    owner = "IS NULL" if standard else "IS NOT NULL"
    rows = conn.execute(sa.text(
        "SELECT v.id, v.number, v.clauses FROM template_versions v JOIN templates t "
        f"ON t.id = v.template_id WHERE t.kind = :kind AND t.organization_id {owner} "
        "ORDER BY v.number"), {"kind": kind}).all()
    return [(r[0], r[1], _json(r[2])) for r in rows]


def _seed_old_database(conn) -> int:
    """An employer with a construction contract on version 1 and its own copy of the
    construction template, as a database set up before; returns version 1's id."""
    v1_id = conn.execute(sa.text(
        "SELECT v.id FROM template_versions v JOIN templates t ON t.id = v.template_id "
        "WHERE t.kind = 'construction_simple' AND t.organization_id IS NULL")).scalar_one()
    conn.execute(sa.text(
        "INSERT INTO organizations (id, name, uscc, address, legal_rep, region_code, status, "
        "created_at) VALUES (1, '甲', '91110000600037341L', '长沙', '钱', '430121', 'approved', "
        "CURRENT_TIMESTAMP)"))
    conn.execute(sa.text("INSERT INTO workers (id, id_hash, id_number_enc, id_masked, "
                         "created_at) VALUES (1, 'h', 'e', 'm', CURRENT_TIMESTAMP)"))
    conn.execute(sa.text(
        "INSERT INTO contracts (id, contract_no, organization_id, worker_id, worker_name, "
        "worker_phone_enc, worker_phone_masked, template, template_version, "
        "template_version_id, terms, status, created_at, version) VALUES (1, 'HT1', 1, 1, "
        "'张三', 'e', 'm', 'construction_simple', 1, :v, '{}', 'filed', CURRENT_TIMESTAMP, 1)"),
        {"v": v1_id})
    conn.execute(sa.text(
        "INSERT INTO templates (id, kind, title, title_en, organization_id, based_on_id, "
        "created_at) SELECT 100, kind, title, title_en, 1, id, CURRENT_TIMESTAMP FROM templates "
        "WHERE kind = 'construction_simple' AND organization_id IS NULL"))
    conn.execute(sa.text(
        "INSERT INTO template_versions (id, template_id, number, fields, clauses, published_at) "
        "SELECT 100, 100, 1, fields, clauses, published_at FROM template_versions "
        "WHERE id = :v"), {"v": v1_id})
    return v1_id


def test_old_databases_get_version_2_and_contracts_keep_version_1(blank_app):
    from flask_migrate import downgrade, upgrade

    from app.domain.templates import STANDARD_V1
    from app.extensions import db

    standard = {t["kind"]: t for t in STANDARD_V1}
    with blank_app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            v1_id = _seed_old_database(conn)
            old_clauses = _versions(conn, "construction_simple")[0][2]
        assert old_clauses == V1["construction_simple"]["clauses"]
        assert "本合同期限自%(term_start)s起至%(term_end)s止。" not in json.dumps(
            old_clauses, ensure_ascii=False)  # the old text: no end date printed
        upgrade(revision=REVISION)
        with db.engine.connect() as conn:
            (first, one, kept), (_, two, published) = _versions(conn, "construction_simple")
            assert (first, one, kept) == (v1_id, 1, old_clauses)  # version 1 as it was
            assert two == 2 and published == standard["construction_simple"]["clauses"]
            assert conn.execute(sa.text("SELECT template_version_id FROM contracts")
                                ).scalar_one() == v1_id  # the contract keeps its version
            copy = _versions(conn, "construction_simple", standard=False)
            assert [(n, c) for _, n, c in copy] == [(1, old_clauses)]  # the employer's copy
            for kind in ("fixed_term", "open_ended", "project_based", "part_time"):
                assert [n for _, n, _ in _versions(conn, kind)] == [1]  # unchanged kinds
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            assert [n for _, n, _ in _versions(conn, "construction_simple")] == [1]
        upgrade(revision=REVISION)
        with db.engine.begin() as conn:  # a contract made on version 2 keeps it on downgrade
            conn.execute(sa.text(
                "UPDATE contracts SET template_version_id = (SELECT MAX(id) FROM "
                "template_versions WHERE template_id = (SELECT based_on_id FROM templates "
                "WHERE id = 100))"))
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            assert [n for _, n, _ in _versions(conn, "construction_simple")] == [1, 2]


def test_new_contracts_on_an_old_database_print_the_end_date_and_usual_output(blank_app):
    from flask_migrate import upgrade

    from app.domain.templates import fill
    from app.extensions import db
    from app.models import Template

    with blank_app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            _seed_old_database(conn)
        upgrade()
        template = db.session.scalar(sa.select(Template).where(
            Template.kind == "construction_simple", Template.organization_id.is_(None)))
        values = {"term_start": "2026-11-01", "term_end": "2027-10-31", "project_name": "桥",
                  "wage_form": "piece_rate", "wage_amount": "22", "usual_output": "350.00"}
        text = json.dumps(fill(template.newest.spec, values), ensure_ascii=False)
        assert "本合同期限自2026年11月1日起至2027年10月31日止。" in text
        assert "月产量（计件数量）约为350" in text
        old = json.dumps(fill(template.versions[0].spec, values), ensure_ascii=False)
        assert "2027年10月31日" not in old  # version 1 reads as it always did
        db.session.remove()


def test_a_fresh_install_ends_with_the_standard_text_and_reruns_add_nothing(blank_app):
    from flask_migrate import downgrade, upgrade

    from app.domain.templates import STANDARD_V1
    from app.extensions import db

    with blank_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            for t in STANDARD_V1:
                assert _versions(conn, t["kind"])[-1][2] == t["clauses"], t["kind"]
        # a database whose newest version already holds the text gets nothing more
        downgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO template_versions (template_id, number, fields, clauses, "
                "published_at) SELECT template_id, 2, :f, :c, CURRENT_TIMESTAMP FROM "
                "template_versions WHERE id = (SELECT MIN(v.id) FROM template_versions v JOIN "
                "templates t ON t.id = v.template_id WHERE t.kind = 'construction_simple')"),
                {"f": json.dumps(next(t for t in STANDARD_V1 if t["kind"] ==
                                      "construction_simple")["fields"], ensure_ascii=False),
                 "c": json.dumps(next(t for t in STANDARD_V1 if t["kind"] ==
                                      "construction_simple")["clauses"], ensure_ascii=False)})
        upgrade()
        with db.engine.connect() as conn:
            assert [n for _, n, _ in _versions(conn, "construction_simple")] == [1, 2]


def test_after_versions_a_platform_admin_published_the_standard_one_comes_next(blank_app):
    from flask_migrate import upgrade

    from app.domain.templates import STANDARD_V1
    from app.extensions import db

    with blank_app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO template_versions (template_id, number, fields, clauses, "
                "published_at) SELECT template_id, 2, fields, '[]', CURRENT_TIMESTAMP FROM "
                "template_versions WHERE id = (SELECT MIN(v.id) FROM template_versions v JOIN "
                "templates t ON t.id = v.template_id WHERE t.kind = 'construction_simple')"))
        upgrade()
        with db.engine.connect() as conn:
            numbers = _versions(conn, "construction_simple")
        assert [n for _, n, _ in numbers] == [1, 2, 3]
        assert numbers[-1][2] == next(t for t in STANDARD_V1
                                      if t["kind"] == "construction_simple")["clauses"]
