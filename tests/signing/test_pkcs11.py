"""PKCS#11 keys (SoftHSM2) issuing certificates, CRLs and time-stamps."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.serialization import Encoding

from signing import KeyProviderError, Pkcs11KeyProvider, PlatformCA, TimeStampAuthority

from .conftest import need_tool, run


@pytest.fixture(scope="module")
def hsm_ca(softhsm, tmp_path_factory):
    """A platform CA whose root, issuing and TSA keys live on the token."""
    keys = {label: Pkcs11KeyProvider.generate(softhsm.lib, softhsm.token, label, softhsm.pin)
            for label in ("root", "issuing", "tsa")}
    folder = tmp_path_factory.mktemp("hsm-ca")
    ca = PlatformCA.create(folder, b"unused", crl_base_url="http://hsm.test",
                           root_key=keys["root"], issuing_key=keys["issuing"])
    assert not list(folder.glob("*.key.pem"))  # no key material on disk
    tsa_cert = ca.issue_tsa_certificate(keys["tsa"])
    tsa = TimeStampAuthority(tsa_cert, keys["tsa"], policy_oid="1.2.3.4.5",
                             next_serial=itertools.count(1).__next__,
                             extra_certs=[ca.issuing_cert])
    pem = folder / "root.pem", folder / "issuing.pem"
    return ca, tsa, keys, pem


@pytest.mark.parametrize("algorithm", ["ec-p256", "rsa-2048"])
def test_token_key_signs_and_reloads_by_label(softhsm, algorithm):
    label = f"k-{algorithm}"
    key = Pkcs11KeyProvider.generate(softhsm.lib, softhsm.token, label, softhsm.pin, algorithm)
    assert key.algorithm == algorithm
    again = Pkcs11KeyProvider(softhsm.lib, softhsm.token, label, softhsm.pin)
    signature = again.sign(b"data")
    if algorithm.startswith("ec"):
        key.public_key.verify(signature, b"data", ec.ECDSA(hashes.SHA256()))
    else:
        key.public_key.verify(signature, b"data", padding.PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize("args, message", [
    (("laborsign-test", "missing", "123456"), "not found"),
    (("no-such-token", "root", "123456"), "no PKCS#11 token"),
    (("laborsign-test", "root", "000000"), "Pin"),
])
def test_token_errors_are_key_provider_errors(softhsm, hsm_ca, args, message):
    with pytest.raises(KeyProviderError, match=message):
        Pkcs11KeyProvider(softhsm.lib, *args)


def test_duplicate_label_is_refused(softhsm, hsm_ca):
    with pytest.raises(KeyProviderError, match="exists"):
        Pkcs11KeyProvider.generate(softhsm.lib, softhsm.token, "root", softhsm.pin)


def test_token_key_issues_a_certificate_openssl_accepts(hsm_ca, tmp_path):
    need_tool("openssl")
    ca, _tsa, _keys, (root_pem, issuing_pem) = hsm_ca
    cred = ca.issue_event_certificate(common_name="王小明", kind="worker", id_hash="ab" * 32)
    leaf = tmp_path / "leaf.pem"
    leaf.write_text(cred.cert_pem)
    out = run("openssl", "verify", "-CAfile", root_pem, "-untrusted", issuing_pem, leaf)
    assert f"{leaf}: OK" in out.stdout


def test_token_key_signs_a_crl(hsm_ca):
    ca, *_ = hsm_ca
    crl = x509.load_der_x509_crl(ca.build_crl([(99, datetime.now(UTC), "superseded")]))
    assert crl.is_signature_valid(ca.issuing_cert.public_key())
    assert crl.get_revoked_certificate_by_serial_number(99) is not None


def test_token_key_signs_a_time_stamp_openssl_accepts(hsm_ca, tmp_path):
    need_tool("openssl")
    ca, tsa, _keys, (root_pem, issuing_pem) = hsm_ca
    data = tmp_path / "d.bin"
    data.write_bytes(b"payload")
    query = tmp_path / "q.tsq"
    run("openssl", "ts", "-query", "-data", data, "-sha256", "-cert", "-out", query)
    reply = tmp_path / "r.tsr"
    reply.write_bytes(tsa.respond(query.read_bytes()))
    out = run("openssl", "ts", "-verify", "-in", reply, "-queryfile", query,
              "-CAfile", root_pem, "-untrusted", issuing_pem)
    assert "Verification: OK" in out.stdout
    assert ca.issuing_cert.public_bytes(Encoding.PEM) == issuing_pem.read_bytes()
