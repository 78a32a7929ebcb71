"""Certificate and CRL helpers of the verifier: input parsing, names, chains, CRL look-ups.

Trust roots are parsed once per distinct root set (:func:`trust_setup` is cached), CRLs once
per verification (:class:`CrlIndex`).
"""

from __future__ import annotations

import functools
import logging
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko_certvalidator.registry import SimpleTrustManager

from .errors import CertificateError
from .verify_model import ChainEntry

logger = logging.getLogger(__name__)

__all__ = [
    "REASONS_ZH",
    "CrlIndex",
    "Revocation",
    "build_chain",
    "chain_entries",
    "common_name",
    "crl_ders",
    "organization",
    "root_ders",
    "trust_setup",
]

#: CRL reason codes (asn1crypto's native names) in plain Chinese.
REASONS_ZH = {
    "unspecified": "未说明原因",
    "key_compromise": "私钥泄露",
    "ca_compromise": "CA 私钥泄露",
    "affiliation_changed": "隶属关系变更",
    "superseded": "证书已被替换",
    "cessation_of_operation": "停止使用",
    "certificate_hold": "证书冻结",
    "remove_from_crl": "已从吊销列表移除",
    "privilege_withdrawn": "权限被撤销",
    "aa_compromise": "属性机构私钥泄露",
}


def _split_pem(data: bytes, label: bytes) -> list[bytes]:
    begin, end = b"-----BEGIN " + label + b"-----", b"-----END " + label + b"-----"
    blocks, pos = [], 0
    while (start := data.find(begin, pos)) >= 0:
        stop = data.find(end, start)
        if stop < 0:
            break
        blocks.append(data[start:stop + len(end)])
        pos = stop + len(end)
    return blocks


def root_ders(roots: Sequence[x509.Certificate | bytes]) -> tuple[bytes, ...]:
    """Normalise trust roots (cryptography certificates, PEM or DER bytes) to DER.

    :param roots: the trust roots; a PEM blob may hold several certificates.
    :raises CertificateError: an entry is not a certificate, or there is none at all.
    """
    out: list[bytes] = []
    for root in roots:
        if isinstance(root, x509.Certificate):
            out.append(root.public_bytes(serialization.Encoding.DER))
        elif isinstance(root, bytes | bytearray | memoryview):
            data = bytes(root)
            try:
                if b"-----BEGIN CERTIFICATE-----" in data:
                    out.extend(c.public_bytes(serialization.Encoding.DER)
                               for c in x509.load_pem_x509_certificates(data))
                else:
                    out.append(x509.load_der_x509_certificate(data)
                               .public_bytes(serialization.Encoding.DER))
            except ValueError as exc:
                raise CertificateError(f"trust root is not a certificate: {exc}") from None
        else:
            raise CertificateError(f"unsupported trust root type {type(root).__name__}")
    if not out:
        raise CertificateError("at least one trust root is required")
    return tuple(out)


@functools.lru_cache(maxsize=16)
def trust_setup(ders: tuple[bytes, ...]) -> tuple[tuple[asn1_x509.Certificate, ...],
                                                   SimpleTrustManager]:
    """Parse a root set once and build pyHanko's trust manager for it (cached per root set).

    :param ders: DER-encoded root certificates (see :func:`root_ders`).
    """
    certs = tuple(asn1_x509.Certificate.load(der) for der in ders)
    return certs, SimpleTrustManager.build(trust_roots=certs)


def crl_ders(crls: Iterable[bytes]) -> list[bytes]:
    """Normalise CRLs given as DER or PEM bytes to DER.

    :param crls: the CRLs; a PEM blob may hold several.
    :raises CertificateError: an entry is not a CRL.
    """
    out: list[bytes] = []
    for item in crls:
        data = bytes(item)
        try:
            if b"-----BEGIN X509 CRL-----" in data:
                out.extend(x509.load_pem_x509_crl(block).public_bytes(serialization.Encoding.DER)
                           for block in _split_pem(data, b"X509 CRL"))
            else:
                x509.load_der_x509_crl(data)
                out.append(data)
        except ValueError as exc:
            raise CertificateError(f"not a CRL: {exc}") from None
    return out


