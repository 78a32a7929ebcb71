"""Online revocation checking: the CRL distribution point in every event certificate is served
by the app itself, and ``verify(..., online=True)`` fetches it over HTTP."""

from __future__ import annotations

import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.app.flows import api_create, api_send, worker_session, worker_sign
from tests.conftest import IsolatedClient, Outbox
from tests.ports import free_port


@pytest.fixture
def served_app(tmp_path):
    """An app whose BASE_URL (and so its CRL distribution points) is a live loopback server."""
    from app import create_app
    from config import TestConfig

    port = free_port()
    application = create_app({
        **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'online.db'}",
        "INSTANCE_DIR": str(tmp_path), "PKI_DIR": str(tmp_path / "pki"),
        "ARCHIVE_ROOT": str(tmp_path / "archive"), "SMS_OUTBOX": str(tmp_path / "sms.jsonl"),
        "BASE_URL": f"http://127.0.0.1:{port}",
    })
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
    server = make_server("127.0.0.1", port, application, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with application.app_context():
        yield application
    server.shutdown()


def test_online_check_sees_a_revocation_the_embedded_crls_cannot(served_app, tmp_path):
    from app.extensions import db
    from app.models import SignatureEvent
    from app.services.accounts import accounts, apikeys
    from app.services.platform import pki
    from signing import verify

    org = accounts.add_organization(name="湖南在线核验有限公司", uscc="91110000600037341L",
                                    address="长沙县", legal_rep="周某", region_code="430121")
    key = apikeys.create_key(org, "online")
    db.session.commit()
    client, outbox = served_app.test_client(), Outbox(tmp_path / "sms.jsonl")
    contract_id = api_create(client, key)["id"]
    token = api_send(client, key, contract_id)
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    pdf = client.get(f"/api/v1/contracts/{contract_id}/pdf",
                     headers={"Authorization": f"Bearer {key}"}).data
    root = pki.ca().root_cert

    assert verify(pdf, trust_roots=[root], online=True).ok
    serial = db.session.scalar(select(SignatureEvent.certificate_serial)
                               .where(SignatureEvent.party == "worker"))
    result = served_app.test_cli_runner().invoke(
        args=["ca", "revoke", serial, "--reason", "key_compromise"])
    assert result.exit_code == 0, result.output

    offline = verify(pdf, trust_roots=[root])
    assert not any(s.revoked for s in offline.signatures)  # the DSS only knows the old CRL
    online = verify(pdf, trust_roots=[root], online=True)
    worker = next(s for s in online.signatures if s.signer_cn == "张三")
    assert worker.revoked and worker.revocation_reason == "key_compromise"
    assert not online.ok
