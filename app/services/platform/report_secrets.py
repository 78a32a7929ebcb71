"""The secrets part of ``flask security report`` (:mod:`.security_report`): each secret set and
strong, no two secrets sharing a value, the archive's S3 keys, MinIO's root credentials kept
out of the app, the PKCS#11 PIN.

Findings name settings, never values: a secret is only measured (length, an entropy estimate,
membership in a list of values anyone can know) and compared with the others.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from config import TestConfig

OK, WARN, FAIL = "OK", "WARN", "FAIL"
#: the secrets that must be set, strong and different in production
SECRETS = ("SECRET_KEY", "PII_KEY", "CA_KEY_PASSPHRASE")
#: every setting holding a secret: no two may share a value
ALL_SECRETS = ("SECRET_KEY", "PII_KEY", "CA_KEY_PASSPHRASE", "METRICS_TOKEN",
               "SMS_CALLBACK_SECRET", "S3_SECRET_KEY", "PKCS11_USER_PIN")
MIN_SECRET_CHARS = 32
MIN_SECRET_BITS = 100.0  # estimated from the characters' spread; token_urlsafe(32) gives ~200
MIN_PIN_CHARS = 8
MIN_DIGIT_PIN_CHARS = 10  # a PIN of digits only must be longer
GENERATE = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
#: MinIO's and the S3 tools' default credentials
DEFAULT_S3_KEYS = frozenset({"minioadmin", "minio", "minio123", "minio-secret", "testing",
                             "admin", "root", "password"})
#: values anyone can read: the test suite's, the benchmarks', usual placeholders
KNOWN_VALUES = frozenset({
    TestConfig.SECRET_KEY, TestConfig.PII_KEY, TestConfig.CA_KEY_PASSPHRASE,
    "bench-secret", "bench-pii-key", "bench-ca", "secret", "changeme", "change-me", "dev",
    "development", "password", "laborsign", "test", "example",
}) | DEFAULT_S3_KEYS
KNOWN_PINS = frozenset({"0000", "1111", "1234", "000000", "111111", "123456", "12345678",
                        "87654321", "88888888"})


@dataclass(frozen=True)
class Finding:
    """One line of the report: the check's name, OK/WARN/FAIL, and what was found or to do."""

    check: str
    status: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """The finding as plain JSON values."""
        return asdict(self)


def strictness(production: bool) -> str:
    """FAIL in production, WARN in the embedded default."""
    return FAIL if production else WARN


def estimated_bits(value: str) -> float:
    """Entropy estimate of ``value``: its length times the Shannon entropy of its characters
    (a repeated or short value scores low; random tokens score about their real strength)."""
    if not value:
        return 0.0
    counts = Counter(value)
    per_char = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return per_char * len(value)


def weakness(value: str) -> str | None:
    """Why a secret value is weak (never quoting it), or None."""
    if not value:
        return "is not set"
    if value.strip().lower() in KNOWN_VALUES:
        return "is a known default (test, benchmark or placeholder value)"
    if len(value) < MIN_SECRET_CHARS:
        return f"is too short ({len(value)} characters, at least {MIN_SECRET_CHARS})"
    if estimated_bits(value) < MIN_SECRET_BITS:
        return f"has too little entropy (about {estimated_bits(value):.0f} bits)"
    return None


def pin_weakness(pin: str) -> str | None:
    """Why a PKCS#11 user PIN is weak (never quoting it), or None. A token locks after a few
    wrong PINs, so a PIN need not be a 32-character secret, but not a guessable one either."""
    if pin in KNOWN_PINS or len(set(pin)) == 1:
        return "is a well-known or repeated PIN"
    if len(pin) < MIN_PIN_CHARS:
        return f"is short ({len(pin)} characters, at least {MIN_PIN_CHARS})"
    if pin.isdigit() and len(pin) < MIN_DIGIT_PIN_CHARS:
        return f"is {len(pin)} digits only (at least {MIN_DIGIT_PIN_CHARS}, or mix in letters)"
    return None


def _field_key_list(config: Mapping[str, Any]) -> list[str]:
    return [k.strip() for k in str(config.get("PII_FIELD_KEYS") or "").split(",") if k.strip()]