def common_name(name: asn1_x509.Name) -> str:
    """The CN of a name, or the whole name in readable form when it has none."""
    return str(name.native.get("common_name") or name.human_friendly)


def organization(cert: asn1_x509.Certificate) -> str | None:
    """The organisation (O) of a certificate's subject, if any."""
    org = cert.subject.native.get("organization_name")
    return str(org) if org else None


def build_chain(leaf: asn1_x509.Certificate, pool: Iterable[asn1_x509.Certificate]
                ) -> list[asn1_x509.Certificate]:
    """Chase issuers of ``leaf`` through ``pool`` by name; leaf first, at most 8 deep.

    Used for display when pyHanko found no trusted path (the path is then unverified).
    """
    by_subject = {cert.subject.dump(): cert for cert in pool}
    chain = [leaf]
    while len(chain) < 8 and chain[-1].issuer.dump() != chain[-1].subject.dump():
        issuer = by_subject.get(chain[-1].issuer.dump())
        if issuer is None or issuer in chain:
            break
        chain.append(issuer)
    return chain


def chain_entries(chain: Iterable[asn1_x509.Certificate]) -> list[ChainEntry]:
    """Display form of a chain: subject CN and serial (hex) per certificate."""
    return [ChainEntry(common_name(c.subject), format(c.serial_number, "x")) for c in chain]


@dataclass(frozen=True)
class Revocation:
    """A revocation entry found on a CRL."""

    time: datetime
    reason: str  # asn1crypto native reason name, e.g. "key_compromise"


class CrlIndex:
    """The CRLs of one verification, parsed once, looked up by issuer name and serial."""

    def __init__(self, ders: Iterable[bytes]) -> None:
        """:param ders: DER-encoded CRLs (document DSS plus the caller's current CRLs)."""
        self._by_issuer: dict[bytes, list[x509.CertificateRevocationList]] = {}
        for der in ders:
            crl = x509.load_der_x509_crl(der)
            self._by_issuer.setdefault(crl.issuer.public_bytes(), []).append(crl)

    def lookup(self, cert: asn1_x509.Certificate, issuer: asn1_x509.Certificate | None
               ) -> Revocation | None:
        """Return the revocation of ``cert`` on a CRL signed by ``issuer``, if any.

        CRLs whose signature does not verify with ``issuer``'s key are ignored.

        :param cert: the certificate to look up.
        :param issuer: its issuer certificate (``None``: nothing can be verified).
        """
        if issuer is None:
            return None
        candidates = self._by_issuer.get(issuer.subject.dump(), ())
        if not candidates:
            return None
        public_key = x509.load_der_x509_certificate(issuer.dump()).public_key()
        for crl in candidates:
            entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
            if entry is None or not crl.is_signature_valid(public_key):  # type: ignore[arg-type]
                continue
            try:
                reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
                reason_name = reason.name
            except x509.ExtensionNotFound:
                reason_name = "unspecified"
            return Revocation(entry.revocation_date_utc.astimezone(UTC), reason_name)
        return None


def fetch_crls(certs: Iterable[asn1_x509.Certificate], *, timeout: float = 5.0) -> list[bytes]:
    """Download the current CRLs named in the certificates' CRL distribution points.

    Each distinct HTTP(S) URL is fetched once; unreachable or malformed answers are skipped
    (the embedded revocation data still applies).

    :param certs: certificates whose distribution points to follow.
    :param timeout: seconds per download.
    """
    urls: list[str] = []
    for cert in certs:
        for point in cert.crl_distribution_points or ():
            url = point.url
            if url and url.startswith(("http://", "https://")) and url not in urls:
                urls.append(url)
    found: list[bytes] = []
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310
                found.extend(crl_ders([answer.read(4 * 1024 * 1024)]))
        except (OSError, ValueError, CertificateError):
            logger.warning("could not fetch the CRL at %s", url)
    return found
