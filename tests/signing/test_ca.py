"""Platform CA: event certificates, the TSA certificate, CRLs, storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from signing import CertificateError, KeyProviderError, PlatformCA, is_valid_uscc

from .conftest import need_tool, run

ID_NUMBER = "360426199101010071"
USCC = "91110000600037341L"


def _cert(credential) -> x509.Certificate:
    return x509.load_der_x509_certificate(credential.cert.dump())


@pytest.fixture(scope="module")
def worker_cred(platform_ca):
    return platform_ca.issue_event_certificate(common_name="王小明", kind="worker",
                                               id_hash="5c" * 32)


@pytest.fixture(scope="module")
def employer_cred(platform_ca):
    return platform_ca.issue_event_certificate(common_name="湖南建工集团第三工程有限公司",
                                               kind="employer", uscc=USCC)


@pytest.mark.parametrize("which", ["worker_cred", "employer_cred"])
def test_event_certificate_profile(request, which, platform_ca):
    cred = request.getfixturevalue(which)
    cert = _cert(cred)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= timedelta(hours=24)
    assert cert.not_valid_before_utc <= datetime.now(UTC) < cert.not_valid_after_utc
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and ku.value.content_commitment
    assert not (ku.value.key_cert_sign or ku.value.crl_sign or ku.value.key_encipherment)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    cdp = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [n.value for n in cdp[0].full_name] == ["http://testserver/ca/crl"]
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert cert.issuer == platform_ca.issuing_cert.subject
    assert cred.serial == format(cert.serial_number, "x")
    assert cred.chain == (platform_ca.issuing_cert_asn1, platform_ca.root_cert_asn1)


def test_worker_certificate_carries_the_keyed_hash_never_the_id_number(worker_cred):
    cert = _cert(worker_cred)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "王小明"
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "5c" * 32
    der = cert.public_bytes(Encoding.DER)
    assert ID_NUMBER.encode() not in der and ID_NUMBER not in worker_cred.cert_pem


def test_employer_certificate_names_the_organization_and_uscc(employer_cred):
    subject = _cert(employer_cred).subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value.startswith("湖南建工")
    org_id = subject.get_attributes_for_oid(ObjectIdentifier("2.5.4.97"))[0].value
    assert org_id == f"NTRCN-{USCC}"


@pytest.mark.parametrize("kwargs, message", [
    ({"kind": "worker", "id_hash": ID_NUMBER}, "never the ID number"),
    ({"kind": "worker", "id_hash": None}, "id_hash"),
    ({"kind": "employer", "uscc": "91110000600037341X"}, "credit code"),
    ({"kind": "worker", "id_hash": "ab" * 32, "validity": timedelta(hours=25)}, "24 h"),
    ({"kind": "visitor"}, "kind"),
])
def test_bad_event_certificate_requests_are_refused(platform_ca, kwargs, message):
    with pytest.raises(CertificateError, match=message):
        platform_ca.issue_event_certificate(common_name="张三", **kwargs)


def test_id_number_in_the_name_is_refused(platform_ca):
    with pytest.raises(CertificateError):
        platform_ca.issue_event_certificate(common_name=f"张三{ID_NUMBER}", kind="worker",
                                            id_hash="ab" * 32)


def test_uscc_check_character():
    assert is_valid_uscc(USCC)
    assert not is_valid_uscc("91110000600037341M")
    assert not is_valid_uscc("9111000060003734IL")  # I is not in the alphabet


def test_openssl_accepts_the_chain_and_sees_a_revoked_certificate(platform_ca, worker_cred,
                                                                  employer_cred, pem_files,
                                                                  tmp_path):
    need_tool("openssl")
    w, e = tmp_path / "w.pem", tmp_path / "e.pem"
    w.write_text(worker_cred.cert_pem)
    e.write_text(employer_cred.cert_pem)
    chain = ("-CAfile", pem_files["root"], "-untrusted", pem_files["chain"])
    ok = run("openssl", "verify", "-x509_strict", "-purpose", "smimesign", *chain, w, e)
    assert ok.stdout.count(": OK") == 2
    revoked = [(int(worker_cred.serial, 16), datetime.now(UTC), "key_compromise")]
    crl_file = tmp_path / "crl.pem"
    crl = x509.load_der_x509_crl(platform_ca.build_crl(revoked))
    crl_file.write_bytes(crl.public_bytes(Encoding.PEM))
    root_crl = x509.load_der_x509_crl(platform_ca.build_root_crl())
    crl_file.write_bytes(crl_file.read_bytes() + root_crl.public_bytes(Encoding.PEM))
    check = run("openssl", "verify", "-crl_check_all", "-CRLfile", crl_file, *chain, w, e,
                check=False)
    assert "certificate revoked" in check.stdout + check.stderr
    assert f"{e}: OK" in check.stdout


def test_crl_lists_the_revoked_serial_with_reason_and_is_signed_by_the_issuing_ca(platform_ca):
    at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    crl = x509.load_der_x509_crl(platform_ca.build_crl([(0x1234, at, "key_compromise")],
                                                       next_update=timedelta(days=2)))
    assert crl.is_signature_valid(platform_ca.issuing_cert.public_key())
    entry = crl.get_revoked_certificate_by_serial_number(0x1234)
    assert entry is not None and entry.revocation_date_utc == at
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.name == \
        "key_compromise"
    assert crl.next_update_utc - crl.last_update_utc == timedelta(days=2)
    root_crl = x509.load_der_x509_crl(platform_ca.build_root_crl())
    assert root_crl.is_signature_valid(platform_ca.root_cert.public_key())
    issuing_cdp = platform_ca.issuing_cert.extensions.get_extension_for_class(
        x509.CRLDistributionPoints).value
    assert issuing_cdp[0].full_name[0].value == "http://testserver/ca/root-crl"


def test_tsa_certificate_has_critical_time_stamping_eku(tsa, platform_ca):
    cert = x509.load_der_x509_certificate(tsa.cert.dump())
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert cert.issuer == platform_ca.issuing_cert.subject


def test_ca_reloads_from_disk_and_keys_stay_encrypted(tmp_path):
    created = PlatformCA.create(tmp_path / "ca", b"pw", crl_base_url="https://x.example/")
    for key_file in ("root.key.pem", "issuing.key.pem"):
        assert "ENCRYPTED" in (tmp_path / "ca" / key_file).read_text()
    loaded = PlatformCA.load(tmp_path / "ca", b"pw", "https://x.example")
    assert loaded.root_cert == created.root_cert and loaded.issuing_cert == created.issuing_cert
    assert loaded.crl_url == "https://x.example/ca/crl"
    again = PlatformCA.load_or_create(tmp_path / "ca", b"pw", crl_base_url="https://x.example")
    assert again.issuing_cert == created.issuing_cert
    with pytest.raises(KeyProviderError):
        PlatformCA.load(tmp_path / "ca", b"wrong", "https://x.example")
    with pytest.raises(CertificateError):
        PlatformCA.create(tmp_path / "ca", b"pw", crl_base_url="https://x.example")
