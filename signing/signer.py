"""Two-party PAdES signing of a rendered contract: employer seal first, then the worker.

* :meth:`ContractSigner.seal_employer` -- certification signature (DocMDP: form filling and
  signing allowed) into ``EmployerSeal``; the field lock leaves only ``WorkerSignature`` open.
* :meth:`ContractSigner.sign_worker` -- approval signature into ``WorkerSignature``, which
  locks the document (DocMDP "no changes"); then, by level, the DSS with certificates and
  CRLs for both signatures (B-LT) and a document time-stamp (B-LTA) in one more revision.

Every signature uses a fresh event key held in memory only and discarded afterwards; the
CMS is signed with that key object directly (no key re-parsing), the signature container
size is reserved up front (no dry-run signature), and appearances are pre-rendered.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.generic_cms import validate_sig_integrity
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import BaseStampStyle

from ._async import run_sync
from .appearance import seal_png, signature_appearance
from .ca import EventCredential, PlatformCA
from .cms_signer import KeyProviderSigner, timestamp_certs
from .errors import InvalidDocument, SigningError, TimestampError
from .render import EMPLOYER_BOX, EMPLOYER_FIELD, WORKER_BOX, WORKER_FIELD

__all__ = ["ContractSigner", "KeyProviderSigner", "Level", "SignResult"]

Level = Literal["B-B", "B-T", "B-LT", "B-LTA"]
_LEVELS: tuple[str, ...] = ("B-B", "B-T", "B-LT", "B-LTA")
_MD = "sha256"


@dataclass(frozen=True)
class SignResult:
    """Outcome of one signing act (stored as a SignatureEvent by the app)."""

    pdf: bytes
    sha256_before: str
    sha256_after: str
    certificate_serial: str
    certificate_pem: str
    signed_at: datetime


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ContractSigner:
    """Signs contracts rendered by :func:`signing.render.render_contract_pdf`.

    :param ca: the platform CA issuing the event certificates.
    :param font_path: CJK TrueType font for the printed signing time.
    :param timestamper: RFC 3161 client (:class:`~signing.tsa.InProcessTimeStamper` or
        pyHanko's ``HTTPTimeStamper``); required from level B-T on.
    :param crl_source: returns the current DER CRLs (issuing CA and root) to embed at B-LT+.
        Called once per worker signature; never fetches over HTTP by itself.
    :param level: PAdES baseline level of the finished contract.
    :param clock: time source (aware UTC), replaceable in tests.
    :raises SigningError: unknown level, or a level needing a time-stamper without one.
    """

    def __init__(self, ca: PlatformCA, font_path: str, *, timestamper: TimeStamper | None,
                 crl_source: Callable[[], Sequence[bytes]], level: Level = "B-LTA",
                 clock: Callable[[], datetime] = _utcnow) -> None:
        if level not in _LEVELS:
            raise SigningError(f"unknown PAdES level {level!r}; use one of {_LEVELS}")
        if level != "B-B" and timestamper is None:
            raise SigningError(f"level {level} needs a time-stamper")
        self.ca = ca
        self.font_path = font_path
        self.level = level
        self.timestamper = timestamper if level != "B-B" else None
        self._crl_source = crl_source
        self._clock = clock
        self._ts_reserve: int | None = None

    # -- public -------------------------------------------------------------------------
    def seal_employer(self, pdf: bytes, *, org_name: str, uscc: str,
                      seal_image: bytes | None = None, final: bool = False) -> SignResult:
        """Certify the contract with the employer's seal.

        :param pdf: the unsigned contract.
        :param final: the seal completes the document (a statement of the employer alone,
            rendered with ``worker_signs=False``): it then allows no changes and gets the
            long-term validation revision (B-LT/B-LTA) a worker's signature would add.
        :param org_name: the employer's name (certificate CN and O, seal text).
        :param uscc: unified social credit code (certificate organizationIdentifier).
        :param seal_image: the organization's seal picture (PNG); drawn when ``None``.
        :raises InvalidDocument: not a PDF, no empty ``EmployerSeal`` field, or already signed.
        :raises signing.errors.CertificateError: invalid USCC or name.
        :raises TimestampError: the TSA failed.
        """
        writer = self._open(pdf)
        state = self._field_state(writer)
        if state.get(EMPLOYER_FIELD, True) is not False:
            raise InvalidDocument(f"the document has no empty {EMPLOYER_FIELD} field")
        if any(state.values()):
            raise InvalidDocument("the document is already signed; the seal must come first")
        cred = self.ca.issue_event_certificate(common_name=org_name, kind="employer",
                                               uscc=uscc, org_name=org_name)
        image = seal_image or seal_png(org_name, self.font_path)
        meta = signers.PdfSignatureMetadata(
            field_name=EMPLOYER_FIELD, md_algorithm=_MD, subfilter=fields.SigSeedSubFilter.PADES,
            certify=True,
            docmdp_permissions=fields.MDPPerm.NO_CHANGES if final else fields.MDPPerm.FILL_FORMS,
            name=org_name, reason="用人单位签章", location="中国")
        return self._sign(pdf, writer, cred, meta, image, "seal", EMPLOYER_BOX,
                          finish=[] if final else None)

    def sign_worker(self, pdf: bytes, *, name: str, id_hash: str, signature_png: bytes,
                    sealed_sha256: str | None = None) -> SignResult:
        """Sign as the worker, lock the document and add long-term validation data.

        :param pdf: the contract sealed by :meth:`seal_employer`.
        :param sealed_sha256: the SHA-256 (hex) that :meth:`seal_employer` reported for the
            sealed document, when the caller kept it: bytes with that hash are the platform's
            own sealed output, so the employer's signature is not validated again (the
            cryptographic check is skipped, the certificates are still collected).
        :param name: the worker's name (certificate CN).
        :param id_hash: keyed hash of the worker's ID number (certificate serialNumber).
        :param signature_png: the drawn signature (PNG, transparent background preferred).
        :raises InvalidDocument: not a PDF, not sealed by the employer first, already signed
            by the worker, or the employer's signature no longer matches the document.
        :raises signing.errors.CertificateError: invalid name or id_hash.
        :raises TimestampError: the TSA failed.
        """
        writer = self._open(pdf)
        state = self._field_state(writer)
        if state.get(EMPLOYER_FIELD) is not True:
            raise InvalidDocument("the employer must seal the contract before the worker signs")
        if state.get(WORKER_FIELD, True) is not False:
            raise InvalidDocument(f"the document has no empty {WORKER_FIELD} field")
        known = sealed_sha256 is not None and hashlib.sha256(pdf).hexdigest() == sealed_sha256
        earlier_certs = self._check_intact(writer, validate=not known)
        cred = self.ca.issue_event_certificate(common_name=name, kind="worker", id_hash=id_hash)
        meta = signers.PdfSignatureMetadata(
            field_name=WORKER_FIELD, md_algorithm=_MD, subfilter=fields.SigSeedSubFilter.PADES,
            docmdp_permissions=fields.MDPPerm.NO_CHANGES,
            name=name, reason="劳动者签署", location="中国")
        return self._sign(pdf, writer, cred, meta, signature_png, "signature", WORKER_BOX,
                          finish=earlier_certs)

    # -- internals ----------------------------------------------------------------------
    @staticmethod
    def _open(pdf: bytes) -> IncrementalPdfFileWriter:
        if not isinstance(pdf, bytes | bytearray) or not pdf.lstrip()[:5] == b"%PDF-":
            raise InvalidDocument("the input is not a PDF document")
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
            writer.root["/Pages"]  # noqa: B018 - force the catalog to be read
        except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise InvalidDocument(f"the PDF cannot be read (truncated or damaged?): {exc}"
                                  ) from exc
        return writer

    @staticmethod
    def _field_state(writer: IncrementalPdfFileWriter) -> dict[str, bool]:
        """Map signature field name -> filled?"""
        try:
            return {name: value is not None for name, value, _ref
                    in fields.enumerate_sig_fields(writer.prev, filled_status=None)}
        except (PdfError, ValueError, KeyError, TypeError) as exc:
            raise InvalidDocument(f"cannot read the signature fields: {exc}") from exc

    @staticmethod
    def _check_intact(writer: IncrementalPdfFileWriter, *, validate: bool = True
                      ) -> list[asn1_x509.Certificate]:
        """Refuse to add a signature to a document whose earlier signature is broken.

        :param validate: check every earlier signature (False: only collect certificates).
        :return: the certificates embedded in the earlier signatures (for the DSS).
        """
        certs: list[asn1_x509.Certificate] = []
        for sig in writer.prev.embedded_signatures:
            if not validate:
                certs += [sig.signer_cert, *sig.other_embedded_certs,
                          *timestamp_certs(sig.signer_info)]
                continue
            try:
                digest = sig.compute_digest()
                intact, valid = validate_sig_integrity(sig.signer_info, sig.signer_cert,
                                                       "data", digest)
                covered = sig.evaluate_signature_coverage() != SignatureCoverageLevel.UNCLEAR
            except Exception as exc:  # pyHanko raises a variety of errors on bad input
                raise InvalidDocument(f"cannot check signature {sig.field_name}: {exc}") from exc
            if not (intact and valid and covered):
                raise InvalidDocument(f"signature {sig.field_name} no longer matches the document")
            certs += [sig.signer_cert, *sig.other_embedded_certs]
            certs += timestamp_certs(sig.signer_info)
        return certs

    def _reserve(self, cred: EventCredential) -> int:
        """Hex characters to reserve for a signature container (no dry-run signature).

        Certificates + the signature + ~450 bytes of signer info and signed attributes
        (+ margin), plus a
        time-stamp token as large as the TSA's first one (+ margin); a container that still
        does not fit is retried once with twice the room.
        """
        key_size = getattr(cred.key.public_key, "key_size", 256)
        signature = 2 * (key_size + 7) // 8 + 8 if cred.key.algorithm.startswith("ec") \
            else (key_size + 7) // 8
        size = len(cred.cert.dump()) + sum(len(c.dump()) for c in cred.chain) + 600 + signature
        if self.timestamper is not None:
            size += self._timestamp_reserve()
        return 2 * size

    def _timestamp_reserve(self) -> int:
        if self._ts_reserve is None:
            assert self.timestamper is not None
            dummy = self._run(self.timestamper.async_dummy_response(_MD))
            self._ts_reserve = len(dummy.dump()) + 192
        return self._ts_reserve

    @staticmethod
    def _run(coro):  # type: ignore[no-untyped-def]
        try:
            return run_sync(coro)
        except TimestampError:
            raise
        except PyHankoSigningError as exc:
            raise SigningError(str(exc)) from exc
        except (PdfError, ValueError, KeyError) as exc:
            raise SigningError(f"signing failed: {exc}") from exc
        except OSError as exc:  # an HTTP time-stamper's connection error
            raise TimestampError(f"time-stamping failed: {exc}") from exc

    def _sign(self, pdf: bytes, writer: IncrementalPdfFileWriter, cred: EventCredential,
              meta: signers.PdfSignatureMetadata, image: bytes, kind: Literal["seal", "signature"],
              box: tuple[int, int, int, int], *,
              finish: list[asn1_x509.Certificate] | None) -> SignResult:
        """Sign; ``finish`` holds the earlier signatures' certificates when this signature
        completes the document (then the B-LT/B-LTA revision follows)."""
        signed_at = self._clock().astimezone(UTC).replace(microsecond=0)
        style: BaseStampStyle = signature_appearance(image, signed_at, self.font_path,
                                                     kind=kind, width=box[2] - box[0])
        pdf_signer = signers.PdfSigner(meta, KeyProviderSigner(cred.key, cred.cert, cred.chain),
                                       timestamper=self.timestamper, stamp_style=style)
        reserve = self._reserve(cred)
        try:
            out = self._run(self._sign_async(pdf_signer, writer, signed_at, reserve))
        except SigningError as exc:
            if "larger than expected" not in str(exc):
                raise
            out = self._run(self._sign_async(pdf_signer, self._open(pdf), signed_at,
                                             2 * reserve))
        if finish is not None and self.level in ("B-LT", "B-LTA"):
            certs = [*finish, cred.cert, *cred.chain]
            if self.timestamper is not None:
                certs += list(self.timestamper.cert_registry)
            out = self._run(self._add_ltv(out, certs, self._crl_source()))
        data = out.getvalue()
        return SignResult(
            pdf=data,
            sha256_before=hashlib.sha256(pdf).hexdigest(),
            sha256_after=hashlib.sha256(data).hexdigest(),
            certificate_serial=cred.serial,
            certificate_pem=cred.cert_pem,
            signed_at=signed_at,
        )

    @staticmethod
    async def _sign_async(pdf_signer: signers.PdfSigner, writer: IncrementalPdfFileWriter,
                          signed_at: datetime, reserve: int) -> io.BytesIO:
        session = pdf_signer.init_signing_session(writer, existing_fields_only=True)
        session.system_time = signed_at  # the time printed in the stamp and put into /M
        tbs = session.prepare_tbs_document(validation_info=None, bytes_reserved=reserve)
        prepared, output = tbs.digest_tbs_document(output=io.BytesIO())
        post = await tbs.perform_signature(
            document_digest=prepared.document_digest,
            pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=signed_at),
        )
        await post.post_signature_processing(output)
        return output

    async def _add_ltv(self, signed: io.BytesIO, certs: Sequence[asn1_x509.Certificate],
                       crl_ders: Sequence[bytes]) -> io.BytesIO:
        """One more revision: DSS (all certificates, current CRLs) and, for B-LTA, a
        document time-stamp over it."""
        writer = IncrementalPdfFileWriter(signed)
        unique = {cert.dump(): cert for cert in certs}
        crls = [asn1_crl.CertificateList.load(der) for der in crl_ders]
        DocumentSecurityStore.supply_dss_in_writer(writer, sig_contents=None,
                                                   certs=list(unique.values()), crls=crls)
        out = io.BytesIO()
        if self.level == "B-LTA":
            assert self.timestamper is not None
            stamper = signers.PdfTimeStamper(self.timestamper)
            await stamper.async_timestamp_pdf(writer, _MD, output=out,
                                              bytes_reserved=2 * self._timestamp_reserve())
        else:
            writer.write(out)
        return out
