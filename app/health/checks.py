"""The readiness checks behind ``GET /readyz``: each answers ``"ok"`` or ``"error: …"``.

The error text names the kind of failure only (an exception's class name, a count of
seconds), never an exception's message: those can carry hosts, keys or personal data.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, func, or_, select, text

from app.extensions import db
from app.models import Job
from app.models.base import utcnow

#: how long a key check's answer is reused (loading keys costs a few milliseconds each)
KEYS_TTL_SECONDS = 10.0
_STATE = "laborsign.readiness"


def _failed(exc: BaseException) -> str:
    return f"error: {type(exc).__name__}"


def database() -> str:
    """The database answers a trivial query."""
    try:
        if db.engine.dialect.name == "postgresql":  # a hung server is not waited for
            db.session.execute(text("SET LOCAL statement_timeout = '2s'"))
        db.session.execute(text("SELECT 1"))
        db.session.rollback()  # ends the probe's transaction (and its SET LOCAL)
        return "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        db.session.rollback()
        return _failed(exc)


def archive() -> str:
    """The object store is reachable and usable (its own ``healthcheck``)."""
    from app.services.filing import filing
    from archive import ArchiveError

    try:
        filing.store().healthcheck()
        return "ok"
    except (ArchiveError, OSError, ValueError) as exc:
        return _failed(exc)


def signing_keys() -> str:
    """The issuing CA's key (and the built-in TSA's, unless ``TSA_URL`` names another TSA)
    can be loaded: decrypted from their files, or found on the PKCS#11 token. The answer is
    reused for :data:`KEYS_TTL_SECONDS`."""
    cache = current_app.extensions.setdefault(_STATE, {})
    now = time.monotonic()
    if (hit := cache.get("keys")) and now - hit[0] < KEYS_TTL_SECONDS:
        return hit[1]
    try:
        answer = _load_keys()
    except Exception as exc:  # noqa: BLE001 - token libraries raise their own types
        answer = _failed(exc)
    cache["keys"] = (now, answer)
    return answer


def _load_keys() -> str:
    from app.services.platform import pki
    from signing import EncryptedPemKeyProvider

    cfg = current_app.config
    directory, builtin_tsa = Path(cfg["PKI_DIR"]), not cfg.get("TSA_URL")
    if not (directory / "root.pem").exists() or (
            builtin_tsa and not (directory / "tsa.pem").exists()):
        if cfg.get("PRODUCTION"):
            return "error: not initialised (run flask ca init)"
        pki.ca()  # the embedded default creates its CA and TSA at first use, as signing would
        if builtin_tsa:
            pki.tsa()
    labels = ["ISSUING", *(["TSA"] if builtin_tsa else [])]
    if pki.key_provider_kind() == "pem":
        passphrase = cfg["CA_KEY_PASSPHRASE"].encode()
        for name in labels:
            EncryptedPemKeyProvider(directory / f"{name.lower()}.key.pem", passphrase)
        return "ok"
    for name in labels:
        key = pki.token_key(f"PKCS11_{name}_KEY_LABEL", create=False)
        if key is None:
            return f"error: PKCS11_{name}_KEY_LABEL is not set"
        key.close()
    return "ok"


def oldest_due_job(now: datetime | None = None) -> float:
    """Seconds the oldest due job has waited (queued and due, or leased by a worker whose
    lease ran out); 0 when none waits."""
    now = now or utcnow()
    waiting_since = db.session.scalar(select(func.min(func.coalesce(
        Job.locked_until, Job.run_after))).where(or_(
            and_(Job.status == "queued", Job.run_after <= now),
            and_(Job.status == "running", Job.locked_until < now))))
    return max((now - waiting_since).total_seconds(), 0.0) if waiting_since else 0.0


def job_queue() -> str:
    """The oldest due job has waited at most ``READY_MAX_QUEUE_AGE_SECONDS`` (0: unchecked)."""
    limit = current_app.config.get("READY_MAX_QUEUE_AGE_SECONDS", 0)
    if not limit:
        return "ok"
    try:
        waited = oldest_due_job()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        db.session.rollback()
        return _failed(exc)
    if waited > limit:
        return f"error: the oldest due job has waited {waited:.0f} s (limit {limit} s)"
    return "ok"


def readiness() -> dict[str, str]:
    """Every check's answer, by name."""
    return {"database": database(), "archive": archive(), "signing_keys": signing_keys(),
            "job_queue": job_queue()}
