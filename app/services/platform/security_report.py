"""``flask security report``: a checklist of the running configuration (issue 21).

Each check reads the app's configuration (and, for the archive, asks the bucket itself) and
returns one :class:`Finding`: ``OK``, ``WARN`` or ``FAIL`` with what to do. What is only
unsafe in production (a local archive, the file SMS backend, plain http) is ``FAIL`` in
production mode and ``WARN`` in the embedded default; a secret anyone can know (a test or
placeholder value) is ``FAIL`` everywhere. Findings never quote a secret's value. The
secrets' checks (strength, reuse, the S3 keys, MinIO's root credentials, the PKCS#11 PIN)
are in :mod:`.report_secrets`.

A read, not a use case: nothing is written (the S3 bucket is asked, never created).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from app.services.platform.report_secrets import (
    FAIL,
    GENERATE,
    OK,
    WARN,
    Finding,
    estimated_bits,
    pin_weakness,
    secret_findings,
    weakness,
)
from app.services.platform.report_secrets import strictness as _strictness
from archive import ArchiveError, S3ObjectStore, open_store

__all__ = ["FAIL", "OK", "WARN", "Finding", "estimated_bits", "failed", "run_checks", "weakness"]


def run_checks(config: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> list[Finding]:
    """Every check of the configuration ``config`` (the app's ``app.config``).

    :param config: the running configuration (``PRODUCTION`` decides how strict).
    :param environ: the process environment (``FLASK_DEBUG``, MinIO's root credentials that
        must not be there); default ``os.environ``.
    """
    environ = os.environ if environ is None else environ
    production = bool(config.get("PRODUCTION"))
    findings = secret_findings(config, environ, production)
    findings.extend(check(config, environ, production) for check in CHECKS)
    findings.extend(_key_files(config, production))
    findings.append(_archive(config, production))
    return findings


def failed(findings: list[Finding]) -> list[Finding]:
    """The findings that failed."""
    return [f for f in findings if f.status == FAIL]


# -- settings -----------------------------------------------------------------------------

def _debug(config: Mapping[str, Any], environ: Mapping[str, str], production: bool) -> Finding:
    flag = environ.get("FLASK_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
    if config.get("DEBUG") or flag:
        return Finding("debug", FAIL, "debug mode is on (the debugger runs code from the "
                                      "browser): unset FLASK_DEBUG and DEBUG")
    return Finding("debug", OK, "debug mode is off")


def _tls(config: Mapping[str, Any], environ: Mapping[str, str], production: bool) -> Finding:
    if str(config.get("BASE_URL") or "").lower().startswith("https://"):
        return Finding("tls", OK, "BASE_URL is https")
    return Finding("tls", _strictness(production), "BASE_URL is not https (no TLS): serve "
                   "through nginx with a certificate and set BASE_URL=https://…")


def _cookies(config: Mapping[str, Any], environ: Mapping[str, str], production: bool) -> Finding:
    if config.get("SESSION_COOKIE_SECURE") and config.get("REMEMBER_COOKIE_SECURE"):
        return Finding("cookies", OK, "session cookies are Secure")
    return Finding("cookies", _strictness(production), "session cookies are sent over plain "
                   "http: unset SESSION_COOKIE_SECURE (automatic) or set it to true")


def _proxy(config: Mapping[str, Any], environ: Mapping[str, str], production: bool) -> Finding:
    https = str(config.get("BASE_URL") or "").lower().startswith("https://")
    if https and not int(config.get("TRUST_PROXY_HOPS") or 0):
        return Finding("proxy", WARN, "BASE_URL is https but TRUST_PROXY_HOPS=0: behind nginx "
                       "set TRUST_PROXY_HOPS=1, else every client shares nginx's address in "
                       "rate limits and logs")
    return Finding("proxy", OK, f"TRUST_PROXY_HOPS={int(config.get('TRUST_PROXY_HOPS') or 0)}")


def _sms(config: Mapping[str, Any], environ: Mapping[str, str], production: bool) -> Finding:
    backend = str(config.get("SMS_BACKEND") or "")
    if backend in {"file", "log"}:
        return Finding("sms", _strictness(production), f"SMS_BACKEND={backend}: no text "
                       "message reaches a phone; configure a provider (see env.template)")
    callback = str(config.get("SMS_CALLBACK_SECRET") or "")
    if callback and (why := weakness(callback)) is not None:
        return Finding("sms", FAIL, f"SMS_CALLBACK_SECRET {why}: anyone could post delivery "
                                    f"receipts; set a random value ({GENERATE})")
    if not config.get("SMS_FALLBACK_BACKEND"):
        return Finding("sms", WARN, f"SMS_BACKEND={backend} without SMS_FALLBACK_BACKEND: "
                                    "no second provider when it is down or throttling")
    return Finding("sms", OK, f"SMS_BACKEND={backend}, fallback "
                              f"{config.get('SMS_FALLBACK_BACKEND')}")


def _webhooks(config: Mapping[str, Any], environ: Mapping[str, str], production: bool) -> Finding:
    if config.get("WEBHOOK_ALLOW_PRIVATE"):
        return Finding("webhooks", _strictness(production), "WEBHOOK_ALLOW_PRIVATE is on: "
                       "employers' webhooks may call into the platform's own network; unset it")
    return Finding("webhooks", OK, "webhooks may not call private addresses")


def _metrics(config: Mapping[str, Any], environ: Mapping[str, str], production: bool) -> Finding:
    token = str(config.get("METRICS_TOKEN") or "")
    if not token:
        return Finding("metrics", _strictness(production), "METRICS_TOKEN is not set: set one "
                       f"({GENERATE}) and give it to Prometheus as a bearer token")
    if (why := weakness(token)) is not None:
        return Finding("metrics", _strictness(production), f"METRICS_TOKEN {why}")
    return Finding("metrics", OK, "METRICS_TOKEN is set")


def _key_provider(config: Mapping[str, Any], environ: Mapping[str, str], production: bool) -> Finding:
    provider = str(config.get("CA_KEY_PROVIDER") or "pem")
    if provider == "pkcs11":
        if not config.get("PKCS11_USER_PIN"):
            return Finding("ca-key-provider", FAIL, "CA_KEY_PROVIDER=pkcs11 without "
                                                    "PKCS11_USER_PIN: set the token's user PIN")
        if (why := pin_weakness(str(config.get("PKCS11_USER_PIN")))) is not None:
            return Finding("ca-key-provider", WARN, f"PKCS11_USER_PIN {why}: change the token's "
                           "user PIN to a longer one (the token locks after wrong tries, but a "
                           "guessable PIN falls in the first few)")
        return Finding("ca-key-provider", OK, "CA and TSA keys live on the PKCS#11 token")
    return Finding("ca-key-provider", WARN if production else OK, "CA and TSA keys are "
                   "encrypted files in PKI_DIR: keep the volume private and backed up, or "
                   "move them to an HSM (CA_KEY_PROVIDER=pkcs11)")


CHECKS: tuple[Callable[[Mapping[str, Any], Mapping[str, str], bool], Finding], ...] = (
    _debug, _tls, _cookies, _proxy, _sms, _webhooks, _metrics, _key_provider)


# -- key files ----------------------------------------------------------------------------

def _private_keys(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        try:
            if path.is_file() and path.stat().st_size < 1_000_000 and \
                    b"PRIVATE KEY-----" in path.read_bytes():
                yield path
        except OSError:
            continue


def _key_files(config: Mapping[str, Any], production: bool) -> list[Finding]:
    folder = Path(str(config.get("PKI_DIR") or ""))
    if not folder.is_dir():
        return [Finding("key-files", _strictness(production),
                        f"PKI_DIR {folder} does not exist: run `flask ca init`")]
    findings = []
    for path in _private_keys(folder):
        text = path.read_bytes()
        name = f"key-file:{path.relative_to(folder)}"
        encrypted = b"BEGIN ENCRYPTED PRIVATE KEY" in text or b"Proc-Type: 4,ENCRYPTED" in text
        mode = stat.S_IMODE(path.stat().st_mode)
        if not encrypted:
            findings.append(Finding(name, FAIL, "private key stored unencrypted: re-create the "
                                                "CA with CA_KEY_PASSPHRASE set, or use PKCS#11"))
        elif mode & 0o077:
            findings.append(Finding(name, FAIL if mode & 0o004 else _strictness(production),
                                    f"readable by others (mode {mode:o}): chmod 600"))
        else:
            findings.append(Finding(name, OK, f"encrypted, mode {mode:o}"))
    return findings or [Finding("key-files", OK, "no private key files in PKI_DIR")]


# -- the archive --------------------------------------------------------------------------

def _archive(config: Mapping[str, Any], production: bool) -> Finding:
    backend = str(config.get("ARCHIVE_BACKEND") or "local").strip().lower()
    if backend != "s3":
        return Finding("archive", _strictness(production), "local-filesystem archive: nothing "
                       "prevents deleting or changing archived contracts; use MinIO "
                       "(ARCHIVE_BACKEND=s3) with object lock")
    if not config.get("S3_OBJECT_LOCK"):
        return Finding("archive", FAIL, "S3_OBJECT_LOCK is off: archived documents can be "
                                        "deleted; set it to true on a bucket with object lock")
    try:
        store = open_store(config)
        if not isinstance(store, S3ObjectStore):
            raise ValueError("ARCHIVE_BACKEND=s3 did not open an S3 store")
        bucket = store.describe_bucket()  # asks the server; never creates the bucket
    except (ArchiveError, ValueError) as exc:
        return Finding("archive", FAIL, f"cannot ask bucket {config.get('S3_BUCKET')!r} "
                                        f"({type(exc).__name__}: {exc}): check S3_ENDPOINT and "
                                        "the keys, create it with `flask archive init`")
    if not bucket.object_lock:
        return Finding("archive", FAIL, f"bucket {bucket.bucket!r} has no object lock: archived "
                                        "documents can be deleted; move them to a bucket made by "
                                        "`flask archive init`")
    if bucket.versioning != "Enabled":
        return Finding("archive", FAIL, f"bucket {bucket.bucket!r} versioning is "
                                        f"{bucket.versioning}: enable it")
    retention = (f"default retention {bucket.default_mode} {bucket.default_retention}"
                 if bucket.default_retention else "COMPLIANCE retention set per object")
    return Finding("archive", OK, f"bucket {bucket.bucket!r}: versioning on, object lock on "
                                  f"({retention})")
