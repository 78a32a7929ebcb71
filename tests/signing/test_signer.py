"""Two-party signing: what verifiers (pyHanko, pdfsig, qpdf, openssl) see."""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import cms
from cryptography import x509
from PIL import Image
from pyhanko.pdf_utils.generic import NumberObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleTrustManager

from signing import EMPLOYER_BOX, EMPLOYER_FIELD, WORKER_BOX, WORKER_FIELD, signing_time_text

from .conftest import need_tool, reader, run, validation_context


@pytest.fixture(scope="module")
def signed_file(signed_contract, tmp_path_factory):
    path = tmp_path_factory.mktemp("signed") / "signed.pdf"
    path.write_bytes(signed_contract.signed.pdf)
    return path


def _by_name(pdf: bytes):
    return {s.field_name: s for s in reader(pdf).embedded_signatures}


def test_both_signatures_are_intact_valid_and_trusted(signed_contract, platform_ca):
    sigs = _by_name(signed_contract.signed.pdf)
    assert set(sigs) >= {EMPLOYER_FIELD, WORKER_FIELD}
    for name in (EMPLOYER_FIELD, WORKER_FIELD):
        status = validate_pdf_signature(sigs[name], validation_context(platform_ca))
        assert status.intact and status.valid and status.trusted, name
        assert status.bottom_line, status.pretty_print_details()
        assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    employer = validate_pdf_signature(sigs[EMPLOYER_FIELD], validation_context(platform_ca))
    assert sigs[EMPLOYER_FIELD].docmdp_level == MDPPerm.FILL_FORMS  # certification signature
    assert employer.docmdp_ok
    assert sigs[WORKER_FIELD].docmdp_level == MDPPerm.NO_CHANGES  # the last one locks


def test_document_timestamp_and_lta_validation(signed_contract, platform_ca):
    doc_ts = [s for s in reader(signed_contract.signed.pdf).embedded_signatures
              if s.sig_object_type == "/DocTimeStamp"]
    assert len(doc_ts) == 1
    status = validate_pdf_timestamp(doc_ts[0], validation_context=validation_context(platform_ca))
    assert status.intact and status.valid and status.trusted
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[platform_ca.root_cert_asn1]),
        revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(
            ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
            intermediate_ca_cert_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED)))
    spec = PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=policy,
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY)))
    r = reader(signed_contract.signed.pdf)
    for sig in r.embedded_regular_signatures:  # only what the DSS holds: no network, no VC
        result = asyncio.run(ades_lta_validation(sig, spec))
        assert result.ades_subindic.status.name == "PASSED", (sig.field_name, result)


def test_pdfsig_reports_valid_and_trusted(signed_file, nss_db):
    need_tool("pdfsig")
    out = run("pdfsig", "-nssdir", nss_db, signed_file, check=False).stdout
    blocks = re.split(r"Signature #\d+:", out)[1:]
    regular = [b for b in blocks if f"Field Name: {EMPLOYER_FIELD}" in b
               or f"Field Name: {WORKER_FIELD}" in b]
    assert len(regular) == 2, out
    for block in regular:
        assert "Signature is Valid" in block and "Certificate is Trusted" in block, block


def test_qpdf_check_passes(signed_file):
    need_tool("qpdf")
    assert "No syntax or stream encoding errors" in run("qpdf", "--check", signed_file).stdout


def test_openssl_verifies_the_document_timestamp_over_its_byte_range(signed_contract,
                                                                     pem_files, tmp_path):
    need_tool("openssl")
    pdf = signed_contract.signed.pdf
    ts = [s for s in reader(pdf).embedded_signatures if s.sig_object_type == "/DocTimeStamp"][0]
    a, b, c, d = (int(x) for x in ts.sig_object["/ByteRange"])
    (tmp_path / "covered").write_bytes(pdf[a:a + b] + pdf[c:c + d])
    contents = ts.sig_object["/Contents"]  # DER token, then zero padding up to the reserve
    (tmp_path / "token").write_bytes(cms.ContentInfo.load(contents, strict=False).dump())
    out = run("openssl", "ts", "-verify", "-data", tmp_path / "covered", "-in",
              tmp_path / "token", "-token_in", "-CAfile", pem_files["root"],
              "-untrusted", pem_files["chain"])
    assert "Verification: OK" in out.stdout


