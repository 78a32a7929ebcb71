"""``flask security report``: an unsafe configuration fails with the checks named, a good
production configuration passes, the exit code follows production mode, secrets never print."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app import sms
from app.services.platform.report_secrets import secret_findings
from app.services.platform.security_report import FAIL, OK, WARN, estimated_bits, run_checks
from archive import S3ObjectStore
from config import PRODUCTION_PASSWORD_HASH_METHOD
from tests.conftest import config_for


def _key_file(path: Path, passphrase: bytes | None, mode: int) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8, encryption))
    path.chmod(mode)


def _strong() -> dict[str, str]:
    return {name: secrets.token_urlsafe(32) for name in
            ("SECRET_KEY", "PII_KEY", "CA_KEY_PASSPHRASE", "METRICS_TOKEN")}


def _app(tmp_path: Path, **settings):
    from app import create_app

    return create_app(config_for(tmp_path, f"sqlite:///{tmp_path / 'r.db'}", **settings))


def _report(app, *args: str):
    result = app.test_cli_runner().invoke(args=["security", "report", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _by_check(findings) -> dict[str, str]:
    return {f.check: f.status for f in findings}


@pytest.fixture
def county_sms(monkeypatch):
    """A provider backend that is neither "file" nor "log" (no credentials needed)."""
    monkeypatch.setitem(sms.BACKENDS, "county", lambda config: sms.LogSmsGateway())
    return "county"


@pytest.fixture
def locked_bucket(s3_server, s3_bucket) -> dict[str, str]:
    """Settings of an S3 archive whose bucket has object lock and versioning."""
    S3ObjectStore(s3_server.endpoint, s3_server.access_key, s3_server.secret_key, s3_bucket,
                  object_lock=True).ensure_bucket()
    return {"ARCHIVE_BACKEND": "s3", "S3_ENDPOINT": s3_server.endpoint,
            "S3_ACCESS_KEY": s3_server.access_key, "S3_SECRET_KEY": s3_server.secret_key,
            "S3_BUCKET": s3_bucket, "S3_OBJECT_LOCK": True}


def _good_production(tmp_path: Path, bucket: dict, backend: str) -> dict:
    good = _strong()
    _key_file(tmp_path / "pki" / "issuing.key.pem", good["CA_KEY_PASSPHRASE"].encode(), 0o600)
    if bucket.get("ARCHIVE_BACKEND") == "s3":  # the app's own MinIO user (moto takes any keys)
        bucket = {**bucket, "S3_ACCESS_KEY": "laborsign-app",
                  "S3_SECRET_KEY": secrets.token_urlsafe(32)}
    return {**good, **bucket, "PRODUCTION": True, "BASE_URL": "https://ht.example.gov.cn",
            "PASSWORD_HASH_METHOD": PRODUCTION_PASSWORD_HASH_METHOD,
            "TRUST_PROXY_HOPS": 1, "SMS_BACKEND": backend, "SMS_FALLBACK_BACKEND": "log",
            "WEBHOOK_ALLOW_PRIVATE": False}


def test_a_good_production_configuration_passes(tmp_path, locked_bucket, county_sms):
    settings = _good_production(tmp_path, locked_bucket, county_sms)
    result = _report(_app(tmp_path, **settings))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert not [line for line in lines if line.startswith(FAIL)], result.output
    assert any(line.startswith("OK") and "archive:" in line and "object lock on" in line
               for line in lines), result.output
    assert "0 failed" in lines[-1] and "(production)" in lines[-1]
    for name in ("SECRET_KEY", "PII_KEY", "CA_KEY_PASSPHRASE", "METRICS_TOKEN", "S3_SECRET_KEY"):
        assert settings[name] not in result.output  # not one secret printed


def test_an_unsafe_production_configuration_fails_naming_each_check(tmp_path):
    """Test secrets, plain http, file SMS, a local archive, private webhooks, no metrics
    token, an unencrypted and a world-readable key file: exit 1, each check named."""
    from config import TestConfig

    _key_file(tmp_path / "pki" / "root.key.pem", None, 0o600)
    _key_file(tmp_path / "pki" / "tsa.key.pem", b"passphrase-x", 0o644)
    app = _app(tmp_path, PRODUCTION=True, WEBHOOK_ALLOW_PRIVATE=True,
               PASSWORD_HASH_METHOD=PRODUCTION_PASSWORD_HASH_METHOD)
    result = _report(app)
    assert result.exit_code == 1, result.output
    failed = {line.split()[1].rstrip(":") for line in result.output.splitlines()
              if line.startswith(FAIL)}
    assert failed == {"secret:SECRET_KEY", "secret:PII_KEY", "secret:CA_KEY_PASSPHRASE",
                      "tls", "sms", "webhooks", "metrics", "archive",
                      "key-file:root.key.pem", "key-file:tsa.key.pem"}, result.output
    assert "known default" in result.output and "unencrypted" in result.output
    assert "mode 644" in result.output
    for value in (TestConfig.SECRET_KEY, TestConfig.PII_KEY, TestConfig.CA_KEY_PASSPHRASE):
        assert value not in result.output

    as_json = _report(app, "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.output)
    assert report["production"] is True and report["failed"] == len(failed)
    assert {c["check"] for c in report["checks"] if c["status"] == FAIL} == failed
    assert TestConfig.SECRET_KEY not in as_json.output


def test_outside_production_the_same_findings_do_not_fail_the_exit_code(tmp_path):
    """The embedded default: production-only matters are warnings, a known secret still
    fails, and the command exits 0 (only production mode gates on failures)."""
    app = _app(tmp_path)  # TestConfig's secrets, local archive, file SMS, http
    result = _report(app, "--json")
    assert result.exit_code == 0
    checks = {c["check"]: c["status"] for c in json.loads(result.output)["checks"]}
    assert checks["secret:SECRET_KEY"] == FAIL
    assert checks["tls"] == checks["sms"] == checks["archive"] == checks["webhooks"] == WARN


def test_a_bucket_without_object_lock_or_out_of_reach_fails(tmp_path, s3_server, s3_bucket,
                                                            county_sms):
    unlocked = f"{s3_bucket}-open"
    S3ObjectStore(s3_server.endpoint, s3_server.access_key, s3_server.secret_key, unlocked,
                  object_lock=False).ensure_bucket()
    base = _good_production(tmp_path, {}, county_sms)
    s3 = {"ARCHIVE_BACKEND": "s3", "S3_ACCESS_KEY": s3_server.access_key,
          "S3_SECRET_KEY": s3_server.secret_key, "S3_OBJECT_LOCK": True}
    cases = {
        "has no object lock": {**s3, "S3_ENDPOINT": s3_server.endpoint, "S3_BUCKET": unlocked},
        "does not exist": {**s3, "S3_ENDPOINT": s3_server.endpoint, "S3_BUCKET": s3_bucket},
        "S3_OBJECT_LOCK is off": {**s3, "S3_ENDPOINT": s3_server.endpoint,
                                  "S3_BUCKET": unlocked, "S3_OBJECT_LOCK": False},
        "unreachable": {**s3, "S3_ENDPOINT": "127.0.0.1:9", "S3_BUCKET": s3_bucket},
    }
    for words, bucket in cases.items():
        archive = next(f for f in run_checks({**base, **bucket}, {}) if f.check == "archive")
        assert archive.status == FAIL and words in archive.message, (words, archive)


@pytest.mark.parametrize(("change", "check", "status"), [
    ({"DEBUG": True}, "debug", FAIL),
    ({"SECRET_KEY": "a" * 64}, "secret:SECRET_KEY", FAIL),  # long, no entropy
    ({"PII_KEY": "Zq3VhXo1Tk9sGfLr"}, "secret:PII_KEY", FAIL),  # random but short
    ({"CA_KEY_PASSPHRASE": "changeme"}, "secret:CA_KEY_PASSPHRASE", FAIL),
    ({"PII_FIELD_KEYS": "new-" + "x" * 40 + ",test"}, "secret:PII_FIELD_KEYS", FAIL),
    ({"SESSION_COOKIE_SECURE": False}, "cookies", FAIL),
    ({"TRUST_PROXY_HOPS": 0}, "proxy", WARN),
    ({"CA_KEY_PROVIDER": "pkcs11", "PKCS11_USER_PIN": ""}, "ca-key-provider", FAIL),
    ({"CA_KEY_PROVIDER": "pkcs11", "PKCS11_USER_PIN": "k7Qx-29vB-m4"}, "ca-key-provider", OK),
    ({"SMS_BACKEND": "log"}, "sms", FAIL),
    ({"METRICS_TOKEN": "metrics"}, "metrics", FAIL),
    ({"SMS_CALLBACK_SECRET": "receipts"}, "sms", FAIL),
])
def test_each_check_names_what_is_wrong(tmp_path, change, check, status):
    base = _good_production(tmp_path, {"ARCHIVE_BACKEND": "local"}, "county")
    base.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True,
                INSTANCE_DIR=str(tmp_path), PKI_DIR=str(tmp_path / "pki"))
    before = _by_check(run_checks(base, {}))
    after = _by_check(run_checks({**base, **change}, {}))
    assert after[check] == status and before[check] != status


def test_a_secret_generated_in_the_instance_folder_fails_in_production(tmp_path):
    value = secrets.token_urlsafe(32)
    (tmp_path / ".secret_key").write_text(value)
    settings = {"SECRET_KEY": value, "INSTANCE_DIR": str(tmp_path), "PKI_DIR": str(tmp_path)}
    assert _by_check(run_checks({**settings, "PRODUCTION": True}, {}))["secret:SECRET_KEY"] == FAIL
    assert _by_check(run_checks(settings, {}))["secret:SECRET_KEY"] == WARN
    assert _by_check(run_checks(settings, {"FLASK_DEBUG": "1"}))["debug"] == FAIL


def test_the_entropy_estimate_tells_random_from_repeated():
    assert estimated_bits(secrets.token_urlsafe(32)) > 150
    assert estimated_bits("ab" * 30) == pytest.approx(60)


def _secrets_base() -> dict:
    """Strong, distinct values for every secret, the archive on S3 with the app's own user."""
    return {**_strong(), "PRODUCTION": True, "ARCHIVE_BACKEND": "s3",
            "S3_ACCESS_KEY": "laborsign-app", "S3_SECRET_KEY": secrets.token_urlsafe(32),
            "SMS_CALLBACK_SECRET": secrets.token_urlsafe(32),
            "PII_FIELD_KEYS": f"{secrets.token_urlsafe(32)},{secrets.token_urlsafe(32)}",
            "CA_KEY_PROVIDER": "pkcs11", "PKCS11_USER_PIN": "k7Qx-29vB-m4"}