def _instance_generated(config: Mapping[str, Any], name: str, value: str) -> bool:
    path = Path(str(config.get("INSTANCE_DIR") or "")) / f".{name.lower()}"
    try:
        return path.is_file() and path.read_text().strip() == value
    except OSError:
        return False


def _secret(config: Mapping[str, Any], name: str, production: bool) -> Finding:
    value = str(config.get(name) or "")
    check = f"secret:{name}"
    if (why := weakness(value)) is not None:
        return Finding(check, FAIL, f"{name} {why}: set a random value in the env file ({GENERATE})")
    if _instance_generated(config, name, value):
        if production:
            return Finding(check, FAIL, f"{name} was generated in instance/: set it in the "
                                        "environment, the same on every instance")
        return Finding(check, WARN, f"{name} was generated in instance/ (embedded default); "
                                    "set it in the environment for production")
    return Finding(check, OK, f"{name} is set and strong")


def _field_keys(config: Mapping[str, Any]) -> Finding:
    keys = _field_key_list(config)
    weak = [i + 1 for i, key in enumerate(keys) if weakness(key) is not None]
    if weak:
        return Finding("secret:PII_FIELD_KEYS", FAIL,
                       f"PII_FIELD_KEYS entries {weak} are weak or known: replace them with "
                       f"random values ({GENERATE}) and run `flask keys rotate`")
    return Finding("secret:PII_FIELD_KEYS", OK,
                   f"{len(keys)} field key(s) set" if keys else "not set: PII_KEY encrypts fields")


def _distinct(config: Mapping[str, Any]) -> Finding:
    holders: dict[str, list[str]] = defaultdict(list)
    for name in ALL_SECRETS:
        if value := str(config.get(name) or ""):
            holders[value].append(name)
    for i, key in enumerate(_field_key_list(config)):
        holders[key].append(f"PII_FIELD_KEYS entry {i + 1}")
    shared = ["; ".join(names) for names in holders.values() if len(names) > 1]
    if shared:
        return Finding("secret:distinct", FAIL, "secrets share a value ("
                       + " | ".join(shared) + "): give each its own random value")
    return Finding("secret:distinct", OK, f"{len(holders)} secret value(s) set, all different")


def _s3_keys(config: Mapping[str, Any], environ: Mapping[str, str]) -> Finding:
    if str(config.get("ARCHIVE_BACKEND") or "local").strip().lower() != "s3":
        return Finding("secret:S3_SECRET_KEY", OK, "no S3 archive")
    access = str(config.get("S3_ACCESS_KEY") or "").strip()
    root = environ.get("MINIO_ROOT_USER", "").strip()
    if access.lower() in DEFAULT_S3_KEYS or (root and access == root):
        return Finding("secret:S3_SECRET_KEY", FAIL, "S3_ACCESS_KEY is MinIO's default or root "
                       "user: give the app its own user limited to its bucket (deploy/compose.yaml"
                       " init-minio-user)")
    if (why := weakness(str(config.get("S3_SECRET_KEY") or ""))) is not None:
        return Finding("secret:S3_SECRET_KEY", FAIL, f"S3_SECRET_KEY {why}: set a random value "
                       f"({GENERATE}) for the app's MinIO user")
    return Finding("secret:S3_SECRET_KEY", OK, "the app's S3 keys are its own and strong")


def _minio_root(environ: Mapping[str, str], production: bool) -> Finding:
    present = [n for n in ("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD") if environ.get(n, "").strip()]
    if present:
        return Finding("minio-root", strictness(production), f"{' and '.join(present)} set in the "
                       "app's environment: only MinIO and the init step need the root "
                       "credentials; blank them for the app (as deploy/compose.yaml does)")
    return Finding("minio-root", OK, "MinIO's root credentials are not in the app's environment")


def secret_findings(config: Mapping[str, Any], environ: Mapping[str, str],
                    production: bool) -> list[Finding]:
    """Every secrets check of ``config`` and the process environment ``environ``."""
    findings = [_secret(config, name, production) for name in SECRETS]
    findings += [_field_keys(config), _distinct(config), _s3_keys(config, environ),
                 _minio_root(environ, production)]
    return findings
