"""Signing order, bad input, and the PAdES levels."""

from __future__ import annotations

import pytest
from pyhanko.sign.validation import validate_pdf_signature

from signing import (
    CertificateError,
    ContractSigner,
    InProcessTimeStamper,
    InvalidDocument,
    SigningError,
    render_contract_pdf,
)

from .conftest import reader, validation_context


def _seal(signer, pdf, terms):
    return signer.seal_employer(pdf, org_name=terms.employer_name, uscc=terms.employer_uscc)


@pytest.mark.parametrize("data", [b"", b"hello", b"%PDF-1.4\n%garbage only\n"])
def test_not_a_pdf_is_an_invalid_document(contract_signer, sample_terms, data):
    with pytest.raises(InvalidDocument):
        _seal(contract_signer, data, sample_terms)


def test_truncated_pdf_is_an_invalid_document(contract_signer, sample_terms, unsigned_pdf):
    with pytest.raises(InvalidDocument):
        _seal(contract_signer, unsigned_pdf[: len(unsigned_pdf) // 2], sample_terms)


def test_worker_cannot_sign_before_the_employer(contract_signer, unsigned_pdf, signature_png):
    with pytest.raises(InvalidDocument, match="employer"):
        contract_signer.sign_worker(unsigned_pdf, name="王小明", id_hash="ab" * 32,
                                    signature_png=signature_png)


def test_employer_cannot_seal_twice(contract_signer, signed_contract, sample_terms):
    with pytest.raises(InvalidDocument):
        _seal(contract_signer, signed_contract.sealed.pdf, sample_terms)


def test_worker_cannot_sign_twice(contract_signer, signed_contract, signature_png):
    with pytest.raises(InvalidDocument):
        contract_signer.sign_worker(signed_contract.signed.pdf, name="王小明",
                                    id_hash="ab" * 32, signature_png=signature_png)


def test_worker_never_signs_a_tampered_contract(contract_signer, signed_contract,
                                                signature_png):
    pdf = bytearray(signed_contract.sealed.pdf)
    pdf[pdf.index(b"stream", 2000) + 200] ^= 0x01
    with pytest.raises(InvalidDocument, match="no longer matches"):
        contract_signer.sign_worker(bytes(pdf), name="王小明", id_hash="ab" * 32,
                                    signature_png=signature_png)


def test_a_claimed_seal_hash_only_spares_the_check_for_exactly_those_bytes(
        contract_signer, signed_contract, signature_png):
    """The caller may vouch for the sealed bytes by the hash the seal reported; tampered bytes
    do not have that hash, so they are still checked and refused."""
    sealed = signed_contract.sealed
    pdf = bytearray(sealed.pdf)
    pdf[pdf.index(b"stream", 2000) + 200] ^= 0x01
    with pytest.raises(InvalidDocument, match="no longer matches"):
        contract_signer.sign_worker(bytes(pdf), name="王小明", id_hash="ab" * 32,
                                    signature_png=signature_png, sealed_sha256=sealed.sha256_after)
    done = contract_signer.sign_worker(sealed.pdf, name="王小明", id_hash="ab" * 32,
                                       signature_png=signature_png,
                                       sealed_sha256=sealed.sha256_after)
    assert done.sha256_before == sealed.sha256_after and done.pdf.startswith(sealed.pdf)


def test_pdf_without_the_fields_is_refused(contract_signer, sample_terms):
    import io

    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(100, 100, "no fields")
    canvas.save()
    with pytest.raises(InvalidDocument, match="EmployerSeal"):
        _seal(contract_signer, out.getvalue(), sample_terms)


def test_invalid_uscc_is_refused_before_signing(contract_signer, unsigned_pdf, sample_terms):
    with pytest.raises(CertificateError):
        contract_signer.seal_employer(unsigned_pdf, org_name=sample_terms.employer_name,
                                      uscc="123")


def test_timestamp_levels_need_a_timestamper(platform_ca, cjk_font):
    with pytest.raises(SigningError):
        ContractSigner(platform_ca, cjk_font, timestamper=None, crl_source=list, level="B-T")
    with pytest.raises(SigningError):
        ContractSigner(platform_ca, cjk_font, timestamper=None, crl_source=list, level="B-X")


@pytest.mark.parametrize("level, has_ts, has_dss, has_doc_ts", [
    ("B-B", False, False, False),
    ("B-T", True, False, False),
    ("B-LT", True, True, False),
    ("B-LTA", True, True, True),
])
def test_levels_produce_the_expected_structure(level, has_ts, has_dss, has_doc_ts, platform_ca,
                                               cjk_font, tsa, sample_terms, signature_png):
    signer = ContractSigner(
        platform_ca, cjk_font, timestamper=InProcessTimeStamper(tsa), level=level,
        crl_source=lambda: [platform_ca.build_crl(), platform_ca.build_root_crl()])
    pdf = render_contract_pdf(sample_terms, cjk_font)
    sealed = _seal(signer, pdf, sample_terms)
    signed = signer.sign_worker(sealed.pdf, name="王小明", id_hash="cd" * 32,
                                signature_png=signature_png)
    r = reader(signed.pdf)
    assert ("/DSS" in r.root) is has_dss
    doc_ts = [s for s in r.embedded_signatures if s.sig_object_type == "/DocTimeStamp"]
    assert bool(doc_ts) is has_doc_ts
    for sig in r.embedded_regular_signatures:
        status = validate_pdf_signature(sig, validation_context(platform_ca))
        assert status.bottom_line, (level, sig.field_name)
        assert (status.timestamp_validity is not None) is has_ts


def test_contract_signed_with_a_pkcs11_backed_ca_validates(softhsm, sample_terms, cjk_font,
                                                          signature_png, tmp_path):
    from signing import Pkcs11KeyProvider, PlatformCA

    keys = [Pkcs11KeyProvider.generate(softhsm.lib, softhsm.token, f"flow-{n}", softhsm.pin)
            for n in ("root", "issuing")]
    ca = PlatformCA.create(tmp_path, b"unused", crl_base_url="http://hsm.test",
                           root_key=keys[0], issuing_key=keys[1])
    signer = ContractSigner(ca, cjk_font, timestamper=None, crl_source=list, level="B-B")
    sealed = _seal(signer, render_contract_pdf(sample_terms, cjk_font), sample_terms)
    signed = signer.sign_worker(sealed.pdf, name="王小明", id_hash="ef" * 32,
                                signature_png=signature_png)
    for sig in reader(signed.pdf).embedded_regular_signatures:
        assert validate_pdf_signature(sig, validation_context(ca)).bottom_line


def test_too_small_reservation_is_retried_with_more_room(platform_ca, cjk_font, tsa,
                                                        sample_terms, unsigned_pdf):
    signer = ContractSigner(platform_ca, cjk_font, timestamper=InProcessTimeStamper(tsa),
                            crl_source=list, level="B-T")
    signer._ts_reserve = 16  # pretend the TSA's tokens were tiny
    sealed = _seal(signer, unsigned_pdf, sample_terms)
    (sig,) = reader(sealed.pdf).embedded_regular_signatures
    assert validate_pdf_signature(sig, validation_context(platform_ca)).bottom_line
