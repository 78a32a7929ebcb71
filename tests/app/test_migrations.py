"""Migrations move existing data: each revision tested from the previous one on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa


def _one_contract(conn, status: str) -> None:
    """An approved employer, a worker and contract HT1 (id 1) in ``status``, as the schema
    stood from worker identity per contract (3f1d2a9c7b10) on."""
    conn.execute(sa.text(
        "INSERT INTO organizations (id, name, uscc, address, legal_rep, region_code, "
        "status, created_at) VALUES (1, '甲', '91110000600037341L', '长沙', '钱', "
        "'430121', 'approved', CURRENT_TIMESTAMP)"))
    conn.execute(sa.text("INSERT INTO workers (id, id_hash, id_number_enc, id_masked, "
                         "created_at) VALUES (1, 'h', 'e', 'm', CURRENT_TIMESTAMP)"))
    conn.execute(sa.text(
        "INSERT INTO contracts (id, contract_no, organization_id, worker_id, worker_name, "
        "worker_phone_enc, worker_phone_masked, template, template_version, terms, "
        "status, created_at, version) VALUES (1, 'HT1', 1, 1, '张三', 'e', 'm', "
        "'fixed_term', 1, '{}', :status, CURRENT_TIMESTAMP, 1)"), {"status": status})


def test_worker_identity_moves_onto_each_contract(blank_app):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    with blank_app.app_context():
        upgrade(revision="e7a826140c2a")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO organizations (id, name, uscc, address, legal_rep, region_code, "
                "created_at) VALUES (1, '甲公司', '91110000600037341L', '长沙', '钱某', '430121', "
                "CURRENT_TIMESTAMP)"))
            conn.execute(sa.text(
                "INSERT INTO workers (id, name, id_hash, id_number_enc, id_masked, phone_enc, "
                "phone_masked, created_at) VALUES (1, '张三', 'h1', 'enc-id', '3604**0071', "
                "'enc-phone', '138****8000', CURRENT_TIMESTAMP)"))
            conn.execute(sa.text(
                "INSERT INTO contracts (id, contract_no, organization_id, worker_id, template, "
                "template_version, terms, status, created_at, version) VALUES (1, 'HT1', 1, 1, "
                "'fixed_term', 1, :terms, 'sent', CURRENT_TIMESTAMP, 1)"),
                {"terms": json.dumps({"worker_name": "张三", "term_end": "2028-11-30"})})
            conn.execute(sa.text(
                "INSERT INTO jobs (id, kind, payload, status, attempts, run_after, created_at) "
                "VALUES (1, 'sms', :p, 'queued', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                {"p": json.dumps({"worker_id": 1, "text_enc": "enc-text"})})
        upgrade(revision="3f1d2a9c7b10")
        with db.engine.connect() as conn:
            row = conn.execute(sa.text("SELECT worker_name, worker_phone_enc, worker_phone_masked "
                                       "FROM contracts WHERE id = 1")).one()
            assert tuple(row) == ("张三", "enc-phone", "138****8000")
            columns = {c["name"] for c in sa.inspect(conn).get_columns("workers")}
            assert columns == {"id", "id_hash", "id_number_enc", "id_masked", "created_at"}
            payload = conn.execute(sa.text("SELECT payload FROM jobs WHERE id = 1")).scalar_one()
            payload = json.loads(payload) if isinstance(payload, str) else payload
            assert payload == {"to_enc": "enc-phone", "text_enc": "enc-text"}
        downgrade(revision="e7a826140c2a")
        with db.engine.connect() as conn:
            row = conn.execute(sa.text("SELECT name, phone_masked FROM workers WHERE id = 1")).one()
            assert tuple(row) == ("张三", "138****8000")


def test_signature_events_keep_the_certificate_hash(blank_app):
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from flask_migrate import upgrade

    from app.extensions import db

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "张三")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(7).not_valid_before(now)
            .not_valid_after(now).sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    with blank_app.app_context():
        upgrade(revision="a3c9d4e5f6b7")
        with db.engine.begin() as conn:
            _one_contract(conn, "signed")
            conn.execute(sa.text(
                "INSERT INTO signature_events (id, contract_id, party, signer_name, "
                "identity_method, identity_evidence, certificate_serial, certificate_pem, "
                "sha256_before, sha256_after, signed_at) VALUES (1, 1, 'worker', '张三', "
                "'sms', '{}', '7', :pem, 'a', 'b', CURRENT_TIMESTAMP)"), {"pem": pem})
        upgrade(revision="b8d2c6e1f0a4")
        with db.engine.connect() as conn:
            stored = conn.execute(sa.text(
                "SELECT certificate_sha256 FROM signature_events")).scalar_one()
            columns = {c["name"] for c in sa.inspect(conn).get_columns("signature_events")}
        der = cert.public_bytes(serialization.Encoding.DER)
        assert stored == hashlib.sha256(der).hexdigest() and "certificate_pem" not in columns


def test_expiry_notices_and_renewal_links(blank_app):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    with blank_app.app_context():
        upgrade(revision="b8d2c6e1f0a4")
        with db.engine.begin() as conn:
            _one_contract(conn, "filed")
        upgrade(revision="c5e8a1f3d7b2")
        notice = sa.text(
            "INSERT INTO expiry_notices (contract_id, organization_id, term_end, days_left, "
            "worker_texted, hr_recipients, created_at) VALUES (1, 1, '2026-12-31', 29, TRUE, 1, "
            "CURRENT_TIMESTAMP)")
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT renewal_of_id FROM contracts")).scalar_one() is None
            conn.execute(sa.text(
                "INSERT INTO contracts (id, contract_no, organization_id, worker_id, worker_name, "
                "worker_phone_enc, worker_phone_masked, template, template_version, terms, "
                "status, created_at, version, renewal_of_id) VALUES (2, 'HT2', 1, 1, '张三', 'e', "
                "'m', 'fixed_term', 1, '{}', 'draft', CURRENT_TIMESTAMP, 1, 1)"))
            conn.execute(notice)
        with db.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
            conn.execute(notice)  # one notice per contract: the worker is texted once
        downgrade(revision="b8d2c6e1f0a4")
        with db.engine.connect() as conn:
            inspector = sa.inspect(conn)
            assert "expiry_notices" not in inspector.get_table_names()
            assert "renewal_of_id" not in {c["name"] for c in inspector.get_columns("contracts")}
            assert conn.execute(sa.text("SELECT count(*) FROM contracts")).scalar_one() == 2
        upgrade()


def test_minimum_wage_table_is_seeded_and_contracts_keep_rule_results(blank_app):
    from decimal import Decimal

    from flask_migrate import downgrade, upgrade

    from app.extensions import db
    from app.services.standards.minimum_wages import SEED

    with blank_app.app_context():
        upgrade(revision="b8d2c6e1f0a4")
        with db.engine.begin() as conn:
            _one_contract(conn, "draft")
        upgrade(revision="c4e9a7d2b5f1")
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT region_prefix, effective_from, monthly, hourly, note FROM minimum_wages "
                "ORDER BY id")).all()
            assert [(r[0], str(r[1]), Decimal(str(r[2])), Decimal(str(r[3])), r[4])
                    for r in rows] == [(p, d.isoformat(), m, h, n) for p, d, m, h, n in SEED]
            assert conn.execute(sa.text(
                "SELECT rule_results FROM contracts WHERE id = 1")).scalar_one() is None
        downgrade(revision="b8d2c6e1f0a4")
        with db.engine.connect() as conn:
            inspector = sa.inspect(conn)
            assert "minimum_wages" not in inspector.get_table_names()
            assert "rule_results" not in {c["name"] for c in inspector.get_columns("contracts")}
            assert conn.execute(sa.text("SELECT contract_no FROM contracts")).scalar_one() == "HT1"
        upgrade(revision="c4e9a7d2b5f1")  # and up again


def test_lifecycle_columns_default_existing_rows_to_contracts(blank_app):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    with blank_app.app_context():
        upgrade(revision="c4e9a7d2b5f1")
        with db.engine.begin() as conn:
            _one_contract(conn, "filed")
        upgrade(revision="d6a1f0c3e8b4")
        with db.engine.connect() as conn:
            row = conn.execute(sa.text("SELECT document_kind, parent_id, ended_on FROM contracts "
                                       "WHERE id = 1")).one()
            assert tuple(row) == ("contract", None, None)
        downgrade(revision="c4e9a7d2b5f1")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("contracts")}
            assert not columns & {"document_kind", "parent_id", "ended_on"}
            assert conn.execute(sa.text("SELECT contract_no FROM contracts")).scalar_one() == "HT1"
        upgrade(revision="d6a1f0c3e8b4")


def test_signing_reminders_are_once_per_number_and_schedules_start_as_the_default(blank_app):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    with blank_app.app_context():
        upgrade(revision="a8f3c2e9d1b7")
        with db.engine.begin() as conn:
            _one_contract(conn, "sent")
        upgrade(revision="b2e7c4d9f1a3")
        reminder = sa.text("INSERT INTO signing_reminders (contract_id, number, day, sent_at) "
                           "VALUES (1, 1, 2, CURRENT_TIMESTAMP)")
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT reminder_days FROM organizations")).scalar_one() \
                is None  # the platform's default (days 2 and 5)
            conn.execute(reminder)
        with db.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
            conn.execute(reminder)  # reminder 1 of a contract is texted once
        downgrade(revision="a8f3c2e9d1b7")
        with db.engine.connect() as conn:
            inspector = sa.inspect(conn)
            assert "signing_reminders" not in inspector.get_table_names()
            columns = {c["name"] for c in inspector.get_columns("organizations")}
            assert "reminder_days" not in columns
            assert conn.execute(sa.text("SELECT contract_no FROM contracts")).scalar_one() == "HT1"
        upgrade()


def test_batches_tables_come_and_go_and_rows_are_unique_per_batch(blank_app):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    with blank_app.app_context():
        upgrade(revision="b2e7c4d9f1a3")
        with db.engine.begin() as conn:
            _one_contract(conn, "draft")
        upgrade(revision="c9d3e5f7a1b2")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO batches (id, organization_id, template_version_id, filename, status, "
                "total, acknowledged, created_at) SELECT 1, 1, MIN(id), 'r.xlsx', 'ready', 1, "
                "'[]', CURRENT_TIMESTAMP FROM template_versions"))
            row = sa.text("INSERT INTO batch_rows (batch_id, row_no, worker_name, id_masked, "
                          "warnings, status) VALUES (1, 2, '张三', 'm', '[]', 'waiting')")
            conn.execute(row)
        with db.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
            conn.execute(row)  # one row per spreadsheet row of a batch
        downgrade(revision="b2e7c4d9f1a3")
        with db.engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            assert "batches" not in names and "batch_rows" not in names
            assert conn.execute(sa.text("SELECT contract_no FROM contracts")).scalar_one() == "HT1"
        upgrade()


def test_webhook_tables_come_and_go(blank_app):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    with blank_app.app_context():
        upgrade(revision="c9d3e5f7a1b2")
        with db.engine.begin() as conn:
            _one_contract(conn, "sent")
        upgrade(revision="d4f6a8b0c2e1")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO webhook_endpoints (id, organization_id, url, events, secret_enc, "
                "active, created_by, created_at) VALUES (1, 1, 'https://hr.example.com/h', "
                "'[\"contract.sent\"]', 'e', true, 'user:1', CURRENT_TIMESTAMP)"))
            conn.execute(sa.text(
                "INSERT INTO webhook_deliveries (endpoint_id, event, event_id, body, status, "
                "attempts, log, created_at) VALUES (1, 'contract.sent', 'e1', '{}', 'pending', 0, "
                "'[]', CURRENT_TIMESTAMP)"))
        downgrade(revision="c9d3e5f7a1b2")
        with db.engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            assert "webhook_endpoints" not in names and "webhook_deliveries" not in names
            assert conn.execute(sa.text("SELECT contract_no FROM contracts")).scalar_one() == "HT1"
        upgrade()


def test_project_tables_come_and_go(blank_app):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    with blank_app.app_context():
        upgrade(revision="d4f6a8b0c2e1")
        with db.engine.begin() as conn:
            _one_contract(conn, "sent")
        upgrade(revision="e5a7c9d1f3b4")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO projects (id, contractor_id, name, region_code, permit_no, builder, "
                "contract_amount, start_date, planned_end, officer_name, officer_phone_enc, "
                "officer_phone_masked, wage_bank_code, wage_account_enc, wage_account_masked, "
                "wage_account_holder, deposit_kind, deposit_amount, pay_day, created_by, "
                "created_at) VALUES (1, 1, 'p', '430121', 'x', 'b', '1', '2026-09-01', "
                "'2027-12-31', 'o', 'e', 'm', '102', 'e', 'm', 'h', 'cash', '1', 15, 'u', "
                "CURRENT_TIMESTAMP)"))
            doc = sa.text(
                "INSERT INTO project_documents (project_id, category, period, version, key, "
                "sha256, size, content_type, filename, uploaded_by, uploaded_at, retain_until) "
                "VALUES (1, 'roster', '2026-11', 1, 'k', 's', 1, 't', 'f', 'u', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
            conn.execute(doc)
        with db.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
            conn.execute(doc)  # one row per version of a category and month
        downgrade(revision="d4f6a8b0c2e1")
        with db.engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            assert not {"projects", "project_members", "project_documents"} & set(names)
        upgrade()


def test_wage_record_tables_come_and_go(blank_app):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    with blank_app.app_context():
        upgrade(revision="f6b8d0e2a4c5")
        with db.engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            assert {"attendance_days", "pay_records", "wage_flags"} <= names
        downgrade(revision="e5a7c9d1f3b4")
        with db.engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            assert not {"attendance_days", "pay_records", "wage_flags"} & names
            assert "projects" in names
        upgrade()


@pytest.mark.postgresql_only  # SQLite builds its indexes in one transaction
def test_a_search_index_left_invalid_by_a_cancelled_build_is_built_again(blank_app):
    """A CONCURRENTLY build that was cancelled leaves an INVALID index; re-running the
    migration drops and builds it again instead of keeping it (IF NOT EXISTS alone would)."""
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    valid = sa.text("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                 "WHERE c.relname = 'ix_contracts_org_status_id'")
    with blank_app.app_context():
        upgrade(revision="a2207idx0007")
        downgrade(revision="a2206lta0006")
        with db.engine.begin() as conn:  # what a cancelled build leaves behind
            conn.execute(sa.text("CREATE INDEX ix_contracts_org_status_id ON contracts (id)"))
            conn.execute(sa.text("UPDATE pg_index SET indisvalid = false WHERE indexrelid = "
                              "'ix_contracts_org_status_id'::regclass"))
        upgrade(revision="a2207idx0007")
        with db.engine.connect() as conn:
            assert conn.execute(valid).scalar() is True
            columns = conn.execute(sa.text(
                "SELECT pg_get_indexdef('ix_contracts_org_status_id'::regclass)")).scalar()
        assert "organization_id, status, id" in columns


def test_filings_get_export_numbers_by_id_and_an_export_generation(blank_app):
    """a2208seq0008: existing filings are numbered by id (in the export's commit order), the
    counter continues after the largest, the export has a generation; down and up again."""
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    counters = sa.text("SELECT name, value FROM counters WHERE name LIKE 'filing_export%'")
    with blank_app.app_context():
        upgrade(revision="a2207idx0007")
        with db.engine.begin() as conn:
            _one_contract(conn, "filed")
            for i in (2, 5, 9):
                conn.execute(sa.text(
                    "INSERT INTO contracts (id, contract_no, organization_id, worker_id, "
                    "worker_name, worker_phone_enc, worker_phone_masked, template, "
                    "template_version, terms, status, created_at, version) SELECT :i, :no, "
                    "organization_id, worker_id, worker_name, worker_phone_enc, "
                    "worker_phone_masked, template, template_version, terms, status, "
                    "created_at, version FROM contracts WHERE id = 1"), {"i": i, "no": f"HT{i}"})
                conn.execute(sa.text(
                    "INSERT INTO filings (id, number, contract_id, pdf_key, manifest_key, "
                    "audit_key, sha256, manifest_sha256, retain_until, archived_at) VALUES "
                    "(:i, :no, :i, 'k', 'm', 'a', '0', '0', CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP)"), {"i": i, "no": f"BA{i}"})
        upgrade(revision="a2208seq0008")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text(
                "SELECT id, export_seq FROM filings ORDER BY id")).all() == [(2, 2), (5, 5), (9, 9)]
            found = dict(conn.execute(counters).all())
        assert found["filing_export_seq"] == 9 and found["filing_export_generation"] > 0
        downgrade(revision="a2207idx0007")
        with db.engine.connect() as conn:
            assert "export_seq" not in {c["name"] for c in
                                        sa.inspect(conn).get_columns("filings")}
            assert conn.execute(counters).all() == []
        upgrade()


def test_a2208_keeps_an_export_generation_set_before_the_upgrade(blank_app):
    """a2208seq0008 after a restore: ``restore.sh`` runs ``flask filings new-generation``
    (which creates the generation counter) on a dump of the earlier release; the upgrade then
    keeps that generation and still creates the export counter."""
    from flask_migrate import upgrade

    from app.extensions import db
    from app.services.exports import sequence

    with blank_app.app_context():
        upgrade(revision="a2207idx0007")
        generation = sequence.new_generation()
        db.session.commit()
        upgrade(revision="a2208seq0008")
        with db.engine.connect() as conn:
            found = dict(conn.execute(sa.text(
                "SELECT name, value FROM counters WHERE name LIKE 'filing_export%'")).all())
    assert found == {"filing_export_generation": generation, "filing_export_seq": 0}