def _secret_checks(settings: dict, environ: dict | None = None) -> dict[str, tuple[str, str]]:
    return {f.check: (f.status, f.message)
            for f in secret_findings(settings, environ or {}, bool(settings.get("PRODUCTION")))}


def test_strong_distinct_secrets_and_the_app_s_own_s3_user_pass():
    checks = _secret_checks(_secrets_base())
    assert {name: status for name, (status, _) in checks.items()} == {
        "secret:SECRET_KEY": OK, "secret:PII_KEY": OK, "secret:CA_KEY_PASSPHRASE": OK,
        "secret:PII_FIELD_KEYS": OK, "secret:distinct": OK, "secret:S3_SECRET_KEY": OK,
        "minio-root": OK}


@pytest.mark.parametrize(("copy_to", "copy_from", "names"), [
    ("METRICS_TOKEN", "SECRET_KEY", ["SECRET_KEY", "METRICS_TOKEN"]),
    ("S3_SECRET_KEY", "SMS_CALLBACK_SECRET", ["SMS_CALLBACK_SECRET", "S3_SECRET_KEY"]),
    ("PKCS11_USER_PIN", "PII_KEY", ["PII_KEY", "PKCS11_USER_PIN"]),
    ("PII_FIELD_KEYS", "CA_KEY_PASSPHRASE", ["CA_KEY_PASSPHRASE", "PII_FIELD_KEYS entry 2"]),
])
def test_any_two_secrets_sharing_a_value_fail_named_never_quoted(copy_to, copy_from, names):
    settings = _secrets_base()
    shared = settings[copy_from]
    settings[copy_to] = (f"{settings['PII_FIELD_KEYS'].split(',')[0]},{shared}"
                         if copy_to == "PII_FIELD_KEYS" else shared)
    status, message = _secret_checks(settings)["secret:distinct"]
    assert status == FAIL and "; ".join(names) in message
    assert shared not in message


