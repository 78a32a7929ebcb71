"""Archive time-stamp renewal (PAdES-LTA): keep a filed contract's PDF valid as B-LTA while
time-stamping certificates and hash algorithms age out.

* :func:`latest_timestamp` reads a PDF's newest time-stamp (the last document time-stamp, or
  the newest signature time-stamp of a PDF without one): its time, the TSA certificate's
  serial and expiry, and the hash algorithm of its message imprint, so that the caller can
  decide which documents need a new time-stamp;
* :func:`renew_archival_timestamp` validates that newest document time-stamp, then adds one
  incremental revision holding the DSS (the validation data of that time-stamp: its TSA
  chain and current CRLs) and a new document time-stamp over everything, by a TSA whose
  certificate outlives the old one. Each earlier time-stamp is then covered by a later one,
  which is what lets a validator check it after its TSA certificate has expired.

This is pyHanko's ``PdfTimeStamper.update_archival_timestamp_chain`` in one revision (pyHanko
writes the new time-stamp's own validation data as one more, uncovered, revision), with the
platform's trust policy (caller's roots only, given CRLs, no network) and a refusal to
"renew" with a TSA certificate that does not outlive the old one.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import cms
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.general import find_cms_attribute_iter
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation import EmbeddedPdfSignature, async_validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko_certvalidator import ValidationContext

from ._async import run_sync
from .errors import InvalidDocument, SigningError, TimestampError
from .pdf_input import open_pdf
from .verify_certs import crl_ders, root_ders, trust_setup

__all__ = ["STRONG_ALGORITHMS", "TimestampInfo", "latest_timestamp", "renew_archival_timestamp",
           "strong_algorithm"]

#: hash algorithm of a renewal when the old one is weak (or absent)
DEFAULT_MD = "sha256"
#: the hash algorithms a renewal may use, in order of preference
STRONG_ALGORITHMS = ("sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512")
_STRONG = STRONG_ALGORITHMS


def strong_algorithm(weak: Sequence[str]) -> str | None:
    """The first of :data:`STRONG_ALGORITHMS` not named in ``weak`` (None: all are).

    :param weak: hash algorithm names (``sha1``, ``sha256``…; case-insensitive).
    """
    banned = {name.strip().lower().replace("-", "_") for name in weak}
    return next((name for name in STRONG_ALGORITHMS if name not in banned), None)


@dataclass(frozen=True)
class TimestampInfo:
    """The newest time-stamp of a PDF.

    :param time: the time it states (genTime).
    :param tsa_serial: the TSA certificate's serial number (hex).
    :param tsa_not_after: when the TSA certificate expires.
    :param tsa_subject: the TSA certificate's subject (RFC 4514).
    :param md_algorithm: hash algorithm of its message imprint (``sha256``…).
    :param document_timestamps: how many document time-stamps the PDF has (0: the time-stamp
        is a signature's, the PDF is not B-LTA yet).
    """

    time: datetime
    tsa_serial: str
    tsa_not_after: datetime
    tsa_subject: str
    md_algorithm: str
    document_timestamps: int


def _reader(pdf: bytes) -> PdfFileReader:
    return open_pdf(pdf, "the input")


def _token_info(signed: cms.SignedData, documents: int) -> TimestampInfo:
    tst = signed["encap_content_info"]["content"].parsed
    cert = _tsa_certificate(signed)
    return TimestampInfo(
        time=tst["gen_time"].native.astimezone(UTC),
        tsa_serial=format(cert.serial_number, "x"),
        tsa_not_after=cert["tbs_certificate"]["validity"]["not_after"].native.astimezone(UTC),
        tsa_subject=x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string(),
        md_algorithm=tst["message_imprint"]["hash_algorithm"]["algorithm"].native,
        document_timestamps=documents)


def _tsa_certificate(signed: cms.SignedData) -> asn1_x509.Certificate:
    """The certificate the token's signer identifier names (issuer and serial number, or
    subject key identifier), among the certificates the token carries.

    :raises InvalidDocument: the token does not carry that certificate.
    """
    sid = signed["signer_infos"][0]["sid"]
    certs = [c.chosen for c in signed["certificates"] or ()
             if isinstance(c.chosen, asn1_x509.Certificate)]
    if sid.name == "issuer_and_serial_number":
        wanted = sid.chosen
        found = [c for c in certs if c.serial_number == wanted["serial_number"].native
                 and c.issuer == wanted["issuer"]]
    else:  # subject_key_identifier
        found = [c for c in certs if c.key_identifier == sid.chosen.native]
    if not found:
        raise InvalidDocument("the time-stamp token does not carry its TSA certificate")
    return found[0]


def latest_timestamp(pdf: bytes) -> TimestampInfo | None:
    """The newest time-stamp of ``pdf``: its last document time-stamp, or (none there) the
    newest signature time-stamp; ``None`` when the PDF holds no time-stamp at all.

    :param pdf: the PDF file.
    :raises InvalidDocument: not a PDF, unreadable, or a time-stamp token is malformed.
    """
    reader = _reader(pdf)
    try:
        stamps = reader.embedded_timestamp_signatures
        if stamps:
            return _token_info(stamps[-1].signed_data, len(stamps))
        found: list[TimestampInfo] = []
        for sig in reader.embedded_regular_signatures:
            for token in find_cms_attribute_iter(sig.signer_info["unsigned_attrs"],
                                                 "signature_time_stamp_token"):
                found.append(_token_info(token["content"], 0))
    except InvalidDocument:
        raise
    except Exception as exc:  # malformed tokens: one clear error
        raise InvalidDocument(f"cannot read the PDF's time-stamps: {exc}") from None
    return max(found, key=lambda info: info.time) if found else None


def _dss_certs(reader: PdfFileReader) -> list[asn1_x509.Certificate]:
    try:
        return list(DocumentSecurityStore.read_dss(reader).load_certs())
    except NoDSSFoundError:
        return []


def renew_archival_timestamp(pdf: bytes, timestamper: TimeStamper, *,
                             trust_roots: Sequence[x509.Certificate | bytes],
                             crls: Sequence[bytes], certs: Sequence[asn1_x509.Certificate] = (),
                             md_algorithm: str | None = None, now: datetime | None = None,
                             require_later_tsa: bool = True) -> bytes:
    """Add the DSS for the newest document time-stamp and a new document time-stamp, as one
    incremental revision (PAdES-LTA renewal).

    :param pdf: the signed PDF (normally B-LTA already; a B-LT PDF gets its first document
        time-stamp).
    :param timestamper: the TSA client for the new time-stamp.
    :param trust_roots: the only trust anchors (the platform root), cryptography certificates
        or PEM/DER bytes.
    :param crls: current CRLs (DER or PEM) of the CAs issuing the TSA certificates; embedded.
    :param certs: further certificates to embed (e.g. the issuing CA).
    :param md_algorithm: hash algorithm of the new time-stamp (default: the old one's when
        strong, else SHA-256).
    :param now: validate the old time-stamp as of this time (default: now).
    :param require_later_tsa: refuse a new time-stamp whose TSA certificate does not outlive
        the old one's (False: a renewal for a stronger hash algorithm only).
    :return: the renewed PDF (the input bytes plus one revision).
    :raises InvalidDocument: not a PDF, or its newest document time-stamp no longer validates
        (altered content, untrusted or expired TSA: a renewal cannot repair it).
    :raises TimestampError: the TSA failed, or its certificate does not outlive the old one.
    """
    reader = _reader(pdf)
    stamps = reader.embedded_timestamp_signatures
    old = latest_timestamp(pdf)
    roots, trust = trust_setup(root_ders(trust_roots))
    crl_list = [asn1_crl.CertificateList.load(d) for d in crl_ders(crls)]
    extra = [*certs, *_dss_certs(reader)]
    vc = ValidationContext(trust_manager=trust, other_certs=extra,
                           crls=[c.dump() for c in crl_list], allow_fetching=False,
                           moment=now, revocation_mode="hard-fail")
    embed = list(certs)
    if stamps:
        embed += _validated_path(stamps[-1], vc)
    if old is not None and md_algorithm is None:
        md_algorithm = old.md_algorithm if old.md_algorithm in _STRONG else DEFAULT_MD
    md = md_algorithm or DEFAULT_MD
    out = run_sync(_stamp(pdf, timestamper, embed, crl_list, md))
    new = latest_timestamp(out)
    if new is None:
        raise TimestampError("the new document time-stamp cannot be read back")
    if require_later_tsa and old is not None and new.tsa_not_after <= old.tsa_not_after:
        raise TimestampError(
            f"the TSA certificate {new.tsa_serial} (valid until {new.tsa_not_after:%Y-%m-%d}) "
            f"does not outlive the one being renewed ({old.tsa_serial}, valid until "
            f"{old.tsa_not_after:%Y-%m-%d}): rotate the TSA certificate first")
    return out


def _validated_path(stamp: EmbeddedPdfSignature, vc: ValidationContext
                    ) -> list[asn1_x509.Certificate]:
    """Validate the newest document time-stamp; its certificates (TSA to root)."""
    try:
        status = run_sync(async_validate_pdf_timestamp(stamp, vc, skip_diff=True))
    except Exception as exc:  # pyHanko raises many kinds on damaged tokens
        raise InvalidDocument(f"the latest document time-stamp cannot be validated: {exc}"
                              ) from None
    if not (status.intact and status.valid):
        raise InvalidDocument("the document changed after its latest document time-stamp "
                              "(or the time-stamp is broken): it cannot be renewed")
    if not status.trusted or status.validation_path is None:
        raise InvalidDocument(
            f"the latest document time-stamp does not validate now "
            f"({getattr(status.trust_problem_indic, 'name', 'untrusted')}): its TSA "
            f"certificate expired or was revoked before the renewal")
    return list(status.validation_path.iter_certs(include_root=True))


async def _stamp(pdf: bytes, timestamper: TimeStamper, certs: list[asn1_x509.Certificate],
                 crls: list[asn1_crl.CertificateList], md: str) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    unique = {c.dump(): c for c in [*certs, *timestamper.cert_registry]}
    DocumentSecurityStore.supply_dss_in_writer(writer, sig_contents=None,
                                               certs=list(unique.values()), crls=crls)
    try:
        dummy = await timestamper.async_dummy_response(md)
        out = io.BytesIO()
        await signers.PdfTimeStamper(timestamper).async_timestamp_pdf(
            writer, md, output=out, bytes_reserved=2 * (len(dummy.dump()) + 2048))
    except TimestampError:
        raise
    except OSError as exc:  # an HTTP time-stamper's connection error
        raise TimestampError(f"time-stamping failed: {exc}") from exc
    except Exception as exc:  # pyHanko's signing errors
        raise SigningError(f"the renewal time-stamp could not be added: {exc}") from exc
    return out.getvalue()
