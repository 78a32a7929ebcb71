"""Archive time-stamp renewal (PAdES-LTA) with a short-lived TSA certificate: a contract
time-stamped by a TSA whose certificate lives two days is renewed by a rotated TSA, and
validated as of a day after the old TSA certificate expired."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from signing import InProcessTimeStamper, TimeStampAuthority, verify
from signing.errors import InvalidDocument, TimestampError
from signing.keys import InMemoryKeyProvider
from signing.renewal import latest_timestamp, renew_archival_timestamp
from tests.needs import need_tool
from tests.signing.conftest import run

AFTER_OLD_TSA = timedelta(days=3)  # the short-lived TSA certificate lives two days
_serials = itertools.count(10_000)


def _tsa(ca, days: int, name: str) -> TimeStampAuthority:
    key = InMemoryKeyProvider.generate()
    cert = ca.issue_tsa_certificate(key, common_name=name, validity=timedelta(days=days))
    return TimeStampAuthority(cert, key, policy_oid="2.25.1", next_serial=lambda: next(_serials),
                              extra_certs=[ca.issuing_cert])


@pytest.fixture(scope="module")
def short_lived(platform_ca, cjk_font, sample_terms, signature_png):
    """A contract signed B-LTA with a TSA certificate valid for two days, and a rotated TSA."""
    from signing import ContractSigner, render_contract_pdf

    old_tsa, new_tsa = _tsa(platform_ca, 2, "Short TSA"), _tsa(platform_ca, 3650, "Rotated TSA")
    signer = ContractSigner(platform_ca, cjk_font, timestamper=InProcessTimeStamper(old_tsa),
                            crl_source=lambda: [platform_ca.build_crl(),
                                                platform_ca.build_root_crl()])
    sealed = signer.seal_employer(render_contract_pdf(sample_terms, cjk_font),
                                  org_name=sample_terms.employer_name,
                                  uscc=sample_terms.employer_uscc)
    signed = signer.sign_worker(sealed.pdf, name="王小明", id_hash="a" * 64,
                                signature_png=signature_png, sealed_sha256=sealed.sha256_after)
    return signed.pdf, old_tsa, new_tsa


def _crls(ca) -> list[bytes]:
    return [ca.build_crl(), ca.build_root_crl()]


def _renew(pdf: bytes, ca, tsa) -> bytes:
    return renew_archival_timestamp(pdf, InProcessTimeStamper(tsa), trust_roots=[ca.root_cert],
                                    crls=_crls(ca), certs=[])


@pytest.fixture(scope="module")
def renewed(short_lived, platform_ca) -> bytes:
    pdf, _old, new_tsa = short_lived
    return _renew(pdf, platform_ca, new_tsa)


def test_latest_timestamp_names_the_short_lived_tsa(short_lived):
    pdf, old_tsa, _new = short_lived
    info = latest_timestamp(pdf)

    assert info is not None and info.document_timestamps == 1
    assert info.tsa_serial == format(old_tsa.cert.serial_number, "x")
    assert info.tsa_not_after < datetime.now(UTC) + timedelta(days=2, minutes=1)
    assert info.md_algorithm == "sha256" and "Short TSA" in info.tsa_subject


def test_renewed_pdf_is_valid_b_lta_after_the_old_tsa_expired(short_lived, renewed,
                                                               platform_ca):
    pdf, _old, new_tsa = short_lived
    later = datetime.now(UTC) + AFTER_OLD_TSA

    report = verify(renewed, trust_roots=[platform_ca.root_cert], crls=_crls(platform_ca),
                    now=later)

    assert renewed.startswith(pdf)  # one incremental revision: the filed bytes stay intact
    assert report.ok, report.summary_en
    assert [ts.tsa for ts in report.timestamps] == ["Short TSA", "Rotated TSA"]
    assert all(sig.ok and sig.trusted and sig.long_term for sig in report.signatures)
    # the old stamp was validated at the newer stamp's time, not now (its TSA has expired)
    assert report.timestamps[0].validated_at == report.timestamps[1].time
    assert report.timestamps[1].coverage == "ENTIRE_FILE"
    info = latest_timestamp(renewed)
    assert info.document_timestamps == 2
    assert info.tsa_serial == format(new_tsa.cert.serial_number, "x")


def test_the_unrenewed_pdf_is_not_valid_then(short_lived, platform_ca):
    pdf, _old, _new = short_lived
    later = datetime.now(UTC) + AFTER_OLD_TSA

    report = verify(pdf, trust_roots=[platform_ca.root_cert], crls=_crls(platform_ca),
                    now=later)

    assert not report.ok
    assert not report.timestamps[0].ok


def test_each_revision_is_covered_by_a_later_time_stamp(renewed):
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(renewed))
    sigs = sorted(reader.embedded_signatures, key=lambda s: s.signed_revision)
    last = reader.xrefs.total_revisions - 1
    assert [s.sig_object_type for s in sigs] == ["/Sig", "/Sig", "/DocTimeStamp",
                                                 "/DocTimeStamp"]
    assert sigs[-1].signed_revision == last  # the newest stamp covers the whole file
    for earlier, later in itertools.pairwise(sigs):
        assert earlier.signed_revision < later.signed_revision


def test_renewing_with_the_same_tsa_is_refused(short_lived, renewed, platform_ca):
    _pdf, old_tsa, new_tsa = short_lived

    with pytest.raises(TimestampError, match="does not outlive"):
        _renew(renewed, platform_ca, new_tsa)


def test_a_pdf_changed_after_its_time_stamp_is_not_renewed(renewed, platform_ca, short_lived):
    tampered = renewed + b"\n1 0 obj (x) endobj\n%%EOF\n"

    with pytest.raises(InvalidDocument):
        _renew(tampered, platform_ca, _tsa(platform_ca, 7300, "Third TSA"))


def test_pdfsig_sees_one_more_time_stamp(short_lived, renewed, tmp_path):
    need_tool("pdfsig")
    pdf, _old, _new = short_lived
    (tmp_path / "a.pdf").write_bytes(pdf)
    (tmp_path / "b.pdf").write_bytes(renewed)

    before = run("pdfsig", tmp_path / "a.pdf", check=False).stdout
    after = run("pdfsig", tmp_path / "b.pdf", check=False).stdout

    assert after.count("Signature #") == before.count("Signature #") + 1 == 4
    # the two signatures are intact, the old stamp is still there, the new one covers all
    assert after.count("Signature Validation: Signature is Valid.") == 2
    assert "Short TSA" in after and "Common Name: Rotated TSA" in after
    last = after.split("Signature #4:")[1]
    assert "Rotated TSA" in last and "Total document signed" in last
    assert "Total document signed" not in after.split("Signature #4:")[0]
