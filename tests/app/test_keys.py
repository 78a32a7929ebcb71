"""Personal-data keys: HKDF-separated field and hash keys, legacy data, `flask keys rotate`."""

from __future__ import annotations

import base64
import importlib.util
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from app import pii
from app.extensions import db, pii_ext
from app.models import Contract, Job, User, Worker
from tests.app.flows import sent_contract, worker_session
from tests.conftest import WORKER

MIGRATION = next((Path(__file__).resolve().parents[2] / "migrations" / "versions").glob(
    "*_separate_pii_hash_key.py"))


@pytest.fixture
def field_keys(ctx):
    """Set PII_FIELD_KEYS (and re-derive the keys) for one test."""
    saved = ctx.config["PII_FIELD_KEYS"]

    def use(value: str) -> None:
        ctx.config["PII_FIELD_KEYS"] = value
        pii_ext.reload(ctx)

    yield use
    use(saved)


def _legacy_fernet(ctx) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(pii.legacy_key(ctx.config["PII_KEY"])))


def test_field_and_hash_keys_are_separate_hkdf_derivations(ctx):
    secret = ctx.config["PII_KEY"]
    keys = pii_ext.state()
    assert keys.hash_key == pii.hkdf(secret, pii.HASH_INFO)
    field = Fernet(base64.urlsafe_b64encode(pii.hkdf(secret, pii.FIELD_INFO)))
    assert field.decrypt(pii.encrypt("13800138000").encode()) == b"13800138000"
    assert pii.hkdf(secret, pii.FIELD_INFO) != keys.hash_key
    assert pii.keyed_hash(WORKER["id_number"]) != pii.legacy_keyed_hash(WORKER["id_number"])


def test_ciphertext_of_the_old_single_key_still_decrypts(ctx):
    old = _legacy_fernet(ctx).encrypt(b"13800138000").decode()
    assert pii.decrypt(old) == "13800138000" and not pii.is_current(old)
    assert pii.is_current(pii.encrypt("x"))


def _migration():
    spec = importlib.util.spec_from_file_location("pii_hash_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _otp(client, token: str):
    return client.post(f"/api/v1/sign/{token}/otp",
                       json={"name": WORKER["name"], "id_number": WORKER["id_number"]})


def test_the_migration_recomputes_id_hashes_made_with_the_old_key(client, world, outbox, ctx):
    _, token = sent_contract(client, world, outbox)
    migration = _migration()
    # As a database from before key separation: the ID hash made with the old single key.
    assert migration.rehash(db.session.connection(), pii.legacy_keyed_hash, pii.keyed_hash) == 1
    db.session.commit()
    assert _otp(client, token).status_code == 422  # the identity check no longer matches
    assert migration.rehash(db.session.connection(), pii.keyed_hash, pii.legacy_keyed_hash) == 1
    db.session.commit()
    assert _otp(client, token).status_code == 200
    assert migration.rehash(db.session.connection(), pii.keyed_hash, pii.legacy_keyed_hash) == 0


def _rotate(ctx, *args: str):
    return ctx.test_cli_runner().invoke(args=["keys", "rotate", *args])


def _all_tokens() -> list[str]:
    db.session.expire_all()
    tokens = [w.id_number_enc for w in db.session.scalars(select(Worker))]
    tokens += [c.worker_phone_enc for c in db.session.scalars(select(Contract))]
    tokens += [u.phone_enc for u in db.session.scalars(select(User)) if u.phone_enc]
    tokens += [j.payload[k] for j in db.session.scalars(select(Job)) for k in ("to_enc", "text_enc")
               if k in j.payload]
    return tokens


def test_rotation_reencrypts_every_enc_column_and_job_payload(client, world, outbox, ctx,
                                                              field_keys):
    _, token = sent_contract(client, world, outbox)
    legacy_phone = _legacy_fernet(ctx).encrypt(WORKER["phone"].encode()).decode()
    db.session.execute(update(Contract).values(worker_phone_enc=legacy_phone))  # an old release
    from app.services.platform import jobs

    jobs.enqueue("sms", {"to_enc": pii.encrypt(WORKER["phone"]), "text_enc": pii.encrypt("排队中")})
    db.session.commit()  # a job still queued: its encrypted payload is rotated too
    before = _all_tokens()
    plain = [pii.decrypt(t) for t in before]
    assert len(before) >= 3 and WORKER["phone"] in plain

    field_keys(f"new-field-secret-2027,{ctx.config['PII_KEY']}")
    result = _rotate(ctx, "--batch-size", "1")
    assert result.exit_code == 0, result.output
    assert "workers.id_number_enc: 1 re-encrypted, 0 already current" in result.output
    assert "contracts.worker_phone_enc: 1 re-encrypted" in result.output
    assert "jobs.payload:" in result.output
    assert f"total: {len(before)} re-encrypted, 0 already current" in result.output

    field_keys("new-field-secret-2027")  # old secret retired: everything is under the new one
    after = _all_tokens()
    assert all(pii.is_current(t) for t in after) and set(after).isdisjoint(before)
    assert [pii.decrypt(t) for t in after] == plain
    assert worker_session(client, outbox, token)  # phone decrypted for the one-time code
    again = _rotate(ctx)
    assert again.exit_code == 0 and "total: 0 re-encrypted" in again.output


def test_rotation_stops_clearly_when_an_old_key_is_missing(client, world, outbox, ctx,
                                                           field_keys):
    sent_contract(client, world, outbox)
    field_keys("some-other-secret")
    result = _rotate(ctx)
    assert result.exit_code != 0
    assert "no configured key decrypts" in result.output and "PII_FIELD_KEYS" in result.output
