"""Key providers in the app: encrypted PEM files (default) and a PKCS#11 token (SoftHSM2).

The PKCS#11 tests build their own app (SQLite) on a fresh SoftHSM2 token. SoftHSM2 reads
``SOFTHSM2_CONF`` only in ``C_Initialize``, and the library is loaded once per process, so the
``hsm`` fixture finalizes the module before and after (forgetting the signing library's
cached sessions) to see its own token and to leave other tests theirs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select

from tests.app.flows import sent_contract, worker_session, worker_sign
from tests.conftest import IN_CI, IsolatedClient, Outbox

SOFTHSM_LIB = "/usr/lib/softhsm/libsofthsm2.so"
PLAIN_KEY_MARKERS = (b"BEGIN PRIVATE KEY", b"BEGIN EC PRIVATE KEY", b"BEGIN RSA PRIVATE KEY")


@dataclass(frozen=True)
class Token:
    lib: str
    label: str
    pin: str


def _restart_pkcs11(lib: str) -> None:
    """Finalize the PKCS#11 module and drop cached sessions: the next use re-reads the conf."""
    import pkcs11

    from signing import pkcs11_provider

    pkcs11_provider._libs.pop(lib, None)
    for key in [k for k in pkcs11_provider._sessions if k[0] == lib]:
        del pkcs11_provider._sessions[key]
    loaded = pkcs11._loaded.get(lib)
    if loaded is not None and loaded.initialized:
        loaded.finalize()


@pytest.fixture(scope="module")
def hsm(tmp_path_factory) -> Token:
    """A fresh SoftHSM2 token in a temporary directory (skip without SoftHSM2, fail in CI)."""
    if shutil.which("softhsm2-util") is None or not Path(SOFTHSM_LIB).exists():
        (pytest.fail if IN_CI else pytest.skip)("SoftHSM2 (softhsm2-util, libsofthsm2) is missing")
    folder = tmp_path_factory.mktemp("app-softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "laborsign-app",
                    "--pin", "246810", "--so-pin", "13579111"], check=True, capture_output=True)
    _restart_pkcs11(SOFTHSM_LIB)
    yield Token(SOFTHSM_LIB, "laborsign-app", "246810")
    _restart_pkcs11(SOFTHSM_LIB)
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def _make_app(tmp_path: Path, pki_dir: Path, **overrides):
    from flask_migrate import upgrade

    from app import create_app
    from config import TestConfig

    tmp_path.mkdir(parents=True, exist_ok=True)
    application = create_app({
        **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
        "INSTANCE_DIR": str(tmp_path), "PKI_DIR": str(pki_dir),
        "ARCHIVE_ROOT": str(tmp_path / "archive"), "SMS_OUTBOX": str(tmp_path / "sms.jsonl"),
        **overrides,
    })
    with application.app_context():
        upgrade()
    application.test_client_class = IsolatedClient
    return application


def _pkcs11_config(token: Token, prefix: str, *, root: bool) -> dict:
    return {"CA_KEY_PROVIDER": "pkcs11", "PKCS11_LIB": token.lib,
            "PKCS11_TOKEN_LABEL": token.label, "PKCS11_USER_PIN": token.pin,
            "PKCS11_ISSUING_KEY_LABEL": f"{prefix}-issuing", "PKCS11_TSA_KEY_LABEL": f"{prefix}-tsa",
            "PKCS11_ROOT_KEY_LABEL": f"{prefix}-root" if root else ""}


@pytest.fixture
def app_factory(tmp_path):
    """Builds apps; disposes their engines at the end."""
    made = []

    def build(name: str, pki_dir: Path, **overrides):
        made.append(_make_app(tmp_path / name, pki_dir, **overrides))
        return made[-1]

    yield build
    from app.extensions import db

    for application in made:
        with application.app_context():
            db.engine.dispose()


def _world(application) -> dict:
    from app.domain.ids import uscc_with_check
    from app.extensions import db
    from app.services.accounts import accounts, apikeys

    with application.app_context():
        org = accounts.add_organization(name="湖南星城建设工程有限公司",
                                        uscc=uscc_with_check("91430121MA4L8X2Q7"),
                                        address="湖南省长沙县星沙街道1号", legal_rep="李建国")
        key = apikeys.create_key(org, "tests")
        db.session.commit()
    return {"api_key": key}


