"""Production mode (LABORSIGN_ENV=production) refuses to start half-configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"SECRET_KEY": "s" * 32, "PII_KEY": "p" * 32, "CA_KEY_PASSPHRASE": "c" * 32}


def _app(tmp_path: Path, **settings):
    from app import create_app

    return create_app({"INSTANCE_DIR": str(tmp_path), "SMS_OUTBOX": str(tmp_path / "sms.jsonl"),
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                       "SECRET_KEY": "", "PII_KEY": "", "CA_KEY_PASSPHRASE": "",
                       "SESSION_COOKIE_SECURE": None, "REMEMBER_COOKIE_SECURE": None,
                       **settings})


def test_the_setting_comes_from_laborsign_env():
    code = "import config; print(config.Config.PRODUCTION)"
    for value, expected in (("production", "True"), (" Production ", "True"), ("", "False"),
                            ("staging", "False")):
        env = {**os.environ, "LABORSIGN_ENV": value}
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout.strip()
        assert out == expected, value


def test_missing_secrets_are_named_and_nothing_is_generated(tmp_path):
    from app import ProductionConfigError

    with pytest.raises(ProductionConfigError) as exc:
        _app(tmp_path, PRODUCTION=True)
    message = str(exc.value)
    assert "SECRET_KEY" in message and "PII_KEY" in message and "CA_KEY_PASSPHRASE" in message
    assert not list(tmp_path.glob(".*"))  # no per-host secret was generated
    with pytest.raises(ProductionConfigError) as exc:
        _app(tmp_path, PRODUCTION=True, **{**SECRETS, "PII_KEY": ""})
    assert "PII_KEY" in str(exc.value) and "SECRET_KEY" not in str(exc.value)


def test_debug_is_refused(tmp_path, monkeypatch):
    from app import ProductionConfigError

    with pytest.raises(ProductionConfigError, match="debug"):
        _app(tmp_path, PRODUCTION=True, DEBUG=True, **SECRETS)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ProductionConfigError, match="debug"):
        _app(tmp_path, PRODUCTION=True, **SECRETS)


def test_complete_production_settings_start_with_secure_cookies(tmp_path):
    app = _app(tmp_path, PRODUCTION=True, BASE_URL="http://10.0.0.5", **SECRETS)
    assert app.config["SECRET_KEY"] == SECRETS["SECRET_KEY"]
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"]
    assert not list(tmp_path.glob(".*"))


def test_production_hashes_passwords_with_scrypt_at_full_cost(tmp_path):
    """The suite hashes cheaply (TestConfig); production keeps werkzeug's scrypt N=2^15, r=8."""
    from app.services.accounts import passwords
    from config import Config, TestConfig

    assert Config.PASSWORD_HASH_METHOD == "scrypt:32768:8:1"
    assert TestConfig.PASSWORD_HASH_METHOD != Config.PASSWORD_HASH_METHOD
    app = _app(tmp_path, PRODUCTION=True, **SECRETS)
    with app.app_context():
        stored = passwords.hash_password("Correct-Horse-42")
        assert stored.startswith("scrypt:32768:8:1$")
        user = type("U", (), {"password_hash": stored})()
        assert passwords.matches(user, "Correct-Horse-42")
        assert not passwords.matches(user, "Correct-Horse-43")


@pytest.mark.parametrize("method", ["scrypt:16:8:1", "scrypt:32768:4:1", "pbkdf2:sha256:1000",
                                    "scrypt", "scrypt:a:b:c", "", "scrypt:40000:8:1"])
def test_a_weaker_password_hash_is_refused_in_production(tmp_path, method):
    from app import ProductionConfigError

    with pytest.raises(ProductionConfigError, match="PASSWORD_HASH_METHOD"):
        _app(tmp_path, PRODUCTION=True, PASSWORD_HASH_METHOD=method, **SECRETS)


def test_a_stronger_password_hash_is_accepted_in_production(tmp_path):
    app = _app(tmp_path, PRODUCTION=True, PASSWORD_HASH_METHOD="scrypt:65536:8:2", **SECRETS)
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt:65536:8:2"


def test_the_embedded_default_keeps_generating_secrets_in_instance(tmp_path):
    first = _app(tmp_path)
    for name in ("secret_key", "pii_key", "ca_key_passphrase"):
        path = tmp_path / f".{name}"
        assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"
    second = _app(tmp_path)
    assert first.config["PII_KEY"] == second.config["PII_KEY"]  # kept, not regenerated
    assert first.config["SESSION_COOKIE_SECURE"] is False
