"""Low-level X.509 building with asn1crypto, signed through a :class:`~signing.keys.KeyProvider`.

``cryptography``'s builders need an in-memory private key; building the TBS structures here
and signing them through the provider lets a PKCS#11 key issue certificates and CRLs too.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import crl, pem, x509
from cryptography import x509 as crypto_x509

from .errors import CertificateError
from .keys import KeyProvider, public_key_info, signature_algorithm

__all__ = [
    "build_ca_pair",
    "asn1_time",
    "build_certificate",
    "build_crl",
    "cert_to_pem",
    "key_identifier",
    "random_serial",
    "read_cert",
    "to_crypto",
]

#: CRL reason names accepted by :func:`build_crl` (RFC 5280 ``CRLReason``).
CRL_REASONS = frozenset({
    "unspecified", "key_compromise", "ca_compromise", "affiliation_changed", "superseded",
    "cessation_of_operation", "certificate_hold", "remove_from_crl", "privilege_withdrawn",
    "aa_compromise",
})


def asn1_time(moment: datetime) -> x509.Time:
    """Encode a time as RFC 5280 wants: UTCTime until 2049, GeneralizedTime from 2050.

    :param moment: an aware datetime (naive values are taken as UTC); microseconds dropped.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC).replace(microsecond=0)
    if moment.year < 2050:
        return x509.Time({"utc_time": moment})
    return x509.Time({"general_time": moment})


def random_serial() -> int:
    """A positive random serial number with 127 bits of entropy (CA/B Forum wants >= 64)."""
    return secrets.randbits(127) | (1 << 126)


def key_identifier(spki: x509.PublicKeyInfo) -> bytes:
    """RFC 5280 method 1 key identifier: SHA-1 of the subjectPublicKey bit string.

    :param spki: an asn1crypto ``PublicKeyInfo``.
    """
    return spki.sha1


def _extension(name: str, value: object, critical: bool = False) -> dict:
    return {"extn_id": name, "critical": critical, "extn_value": value}


def crl_distribution_points(url: str) -> list[dict]:
    """A ``CRLDistributionPoints`` value with one URI.

    :param url: the CRL URL.
    """
    uri = x509.GeneralName(name="uniform_resource_identifier", value=url)
    return [{"distribution_point": {"full_name": [uri]}}]


def build_certificate(
    *,
    issuer_key: KeyProvider,
    issuer_name: x509.Name,
    issuer_key_id: bytes | None,
    subject_name: x509.Name,
    subject_spki: x509.PublicKeyInfo,
    not_before: datetime,
    not_after: datetime,
    serial: int,
    is_ca: bool = False,
    path_len: int | None = None,
    key_usage: Iterable[str] = (),
    extended_key_usage: Sequence[str] = (),
    eku_critical: bool = False,
    crl_url: str | None = None,
    hash_algorithm: str = "sha256",
) -> x509.Certificate:
    """Build a v3 certificate and sign it with ``issuer_key``.

    :param issuer_key: the key provider of the issuer (the subject's own one for a root).
    :param issuer_name: the issuer's distinguished name.
    :param issuer_key_id: the issuer's subject key identifier (``None`` for a self-signed root,
        which then uses its own).
    :param subject_name: the subject's distinguished name.
    :param subject_spki: the subject's public key.
    :param not_before: start of validity.
    :param not_after: end of validity.
    :param serial: positive serial number.
    :param is_ca: whether basicConstraints says CA.
    :param path_len: pathLenConstraint for a CA, or ``None``.
    :param key_usage: keyUsage bit names (always marked critical).
    :param extended_key_usage: EKU purpose names (asn1crypto names, e.g. ``"email_protection"``).
    :param eku_critical: mark the EKU extension critical (required for time-stamping).
    :param crl_url: CRL distribution point URL, or ``None``.
    :param hash_algorithm: hash for the certificate signature.
    :raises signing.errors.KeyProviderError: the issuer key cannot sign.
    """
    sig_alg = signature_algorithm(issuer_key, hash_algorithm)
    ski = key_identifier(subject_spki)
    basic: dict = {"ca": is_ca}
    if is_ca and path_len is not None:
        basic["path_len_constraint"] = path_len
    extensions = [
        _extension("basic_constraints", basic, critical=True),
        _extension("key_identifier", ski),
        _extension("authority_key_identifier", {"key_identifier": issuer_key_id or ski}),
    ]
    usages = set(key_usage)
    if usages:
        extensions.append(_extension("key_usage", usages, critical=True))
    if extended_key_usage:
        extensions.append(
            _extension("extended_key_usage", list(extended_key_usage), critical=eku_critical)
        )
    if crl_url:
        extensions.append(_extension("crl_distribution_points", crl_distribution_points(crl_url)))
    tbs = x509.TbsCertificate({
        "version": "v3",
        "serial_number": serial,
        "signature": sig_alg,
        "issuer": issuer_name,
        "validity": {"not_before": asn1_time(not_before), "not_after": asn1_time(not_after)},
        "subject": subject_name,
        "subject_public_key_info": subject_spki,
        "extensions": extensions,
    })
    signature = issuer_key.sign(tbs.dump(), hash_algorithm)
    cert = x509.Certificate({
        "tbs_certificate": tbs,
        "signature_algorithm": sig_alg,
        "signature_value": signature,
    })
    # re-parse: asn1crypto re-serializes constructed values every time they are nested
    # (e.g. into each CMS signature), parsed ones reuse their bytes
    return x509.Certificate.load(cert.dump())