def _public_der(key) -> bytes:
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _assert_no_plain_private_keys(pki_dir: Path) -> None:
    files = [p for p in pki_dir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        assert not any(marker in data for marker in PLAIN_KEY_MARKERS), path


def test_pkcs11_app_keeps_ca_and_tsa_keys_on_the_token_and_signs_end_to_end(hsm, app_factory,
                                                                            tmp_path):
    from app.extensions import db
    from app.models import Filing
    from app.services.filing import verification
    from app.services.platform import pki
    from signing import Pkcs11KeyProvider

    pki_dir = tmp_path / "pki"
    application = app_factory("hsm", pki_dir, **_pkcs11_config(hsm, "e2e", root=True))
    init = application.test_cli_runner().invoke(args=["ca", "init"])
    assert init.exit_code == 0, init.output
    assert "Pkcs11KeyProvider" in init.output and "e2e-issuing" in init.output
    assert sorted(p.name for p in pki_dir.iterdir()) == ["issuing.pem", "root.pem", "tsa.pem"]

    client, world = application.test_client(), _world(application)
    outbox = Outbox(tmp_path / "hsm" / "sms.jsonl")
    with application.app_context():
        contract_id, token = sent_contract(client, world, outbox)
        signed = worker_sign(client, token, worker_session(client, outbox, token))
        assert signed.status_code == 200, signed.get_json()
        filing = db.session.scalar(select(Filing).where(Filing.contract_id == contract_id))
        report = verification.verify_pdf(verification.archived_pdf(filing))
        assert report.ok, report.to_dict()
        assert len(report.signatures) == 2 and report.timestamps
        authority = pki.ca()
        for label, cert in (("e2e-issuing", authority.issuing_cert_asn1),
                            ("e2e-root", authority.root_cert_asn1), ("e2e-tsa", pki.tsa().cert)):
            on_token = Pkcs11KeyProvider(hsm.lib, hsm.label, label, hsm.pin)
            assert _public_der(on_token.public_key) == cert.public_key.dump(), label
            on_token.close()
    _assert_no_plain_private_keys(pki_dir)


def test_pkcs11_root_key_defaults_to_an_encrypted_file_and_a_restart_reuses_the_token(
        hsm, app_factory, tmp_path):
    from app.services.platform import pki

    pki_dir, config = tmp_path / "pki", _pkcs11_config(hsm, "restart", root=False)
    first = app_factory("first", pki_dir, **config)
    with first.app_context():
        issuing = pki.ca().issuing_cert
        tsa_cert = pki.tsa().cert.dump()
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in (pki_dir / "root.key.pem").read_bytes()
    assert not (pki_dir / "issuing.key.pem").exists() and not (pki_dir / "tsa.key.pem").exists()
    _assert_no_plain_private_keys(pki_dir)

    again = app_factory("again", pki_dir, **config)
    with again.app_context():
        assert pki.ca().issuing_cert == issuing and pki.tsa().cert.dump() == tsa_cert
        assert pki.root_crl() and pki.issuing_crl()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"PKCS11_USER_PIN": "000000"}, "PinIncorrect"),
    ({"PKCS11_USER_PIN": ""}, "PKCS11_USER_PIN is not set"),
    ({"PKCS11_TOKEN_LABEL": "no-such-token"}, "no PKCS#11 token labelled 'no-such-token'"),
    ({"PKCS11_ISSUING_KEY_LABEL": ""}, "PKCS11_ISSUING_KEY_LABEL is not set"),
    ({"CA_KEY_PROVIDER": "vault"}, "CA_KEY_PROVIDER must be 'pem' or 'pkcs11'"),
])
def test_pkcs11_misconfiguration_is_a_clear_error(hsm, app_factory, tmp_path, overrides, message):
    from app.services.platform import pki
    from signing import KeyProviderError

    config = {**_pkcs11_config(hsm, "misconf", root=False), **overrides}
    application = app_factory("bad", tmp_path / "pki", **config)
    with application.app_context(), pytest.raises(KeyProviderError, match=message):
        pki.ca()
    assert not (tmp_path / "pki" / "root.pem").exists()


def test_existing_ca_never_gets_a_fresh_token_key(hsm, app_factory, tmp_path):
    """A CA in PKI_DIR whose token key is gone is an error, not a silently new key."""
    from app.services.platform import pki
    from signing import KeyProviderError

    pki_dir = tmp_path / "pki"
    with app_factory("first", pki_dir, **_pkcs11_config(hsm, "orig", root=False)).app_context():
        pki.ca()
    moved = app_factory("moved", pki_dir, **_pkcs11_config(hsm, "other", root=False))
    with moved.app_context(), pytest.raises(KeyProviderError, match="'other-issuing' not found"):
        pki.ca()


def test_pem_provider_keeps_only_encrypted_keys_in_pki_dir(ctx):
    from app.services.platform import pki

    pki.ca(), pki.tsa()
    pki_dir = Path(ctx.config["PKI_DIR"])
    for name in ("root.key.pem", "issuing.key.pem", "tsa.key.pem"):
        assert b"BEGIN ENCRYPTED PRIVATE KEY" in (pki_dir / name).read_bytes()
    _assert_no_plain_private_keys(pki_dir)
