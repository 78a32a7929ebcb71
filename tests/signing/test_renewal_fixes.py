"""Review fixes of the archive time-stamp renewal (signing part): the TSA certificate of a
token is the one its signer identifier names, a revoked TSA still shows in the report after
a renewal, the renewal's hash algorithm can be chosen, and the pyHanko path fix applies only
where pyHanko has the gap."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from signing import STRONG_ALGORITHMS, InProcessTimeStamper, strong_algorithm, verify
from signing.errors import InvalidDocument
from signing.renewal import _tsa_certificate, latest_timestamp
from tests.signing.test_renewal import AFTER_OLD_TSA, _crls, _tsa, renewed, short_lived

__all__ = ["renewed", "short_lived"]  # the module fixtures, shared


def _token(tsa) -> cms.SignedData:
    stamper = InProcessTimeStamper(tsa)
    response = asyncio.run(stamper.async_dummy_response("sha256"))
    return response["content"]


def _decoy(serial: int) -> x509.Certificate:
    """A self-signed certificate with the TSA's serial number but another issuer."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Decoy")])
    now = datetime.now(UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(serial)
            .not_valid_before(now).not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256()))


def test_the_tsa_certificate_is_matched_by_issuer_and_serial(platform_ca):
    from asn1crypto import x509 as asn1_x509

    tsa = _tsa(platform_ca, 30, "Matched TSA")
    signed = _token(tsa)
    decoy = asn1_x509.Certificate.load(
        _decoy(tsa.cert.serial_number).public_bytes(Encoding.DER))
    signed["certificates"] = [cms.CertificateChoices({"certificate": decoy}),
                              *signed["certificates"]]

    found = _tsa_certificate(signed)
    assert "Matched TSA" in found.subject.human_friendly

    signed["certificates"] = [cms.CertificateChoices({"certificate": decoy})]
    with pytest.raises(InvalidDocument, match="does not carry its TSA certificate"):
        _tsa_certificate(signed)  # no blind fallback to another certificate


def test_a_renewal_uses_the_hash_algorithm_asked_for(short_lived, platform_ca):
    from signing import renew_archival_timestamp

    pdf, _old, new_tsa = short_lived
    out = renew_archival_timestamp(pdf, InProcessTimeStamper(new_tsa),
                                   trust_roots=[platform_ca.root_cert],
                                   crls=_crls(platform_ca), md_algorithm=strong_algorithm(
                                       ["md5", "sha1", "SHA256"]))
    assert latest_timestamp(out).md_algorithm == "sha384"
    assert strong_algorithm(STRONG_ALGORITHMS) is None


def test_a_revoked_tsa_is_reported_after_the_renewal(short_lived, renewed, platform_ca):
    pdf, old_tsa, _new = short_lived
    later = datetime.now(UTC) + AFTER_OLD_TSA
    # revoked after it expired (and after the renewal): the past validation passes
    crl = platform_ca.build_crl([(old_tsa.cert.serial_number, later - timedelta(hours=6),
                                  "superseded")], next_update=timedelta(days=30))

    report = verify(renewed, trust_roots=[platform_ca.root_cert],
                    crls=[crl, platform_ca.build_root_crl()], now=later)

    assert all(sig.timestamp_trusted for sig in report.signatures)  # past validation passed
    for sig in report.signatures:  # yet the CRL lists the TSA: every signature says so
        assert not sig.ok
        assert any("时间戳机构证书已于" in str(p) and "被吊销" in str(p) for p in sig.problems)
    assert not report.ok


def test_the_path_fix_answers_the_anchor_alone(platform_ca):
    """pyHanko's method cannot cut a path anchored at the issuing CA back to that CA (the
    gap _ltv_fix closes); the patched one answers the anchor alone."""
    from pyhanko_certvalidator.authority import CertTrustAnchor
    from pyhanko_certvalidator.path import ValidationPath

    from signing import _ltv_fix

    issuing = platform_ca.issuing_cert_asn1
    tsa = _tsa(platform_ca, 30, "Path TSA").cert
    path = ValidationPath(CertTrustAnchor(issuing), interm=[], leaf=tsa)

    with pytest.raises(LookupError):
        _ltv_fix._original(path, issuing)
    cut = _ltv_fix.truncate_to_issuer_and_append(path, issuing)
    assert cut.pkix_len == 0  # the anchor alone
    assert cut.trust_anchor.certificate.dump() == issuing.dump()
    assert ValidationPath.truncate_to_issuer_and_append is _ltv_fix.truncate_to_issuer_and_append
    # any other path is pyHanko's: the TSA's issuer is the anchor itself
    assert _ltv_fix.truncate_to_issuer_and_append(path, tsa).leaf.dump() == tsa.dump()


def test_the_path_fix_is_installed_only_for_the_versions_it_was_written_for(monkeypatch):
    from signing import _ltv_fix

    assert _ltv_fix.applies("0.33.0") and not _ltv_fix.applies("0.40.1")
    monkeypatch.setattr(_ltv_fix, "PATCHED_VERSIONS", ())
    monkeypatch.setattr(_ltv_fix.ValidationPath, "truncate_to_issuer_and_append",
                        _ltv_fix._original)
    assert _ltv_fix.install() is False
    assert _ltv_fix.ValidationPath.truncate_to_issuer_and_append is _ltv_fix._original
