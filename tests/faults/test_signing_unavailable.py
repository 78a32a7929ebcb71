"""Fault 5: the signing key or the time-stamp authority is unavailable.

In-process with the test app (what it proves does not need separate processes): each time the
worker's signature (or the employer's seal) is refused with a 503 naming the problem, the
contract stays as it was (no signature event, no signed version, no filing), and once the
key or TSA is back the same worker signs and the contract is filed.

* PKCS#11: the SoftHSM2 token's folder is moved away. A running process may still hold an
  open session, so the process is "restarted" (module finalized, PKI objects forgotten) the
  way a deployment would restart it.
* PEM key file: renamed, then corrupted. The tests run as root, so ``chmod 000`` would not
  stop the read; and a running process keeps the key it loaded, so the PKI objects are
  forgotten (a restart) before signing.
* TSA: ``TSA_URL`` points at a port where nothing listens, with ``SIGNATURE_LEVEL=B-LTA``:
  the employer's seal is refused as well, so no signature exists without its time-stamp.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db, pki_ext
from app.models import Contract, ContractDocument, Filing, SignatureEvent
from app.services.filing import verification
from app.services.platform import pki
from tests.app.flows import api_create, api_send, sent_contract, worker_session, worker_sign
from tests.needs import need, need_tool
from tests.ports import free_port

pytestmark = pytest.mark.postgresql_only  # the production database; the key is what fails

SOFTHSM_LIB = "/usr/lib/softhsm/libsofthsm2.so"


# a PEM header over garbage (spelled in two parts: no key text lies in the repository)
CORRUPT_KEY = b"-----BEGIN ENCRYPTED " + b"PRIVATE KEY-----\nnot a key\n"


@contextmanager
def configured(app, **settings):
    """``app`` with ``settings`` and freshly built PKI objects; restored afterwards."""
    before = {k: app.config.get(k) for k in settings}
    app.config.update(settings)
    pki_ext.reset(app)
    try:
        yield
    finally:
        app.config.update(before)
        pki_ext.reset(app)


def restart_pkcs11() -> None:
    """Finalize the PKCS#11 module and drop cached sessions (a process restart)."""
    import pkcs11

    from signing import pkcs11_provider

    pkcs11_provider._libs.pop(SOFTHSM_LIB, None)
    for key in [k for k in pkcs11_provider._sessions if k[0] == SOFTHSM_LIB]:
        del pkcs11_provider._sessions[key]
    loaded = pkcs11._loaded.get(SOFTHSM_LIB)
    if loaded is not None and loaded.initialized:
        loaded.finalize()


@pytest.fixture
def token(tmp_path):
    """A fresh SoftHSM2 token; its folder is ``tmp_path / "tokens"``."""
    need_tool("softhsm2-util")
    need(Path(SOFTHSM_LIB).exists(), f"{SOFTHSM_LIB} not installed")
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "laborsign-fault",
                    "--pin", "246810", "--so-pin", "13579111"], check=True, capture_output=True)
    restart_pkcs11()
    yield tmp_path / "tokens"
    restart_pkcs11()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def refused(answer) -> None:
    """A 503 naming the signing outage, as JSON."""
    assert answer.status_code == 503, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["error"] == "signing_unavailable"
    assert "签名服务暂时不可用" in body["message"]


def unchanged(contract_id: int, status: str) -> None:
    """The contract is still ``status``: no worker signature, no signed version, no filing."""
    db.session.expire_all()
    assert db.session.get(Contract, contract_id).status == status
    for model, where in ((SignatureEvent, SignatureEvent.party == "worker"),
                         (ContractDocument, ContractDocument.kind == "signed")):
        assert not db.session.scalar(select(func.count(model.id)).where(
            model.contract_id == contract_id, where))
    assert db.session.scalar(select(Filing).where(Filing.contract_id == contract_id)) is None


def signs_and_files(client, token: str, session: str, contract_id: int) -> Filing:
    """The same worker signs now; the contract is filed."""
    signed = worker_sign(client, token, session)
    assert signed.status_code == 200, signed.get_json()
    filing = db.session.scalar(select(Filing).where(Filing.contract_id == contract_id))
    assert filing is not None
    return filing


def test_pkcs11_token_removed(client, world, outbox, token, tmp_path):
    app = client.application
    with configured(app, CA_KEY_PROVIDER="pkcs11", PKCS11_LIB=SOFTHSM_LIB,
                    PKCS11_TOKEN_LABEL="laborsign-fault", PKCS11_USER_PIN="246810",
                    PKCS11_ISSUING_KEY_LABEL="fault-issuing", PKCS11_TSA_KEY_LABEL="fault-tsa",
                    PKCS11_ROOT_KEY_LABEL="", PKI_DIR=str(tmp_path / "pki")):
        contract_id, link = sent_contract(client, world, outbox)  # sealed with the token's key
        session = worker_session(client, outbox, link)
        token.rename(token.with_name("tokens-away"))  # the token is pulled out
        restart_pkcs11()
        pki_ext.reset(app)
        refused(worker_sign(client, link, session))
        unchanged(contract_id, "sent")
        token.with_name("tokens-away").rename(token)  # and put back
        restart_pkcs11()
        pki_ext.reset(app)
        signs_and_files(client, link, session, contract_id)


@pytest.mark.parametrize("damage", ["renamed", "corrupted"])
def test_pem_key_file_unreadable(client, world, outbox, tmp_path, damage):
    app = client.application
    pki.ca()  # the session's CA exists; this test breaks a copy of it
    folder = tmp_path / "pki"
    shutil.copytree(app.config["PKI_DIR"], folder)
    key = folder / "issuing.key.pem"
    good = key.read_bytes()
    with configured(app, PKI_DIR=str(folder)):
        contract_id, link = sent_contract(client, world, outbox)
        session = worker_session(client, outbox, link)
        if damage == "renamed":
            key.rename(key.with_suffix(".away"))
        else:
            key.write_bytes(CORRUPT_KEY)
        pki_ext.reset(app)  # a restarted process reads the key file again
        refused(worker_sign(client, link, session))
        unchanged(contract_id, "sent")
        key.with_suffix(".away").unlink(missing_ok=True)
        key.write_bytes(good)
        pki_ext.reset(app)
        signs_and_files(client, link, session, contract_id)


def test_tsa_down_with_b_lta(client, world, outbox):
    app = client.application
    assert app.config["SIGNATURE_LEVEL"] == "B-LTA"
    dead = f"http://127.0.0.1:{free_port()}/tsa"  # nothing listens there
    created = api_create(client, world["api_key"])
    with configured(app, TSA_URL=dead):
        sealed = client.post(f"/api/v1/contracts/{created['id']}/send",
                             headers={"Authorization": f"Bearer {world['api_key']}"})
        refused(sealed)  # no seal without its time-stamp
        unchanged(created["id"], "draft")
        assert db.session.scalar(select(func.count(ContractDocument.id)).where(
            ContractDocument.contract_id == created["id"],
            ContractDocument.kind == "sealed")) == 0
    link = api_send(client, world["api_key"], created["id"])
    session = worker_session(client, outbox, link)
    with configured(app, TSA_URL=dead):
        refused(worker_sign(client, link, session))  # nor a signature
        unchanged(created["id"], "sent")
    filing = signs_and_files(client, link, session, created["id"])
    report = verification.verify_pdf(verification.archived_pdf(filing))
    assert report.ok, report.to_dict()
    assert report.timestamps and all(s.timestamp_trusted for s in report.signatures)