@pytest.mark.parametrize(("change", "environ", "words"), [
    ({"S3_SECRET_KEY": "minioadmin"}, {}, "known default"),
    ({"S3_SECRET_KEY": "Zq3VhXo1Tk9s"}, {}, "too short"),
    ({"S3_ACCESS_KEY": "minioadmin"}, {}, "default or root user"),
    ({"S3_ACCESS_KEY": "county-root"}, {"MINIO_ROOT_USER": "county-root"}, "root user"),
])
def test_weak_or_root_s3_keys_fail(change, environ, words):
    status, message = _secret_checks({**_secrets_base(), **change}, environ)[
        "secret:S3_SECRET_KEY"]
    assert status == FAIL and words in message, message
    assert "minioadmin" not in message and "Zq3VhXo1Tk9s" not in message
    local = {**_secrets_base(), **change, "ARCHIVE_BACKEND": "local"}  # keys of no use
    assert _secret_checks(local, environ)["secret:S3_SECRET_KEY"][0] == OK


@pytest.mark.parametrize("name", ["MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"])
def test_minio_s_root_credentials_in_the_app_s_environment_fail_in_production(name):
    environ = {name: "root-" + secrets.token_urlsafe(16)}
    status, message = _secret_checks(_secrets_base(), environ)["minio-root"]
    assert status == FAIL and name in message and environ[name] not in message
    assert _secret_checks({**_secrets_base(), "PRODUCTION": False}, environ)["minio-root"][0] \
        == WARN
    assert _secret_checks(_secrets_base(), {name: ""})["minio-root"][0] == OK  # blanked


def test_the_report_command_reads_minio_s_root_password_from_the_environment(
        tmp_path, locked_bucket, county_sms, monkeypatch):
    app = _app(tmp_path, **_good_production(tmp_path, locked_bucket, county_sms))
    monkeypatch.setenv("MINIO_ROOT_PASSWORD", "root-password-of-the-cluster")
    result = _report(app)
    assert result.exit_code == 1, result.output
    assert [line.split()[1] for line in result.output.splitlines()
            if line.startswith(FAIL)] == ["minio-root:"]
    assert "root-password-of-the-cluster" not in result.output


@pytest.mark.parametrize(("pin", "status"), [
    ("1234", WARN), ("123456", WARN), ("000000", WARN), ("84736291", WARN), ("a7c", WARN),
    ("zzzzzzzzzz", WARN), ("k7Qx-29vB-m4", OK), ("4820571936", OK),
])
def test_a_short_or_digits_only_pkcs11_pin_warns(tmp_path, pin, status):
    settings = {**_secrets_base(), "PKI_DIR": str(tmp_path), "PKCS11_USER_PIN": pin}
    finding = next(f for f in run_checks(settings, {}) if f.check == "ca-key-provider")
    assert finding.status == status, finding
    assert pin not in finding.message
