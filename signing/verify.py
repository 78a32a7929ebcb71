"""Verify every signature and document time-stamp of a signed contract PDF with pyHanko.

Policy: the caller's roots are the only trust roots (never the system store); revocation is
checked against the CRLs in the document's DSS plus the caller's current CRLs (pyHanko's
``hard-fail`` mode: a certificate that names a CRL must have one); the network is used only
with ``online=True``; modification analysis (DocMDP/FieldMDP) always runs.

Each signature is first validated at the current time. When that fails only because time has
passed (the one-day event certificate has expired, the embedded CRLs are stale), it is
validated again as PAdES B-LTA with :func:`pyhanko.sign.validation.ades.ades_lta_validation`:
the signature's time-stamp and the document time-stamps prove it existed while the
certificate was valid. A certificate found on a CRL is reported as revoked in every case,
even when revoked after the signature was time-stamped (the problem text then says so).
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.generic import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.ades import AdESLTAValidationResult, ades_lta_validation
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer

from ._async import run_sync
from .errors import InvalidDocument
from .verify_certs import CrlIndex, crl_ders, fetch_crls, root_ders, trust_setup
from .verify_checks import (
    TIME_RELATED,
    failed_signature,
    failed_timestamp,
    signature_check,
    timestamp_check,
)
from .verify_model import ChainEntry, Report, SignatureCheck, TimestampCheck, summarise

__all__ = ["ChainEntry", "InvalidDocument", "Report", "SignatureCheck", "TimestampCheck",
           "verify"]

logger = logging.getLogger(__name__)

_REVOCATION_MODE = "hard-fail"


def verify(pdf: bytes, *, trust_roots: Sequence[x509.Certificate | bytes],
           crls: Sequence[bytes] = (), online: bool = False,
           now: datetime | None = None) -> Report:
    """Validate every signature and document time-stamp of ``pdf``.

    :param pdf: the PDF file.
    :param trust_roots: the only trust anchors: cryptography certificates or PEM/DER bytes.
    :param crls: current CRLs (DER or PEM) in addition to those in the document's DSS, so a
        certificate revoked after signing shows as revoked.
    :param online: also download the current CRLs from the certificates' distribution points
        (so a revocation after signing shows even without ``crls``), and let pyHanko fetch
        what is missing. Has no effect when ``now`` is given.
    :param now: validate as of this time (default: the current time; naive means UTC).
    :raises InvalidDocument: the input is not a PDF, is truncated, encrypted or unreadable.
    :raises signing.errors.CertificateError: a trust root or CRL argument cannot be parsed.
    """
    sha256 = hashlib.sha256(pdf).hexdigest()
    given_now = now is not None
    moment = (now if now.tzinfo else now.replace(tzinfo=UTC)) if now else datetime.now(UTC)
    roots, trust_manager = trust_setup(root_ders(trust_roots))
    extra_crls = crl_ders(crls)
    reader = _open(pdf)
    try:
        embedded, broken = _embedded(reader)
        dss_crls, dss_certs = _read_dss(reader)
    except Exception as exc:  # pyHanko raises many kinds on damaged structures
        raise InvalidDocument(f"PDF 结构损坏，无法读取签名（damaged PDF: {_short(exc)}）") from None
    if not embedded and not broken:
        ok, zh, en = summarise([], [])
        return Report(ok, [], [], zh, en, sha256, moment)
    if online and not given_now:
        signer_certs = [es.signer_cert for es in embedded]
        extra_crls = extra_crls + fetch_crls([*signer_certs, *dss_certs])
    all_crls = dss_crls + extra_crls
    job = _Job(roots=roots, trust_manager=trust_manager, crls=all_crls, extra_crls=extra_crls,
               dss_certs=dss_certs, online=online and not given_now, moment=moment,
               given_now=given_now, crl_index=CrlIndex(all_crls))
    signatures, timestamps = run_sync(job.run(embedded))
    signatures += broken
    ok, zh, en = summarise(signatures, timestamps)
    return Report(ok, signatures, timestamps, zh, en, sha256, moment)


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]


def _open(pdf: bytes) -> PdfFileReader:
    if not isinstance(pdf, bytes | bytearray | memoryview):
        raise TypeError("pdf must be bytes")
    data = bytes(pdf)
    if not data:
        raise InvalidDocument("文件为空（empty file）")
    if b"%PDF-" not in data[:1024]:
        raise InvalidDocument("文件不是 PDF：缺少 %PDF- 文件头（not a PDF file）")
    end = data.rfind(b"%%EOF")
    if end < 0 or data[end + 5:].strip(b" \t\r\n\x00\x0c"):
        # no end marker at all, or a partial incremental update after the last complete one
        raise InvalidDocument("PDF 文件不完整，可能被截断：文件没有以 %%EOF 正常结束"
                              "（truncated PDF）")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        reader.root  # noqa: B018 - forces the catalog to be parsed
    except Exception as exc:  # pyHanko raises many kinds on garbage
        raise InvalidDocument(f"PDF 结构损坏，无法读取（damaged PDF: {_short(exc)}）") from None
    if reader.encrypted:
        raise InvalidDocument("PDF 已加密，无法验证（encrypted PDF）")
    return reader


def _embedded(reader: PdfFileReader) -> tuple[list[EmbeddedPdfSignature], list[SignatureCheck]]:
    """The filled signature fields in signing order, and checks for unreadable ones."""
    found: list[EmbeddedPdfSignature] = []
    broken: list[SignatureCheck] = []
    for name, _value, field in enumerate_sig_fields(reader, filled_status=True):
        try:
            found.append(EmbeddedPdfSignature(reader, field, name))
        except Exception as exc:  # a damaged /Contents or /ByteRange: report, don't crash
            logger.warning("signature %s is unreadable", name, exc_info=True)
            broken.append(failed_signature(str(name), exc))
    found.sort(key=lambda es: es.signed_revision)
    return found, broken


def _read_dss(reader: PdfFileReader) -> tuple[list[bytes], list[asn1_x509.Certificate]]:
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return [], []
    crls = [ref.get_object().read_data(DecodePurpose.CRL) for ref in dss.crls]
    return crls, list(dss.load_certs())


class _Job:
    """State of one verification: shared validation context, CRLs and settings."""

    def __init__(self, *, roots: tuple[asn1_x509.Certificate, ...],
                 trust_manager: SimpleTrustManager, crls: list[bytes], extra_crls: list[bytes],
                 dss_certs: list[asn1_x509.Certificate], online: bool, moment: datetime,
                 given_now: bool, crl_index: CrlIndex) -> None:
        self.roots, self.trust_manager = roots, trust_manager
        self.crls, self.extra_crls, self.dss_certs = crls, extra_crls, dss_certs
        self.online, self.moment, self.given_now = online, moment, given_now
        self.crl_index = crl_index

    def context(self, moment: datetime | None = None, retroactive: bool = False
                ) -> ValidationContext:
        """A validation context with the job's roots, certificates and CRLs."""
        if moment is None and self.given_now:
            moment = self.moment
        return ValidationContext(
            trust_manager=self.trust_manager, other_certs=self.dss_certs, crls=self.crls,
            allow_fetching=self.online and moment is None, moment=moment,
            revocation_mode=_REVOCATION_MODE, retroactive_revinfo=retroactive)

    async def run(self, embedded: list[EmbeddedPdfSignature]
                  ) -> tuple[list[SignatureCheck], list[TimestampCheck]]:
        vc = self.context()
        try:
            sigs = [await self._signature(es, vc) for es in embedded
                    if es.sig_object_type == "/Sig"]
            stamps = await self._timestamps(
                [es for es in embedded if es.sig_object_type == "/DocTimeStamp"], vc)
        finally:
            await vc.aclose()
        return sigs, stamps

    async def _signature(self, es: EmbeddedPdfSignature, vc: ValidationContext
                         ) -> SignatureCheck:
        try:
            status = await async_validate_pdf_signature(es, vc, ts_validation_context=vc)
            lta = None
            if (status.intact and status.valid
                    and status.trust_problem_indic in TIME_RELATED):
                lta = await self._lta(es)
            return signature_check(es, status, lta, self)
        except Exception as exc:  # hostile input must end up in the report, not crash it
            logger.warning("signature %s could not be validated", _name(es), exc_info=True)
            return failed_signature(_name(es), exc)

    async def _lta(self, es: EmbeddedPdfSignature) -> AdESLTAValidationResult:
        """PAdES B-LTA validation of one signature (proof of existence from time-stamps)."""
        known = [CRLContainer(asn1_crl.CertificateList.load(d)) for d in self.extra_crls]
        policy = CertValidationPolicySpec(
            trust_manager=self.trust_manager,
            revinfo_policy=CertRevTrustPolicy(
                RevocationCheckingPolicy.from_legacy(_REVOCATION_MODE)))
        spec = PdfSignatureValidationSpec(SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=(RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH
                                      if self.online else RevinfoOnlineFetchingRule.LOCAL_ONLY)),
            local_knowledge=LocalKnowledge(known_crls=known)))
        timing = ValidationTimingInfo(validation_time=self.moment,
                                      best_signature_time=self.moment,
                                      point_in_time_validation=self.given_now)
        result = await ades_lta_validation(es, spec, timing_info=timing)
        if result.ades_subindic != AdESPassed.OK:
            logger.info("LTA validation of %s: %s (%s)", _name(es), result.ades_subindic,
                        result.failure_msg)
        return result

    async def _timestamps(self, stamps: list[EmbeddedPdfSignature], vc: ValidationContext
                          ) -> list[TimestampCheck]:
        """Validate document time-stamps, newest first: a trusted later stamp lets an older
        one (whose TSA certificate has since expired) be validated at the later stamp's time.
        """
        checks: list[TimestampCheck] = []
        later_trusted: datetime | None = None
        for es in reversed(stamps):
            try:
                # skip_diff: every signature's own analysis already covers all later revisions
                status = await async_validate_pdf_timestamp(es, vc, skip_diff=True)
                validated_at = None
                if (status.intact and status.valid and later_trusted is not None
                        and status.trust_problem_indic in TIME_RELATED):
                    past = self.context(later_trusted, retroactive=True)
                    try:
                        status = await async_validate_pdf_timestamp(es, past, skip_diff=True)
                    finally:
                        await past.aclose()
                    validated_at = later_trusted
                check = timestamp_check(es, status, validated_at or self.moment)
            except Exception as exc:  # hostile input must end up in the report
                logger.warning("time-stamp %s could not be validated", _name(es), exc_info=True)
                check = failed_timestamp(_name(es), exc)
            if check.ok and check.time is not None:
                later_trusted = check.time
            checks.append(check)
        checks.reverse()
        return checks


def _name(es: EmbeddedPdfSignature) -> str:
    try:
        return str(es.field_name)
    except Exception:  # noqa: BLE001 - a name is only for display
        return "?"