def test_stamps_are_visible_with_the_chinese_signing_time(signed_file, signed_contract,
                                                          tmp_path):
    need_tool("qpdf")
    need_tool("pdftotext")
    need_tool("pdftoppm")
    flat = tmp_path / "flat.pdf"
    run("qpdf", "--flatten-annotations=all", signed_file, flat)
    text = run("pdftotext", "-enc", "UTF-8", flat, "-").stdout
    assert signing_time_text(signed_contract.signed.signed_at) in text
    assert signing_time_text(signed_contract.sealed.signed_at) in text
    assert text.count("签署时间：") == 2
    # the red seal shows in the employer's box, dark ink in the worker's box
    run("pdftoppm", "-r", "36", "-png", flat, tmp_path / "pg")
    last = Image.open(sorted(tmp_path.glob("pg*.png"))[-1]).convert("RGB")

    def count(box, predicate) -> int:
        x1, y1, x2, y2 = (round(v / 2) for v in box)  # 36 dpi = half a point
        area = last.crop((x1, 421 - y2, x2, 421 - y1))
        return sum(1 for px in area.get_flattened_data() if predicate(px))

    assert count(EMPLOYER_BOX, lambda p: p[0] > 150 and p[1] < 90 and p[2] < 90) > 300
    assert count(WORKER_BOX, lambda p: max(p) < 110) > 100


def test_sign_results_describe_what_happened(signed_contract):
    sealed, signed = signed_contract.sealed, signed_contract.signed
    assert sealed.sha256_before == hashlib.sha256(signed_contract.unsigned).hexdigest()
    assert sealed.sha256_after == hashlib.sha256(sealed.pdf).hexdigest()
    assert signed.sha256_before == sealed.sha256_after
    assert signed.sha256_after == hashlib.sha256(signed.pdf).hexdigest()
    assert signed.pdf.startswith(sealed.pdf)  # incremental: the sealed revision is kept
    assert abs(datetime.now(UTC) - signed.signed_at) < timedelta(minutes=10)
    for result, name in ((sealed, EMPLOYER_FIELD), (signed, WORKER_FIELD)):
        cert = x509.load_pem_x509_certificate(result.certificate_pem.encode())
        assert format(cert.serial_number, "x") == result.certificate_serial
        embedded = _by_name(signed.pdf)[name].signer_cert
        assert embedded.serial_number == cert.serial_number


def test_a_flipped_byte_is_detected(signed_contract, platform_ca):
    pdf = bytearray(signed_contract.signed.pdf)
    start = pdf.index(b"stream", 2000) + 200  # inside some content stream of the contract
    pdf[start] ^= 0x01
    for name, sig in _by_name(bytes(pdf)).items():
        if sig.sig_object_type == "/DocTimeStamp":
            continue
        status = validate_pdf_signature(sig, validation_context(platform_ca))
        assert not status.intact and not status.bottom_line, name


def test_changing_the_locked_document_is_detected(signed_contract, platform_ca):
    w = IncrementalPdfFileWriter(io.BytesIO(signed_contract.signed.pdf))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    page["/Rotate"] = NumberObject(90)
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    sigs = _by_name(out.getvalue())
    status = validate_pdf_signature(sigs[WORKER_FIELD], validation_context(platform_ca))
    assert status.intact and not status.docmdp_ok and not status.bottom_line


def test_revoked_worker_certificate_is_not_trusted(signed_contract, platform_ca):
    sig = _by_name(signed_contract.signed.pdf)[WORKER_FIELD]
    serial = sig.signer_cert.serial_number
    crl = platform_ca.build_crl([(serial, datetime.now(UTC) - timedelta(hours=2),
                                  "key_compromise")])
    status = validate_pdf_signature(
        sig, validation_context(platform_ca, crls=[crl, platform_ca.build_root_crl()]))
    assert status.intact and not status.bottom_line
    assert status.revoked or not status.trusted


def test_a_final_seal_locks_the_statement_and_carries_lta(contract_signer, sample_terms,
                                                          cjk_font, platform_ca):
    """A statement only the employer signs (the termination certificate): its seal allows no
    changes and the document gets the DSS and a document time-stamp at once (B-LTA)."""
    import dataclasses

    from signing import render_contract_pdf

    pdf = render_contract_pdf(dataclasses.replace(sample_terms, worker_signs=False), cjk_font)
    sealed = contract_signer.seal_employer(pdf, org_name=sample_terms.employer_name,
                                           uscc=sample_terms.employer_uscc, final=True)
    r = reader(sealed.pdf)
    (seal,) = r.embedded_regular_signatures
    assert seal.docmdp_level == MDPPerm.NO_CHANGES
    status = validate_pdf_signature(seal, validation_context(platform_ca))
    assert status.bottom_line and status.docmdp_ok, status.pretty_print_details()
    doc_ts = [s for s in r.embedded_signatures if s.sig_object_type == "/DocTimeStamp"]
    assert len(doc_ts) == 1 and "/DSS" in r.root