def build_crl(
    *,
    issuer_key: KeyProvider,
    issuer_cert: x509.Certificate,
    revoked: Iterable[tuple[int, datetime, str]],
    this_update: datetime,
    next_update: timedelta,
    crl_number: int,
    hash_algorithm: str = "sha256",
) -> crl.CertificateList:
    """Build and sign a v2 CRL.

    :param issuer_key: the CA's key provider.
    :param issuer_cert: the CA certificate (for the issuer name and key identifier).
    :param revoked: ``(serial, revoked_at, reason)`` triples; reason is an RFC 5280 name such
        as ``"key_compromise"``, ``"superseded"``, ``"cessation_of_operation"``.
    :param this_update: the issue time.
    :param next_update: how long until the next CRL is due.
    :param crl_number: monotonically increasing CRL number.
    :param hash_algorithm: hash for the CRL signature.
    :raises ValueError: an unknown reason name.
    """
    entries = []
    for serial, revoked_at, reason in sorted(revoked, key=lambda item: item[0]):
        reason = (reason or "unspecified").lower().replace("-", "_").replace(" ", "_")
        if reason not in CRL_REASONS:
            raise ValueError(f"unknown CRL reason {reason!r}")
        entry: dict = {"user_certificate": serial, "revocation_date": asn1_time(revoked_at)}
        if reason != "unspecified":
            entry["crl_entry_extensions"] = [_extension("crl_reason", reason)]
        entries.append(entry)
    sig_alg = signature_algorithm(issuer_key, hash_algorithm)
    tbs_fields: dict = {
        "version": "v2",
        "signature": sig_alg,
        "issuer": issuer_cert.subject,
        "this_update": asn1_time(this_update),
        "next_update": asn1_time(this_update + next_update),
        "crl_extensions": [
            _extension("authority_key_identifier", {"key_identifier": issuer_cert.key_identifier}),
            _extension("crl_number", crl_number),
        ],
    }
    if entries:
        tbs_fields["revoked_certificates"] = entries
    tbs = crl.TbsCertList(tbs_fields)
    signature = issuer_key.sign(tbs.dump(), hash_algorithm)
    return crl.CertificateList({
        "tbs_cert_list": tbs,
        "signature_algorithm": sig_alg,
        "signature": signature,
    })


def to_crypto(cert: x509.Certificate) -> crypto_x509.Certificate:
    """Convert an asn1crypto certificate to a ``cryptography`` one.

    :param cert: the certificate.
    """
    return crypto_x509.load_der_x509_certificate(cert.dump())


def read_cert(path: Path) -> x509.Certificate:
    """Read a PEM or DER certificate file.

    :param path: the file.
    :raises CertificateError: unreadable or not a certificate.
    """
    try:
        data = path.read_bytes()
        if pem.detect(data):
            _type, _headers, data = pem.unarmor(data)
        return x509.Certificate.load(data)
    except (OSError, ValueError) as exc:
        raise CertificateError(f"cannot read certificate {path}: {exc}") from exc


def cert_to_pem(cert: x509.Certificate) -> str:
    """PEM text of an asn1crypto certificate.

    :param cert: the certificate.
    """
    return pem.armor("CERTIFICATE", cert.dump()).decode("ascii")


def build_ca_pair(root_key: KeyProvider, issuing_key: KeyProvider, *, org: str,
                  root_crl_url: str) -> tuple[x509.Certificate, x509.Certificate]:
    """A self-signed root (25 years) and an issuing CA (15 years, pathLen 0) under it.

    :param root_key: the root key provider.
    :param issuing_key: the issuing CA key provider.
    :param org: organization name in both subjects.
    :param root_crl_url: CRL distribution point written into the issuing CA certificate.
    :raises signing.errors.KeyProviderError: the root key cannot sign.
    """
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    root_name = x509.Name.build({"country_name": "CN", "organization_name": org,
                                 "common_name": f"{org} Root CA"})
    root = build_certificate(
        issuer_key=root_key, issuer_name=root_name, issuer_key_id=None,
        subject_name=root_name, subject_spki=public_key_info(root_key), not_before=now,
        not_after=now + timedelta(days=365 * 25), serial=random_serial(), is_ca=True,
        key_usage={"key_cert_sign", "crl_sign"})
    issuing = build_certificate(
        issuer_key=root_key, issuer_name=root_name, issuer_key_id=root.key_identifier,
        subject_name=x509.Name.build({"country_name": "CN", "organization_name": org,
                                      "common_name": f"{org} Issuing CA"}),
        subject_spki=public_key_info(issuing_key), not_before=now,
        not_after=now + timedelta(days=365 * 15), serial=random_serial(), is_ca=True,
        path_len=0, key_usage={"key_cert_sign", "crl_sign", "digital_signature"},
        crl_url=root_crl_url)
    return root, issuing
