"""The platform certification authority: a root CA, an issuing CA, event certificates, CRLs.

Files written by :meth:`PlatformCA.create` into its directory::

    root.pem  root.key.pem  issuing.pem  issuing.key.pem   (keys PKCS#8, encrypted)

Event certificates are single-use: a fresh key pair is generated in memory for one signing
act, certified for at most 24 hours and discarded after the signature.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from asn1crypto import x509 as asn1_x509
from cryptography import x509

from .errors import CertificateError, KeyProviderError
from .identifiers import ID_HASH, ID_NUMBER, is_valid_uscc
from .keys import EncryptedPemKeyProvider, InMemoryKeyProvider, KeyProvider, public_key_info
from .x509build import (
    build_ca_pair,
    build_certificate,
    build_crl,
    cert_to_pem,
    random_serial,
    read_cert,
    to_crypto,
)

__all__ = ["EventCredential", "PlatformCA", "is_valid_uscc"]

MAX_EVENT_VALIDITY = timedelta(hours=24)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, repr=False)
class EventCredential:
    """A single-use signing credential: in-memory key plus its short-lived certificate.

    ``key`` exists only in this object; it is never serialized.
    """

    key: KeyProvider
    cert: asn1_x509.Certificate
    serial: str
    chain: tuple[asn1_x509.Certificate, ...]

    @property
    def cert_pem(self) -> str:
        """The certificate as PEM text."""
        return cert_to_pem(self.cert)

    def __repr__(self) -> str:
        return f"<EventCredential serial={self.serial} subject={self.cert.subject.human_friendly}>"


class PlatformCA:
    """Root CA plus issuing CA, each behind a :class:`~signing.keys.KeyProvider`.

    :param root_cert: the self-signed root certificate (asn1crypto).
    :param issuing_cert: the issuing CA certificate, signed by the root (asn1crypto).
    :param root_key: the root key (needed only for root CRLs); may be ``None``.
    :param issuing_key: the issuing CA key.
    :param crl_base_url: base URL of the app, e.g. ``https://sign.example.gov.cn``; event
        certificates point to ``{crl_base_url}/ca/crl`` and the issuing CA certificate to
        ``{crl_base_url}/ca/root-crl``.
    :param event_key_algorithm: key algorithm of event keys (``"ec-p256"`` by default: key
        generation takes ~0.1 ms against ~50-100 ms for RSA-2048).
    :param clock: time source (UTC), replaceable in tests.
    :raises CertificateError: the keys do not match the certificates.
    """

    def __init__(self, *, root_cert: asn1_x509.Certificate, issuing_cert: asn1_x509.Certificate,
                 root_key: KeyProvider | None, issuing_key: KeyProvider, crl_base_url: str,
                 event_key_algorithm: str = "ec-p256",
                 clock: Callable[[], datetime] = _utcnow) -> None:
        if public_key_info(issuing_key).dump() != issuing_cert.public_key.dump():
            raise CertificateError("the issuing CA key does not match issuing.pem")
        if root_key is not None and public_key_info(root_key).dump() != root_cert.public_key.dump():
            raise CertificateError("the root CA key does not match root.pem")
        self.root_cert_asn1 = root_cert
        self.issuing_cert_asn1 = issuing_cert
        self.root_cert = to_crypto(root_cert)
        self.issuing_cert = to_crypto(issuing_cert)
        self._root_key = root_key
        self._issuing_key = issuing_key
        self.crl_base_url = crl_base_url.rstrip("/")
        self.event_key_algorithm = event_key_algorithm
        self._clock = clock

    # -- construction -------------------------------------------------------------------
    @classmethod
    def create(cls, directory: Path, passphrase: bytes, *, org: str = "LaborSign Platform",
               crl_base_url: str, algorithm: str = "ec-p256",
               root_key: KeyProvider | None = None,
               issuing_key: KeyProvider | None = None) -> PlatformCA:
        """Create a new root and issuing CA and write them into ``directory``.

        :param directory: target folder (created if needed); must not hold a CA yet.
        :param passphrase: encrypts the PEM keys (unused for keys passed in).
        :param org: organization name in the CA subjects.
        :param crl_base_url: see the class docstring.
        :param algorithm: algorithm of the CA keys generated here (``"ec-p256"``/``"rsa-2048"``).
        :param root_key: an existing root key (e.g. PKCS#11) instead of a new PEM key.
        :param issuing_key: an existing issuing key instead of a new PEM key.
        :raises CertificateError: the directory already holds a CA.
        :raises KeyProviderError: keys cannot be written.
        """
        directory = Path(directory)
        if (directory / "root.pem").exists():
            raise CertificateError(f"{directory} already holds a CA")
        directory.mkdir(parents=True, exist_ok=True)
        root_key = root_key or EncryptedPemKeyProvider.create(
            directory / "root.key.pem", passphrase, algorithm)
        issuing_key = issuing_key or EncryptedPemKeyProvider.create(
            directory / "issuing.key.pem", passphrase, algorithm)
        root, issuing = build_ca_pair(root_key, issuing_key, org=org,
                                      root_crl_url=f"{crl_base_url.rstrip('/')}/ca/root-crl")
        (directory / "root.pem").write_text(cert_to_pem(root))
        (directory / "issuing.pem").write_text(cert_to_pem(issuing))
        return cls(root_cert=root, issuing_cert=issuing, root_key=root_key,
                   issuing_key=issuing_key, crl_base_url=crl_base_url)

    @classmethod
    def load(cls, directory: Path, passphrase: bytes, crl_base_url: str, *,
             root_key: KeyProvider | None = None,
             issuing_key: KeyProvider | None = None) -> PlatformCA:
        """Load a CA written by :meth:`create`.

        :param directory: the CA folder.
        :param passphrase: decrypts the PEM keys.
        :param crl_base_url: see the class docstring.
        :param root_key: use this root key instead of ``root.key.pem`` (e.g. PKCS#11).
        :param issuing_key: use this issuing key instead of ``issuing.key.pem``.
        :raises CertificateError: certificates missing or not matching the keys.
        :raises KeyProviderError: a key cannot be decrypted.
        """
        directory = Path(directory)
        root = read_cert(directory / "root.pem")
        issuing = read_cert(directory / "issuing.pem")
        if issuing_key is None:
            issuing_key = EncryptedPemKeyProvider(directory / "issuing.key.pem", passphrase)
        if root_key is None and (directory / "root.key.pem").exists():
            root_key = EncryptedPemKeyProvider(directory / "root.key.pem", passphrase)
        return cls(root_cert=root, issuing_cert=issuing, root_key=root_key,
                   issuing_key=issuing_key, crl_base_url=crl_base_url)

    @classmethod
    def load_or_create(cls, directory: Path, passphrase: bytes, *,
                       org: str = "LaborSign Platform", crl_base_url: str,
                       algorithm: str = "ec-p256") -> PlatformCA:
        """:meth:`load` the CA in ``directory``, or :meth:`create` it when absent.

        :param directory: the CA folder.
        :param passphrase: the key passphrase.
        :param org: organization name for a new CA.
        :param crl_base_url: see the class docstring.
        :param algorithm: key algorithm for a new CA.
        :raises CertificateError: see :meth:`load`.
        :raises KeyProviderError: see :meth:`load`.
        """
        if (Path(directory) / "root.pem").exists():
            return cls.load(directory, passphrase, crl_base_url)
        return cls.create(directory, passphrase, org=org, crl_base_url=crl_base_url,
                          algorithm=algorithm)

    # -- properties ---------------------------------------------------------------------
    @property
    def crl_url(self) -> str:
        """URL of the issuing CA's CRL (in every event and TSA certificate)."""
        return f"{self.crl_base_url}/ca/crl"

    @property
    def root_crl_url(self) -> str:
        """URL of the root CA's CRL (in the issuing CA certificate)."""
        return f"{self.crl_base_url}/ca/root-crl"

    @property
    def chain(self) -> tuple[asn1_x509.Certificate, ...]:
        """Issuing CA then root certificate (asn1crypto)."""
        return (self.issuing_cert_asn1, self.root_cert_asn1)

    @property
    def issuing_key(self) -> KeyProvider:
        """The issuing CA key provider (signs event certificates, CRLs)."""
        return self._issuing_key

    # -- issuing ------------------------------------------------------------------------
    def issue_event_certificate(
        self, *, common_name: str, kind: Literal["worker", "employer"],
        id_hash: str | None = None, uscc: str | None = None, org_name: str | None = None,
        validity: timedelta = MAX_EVENT_VALIDITY,
    ) -> EventCredential:
        """Generate an in-memory key pair and certify it for one signing act.

        :param common_name: the signer's name (worker name, or the employer's name).
        :param kind: ``"worker"`` or ``"employer"``.
        :param id_hash: workers: the keyed hash of the ID number (16-64 printable chars); put
            into the subject serialNumber. Never the plain ID number.
        :param uscc: employers: the unified social credit code (checked), put into the subject
            organizationIdentifier as ``NTRCN-<USCC>``.
        :param org_name: employers: organization name for O= (default ``common_name``).
        :param validity: certificate lifetime, at most 24 hours.
        :raises CertificateError: invalid arguments (missing/plain ID, bad USCC, validity).
        """
        if not timedelta(0) < validity <= MAX_EVENT_VALIDITY:
            raise CertificateError("event certificate validity must be within (0, 24 h]")
        if not common_name.strip() or ID_NUMBER.search(common_name):
            raise CertificateError("the common name is empty or contains an ID number")
        attrs: dict[str, str] = {"country_name": "CN"}
        if kind == "worker":
            if not id_hash or not ID_HASH.fullmatch(id_hash) or ID_NUMBER.fullmatch(id_hash):
                raise CertificateError(
                    "workers need id_hash: a keyed hash of the ID number (16-64 chars), "
                    "never the ID number itself")
            attrs["serial_number"] = id_hash
        elif kind == "employer":
            if not uscc or not is_valid_uscc(uscc):
                raise CertificateError(f"invalid unified social credit code {uscc!r}")
            attrs["organization_name"] = org_name or common_name
            attrs["organization_identifier"] = f"NTRCN-{uscc}"
        else:
            raise CertificateError(f"unknown event certificate kind {kind!r}")
        attrs["common_name"] = common_name
        key = InMemoryKeyProvider.generate(self.event_key_algorithm)
        serial = random_serial()
        not_before = self._clock().replace(microsecond=0) - timedelta(seconds=60)
        cert = build_certificate(
            issuer_key=self._issuing_key, issuer_name=self.issuing_cert_asn1.subject,
            issuer_key_id=self.issuing_cert_asn1.key_identifier,
            subject_name=asn1_x509.Name.build(attrs), subject_spki=public_key_info(key),
            not_before=not_before, not_after=not_before + validity, serial=serial,
            key_usage={"digital_signature", "non_repudiation"},
            extended_key_usage=["email_protection"], crl_url=self.crl_url)
        return EventCredential(key=key, cert=cert, serial=format(serial, "x"), chain=self.chain)

    def issue_tsa_certificate(self, key_provider: KeyProvider, *,
                              common_name: str | None = None,
                              validity: timedelta = timedelta(days=365 * 10)
                              ) -> x509.Certificate:
        """Certify a time-stamping key (EKU timeStamping, critical), issued by the issuing CA.

        :param key_provider: the TSA's key.
        :param common_name: subject CN (default ``"<org> Time-Stamping Authority"``).
        :param validity: lifetime, capped at the issuing CA's own expiry.
        :raises KeyProviderError: the issuing key cannot sign.
        """
        org = self.issuing_cert_asn1.subject.native.get("organization_name", "LaborSign")
        now = self._clock().replace(microsecond=0) - timedelta(minutes=5)
        not_after = min(now + validity, self.issuing_cert.not_valid_after_utc)
        cert = build_certificate(
            issuer_key=self._issuing_key, issuer_name=self.issuing_cert_asn1.subject,
            issuer_key_id=self.issuing_cert_asn1.key_identifier,
            subject_name=asn1_x509.Name.build({
                "country_name": "CN", "organization_name": org,
                "common_name": common_name or f"{org} Time-Stamping Authority"}),
            subject_spki=public_key_info(key_provider), not_before=now, not_after=not_after,
            serial=random_serial(), key_usage={"digital_signature", "non_repudiation"},
            extended_key_usage=["time_stamping"], eku_critical=True, crl_url=self.crl_url)
        return to_crypto(cert)

    # -- revocation ---------------------------------------------------------------------
    def build_crl(self, revoked: Iterable[tuple[int, datetime, str]] = (), *,
                  next_update: timedelta = timedelta(days=7)) -> bytes:
        """A DER CRL of the issuing CA (event and TSA certificates).

        :param revoked: ``(serial, revoked_at, reason)``; reason e.g. ``"key_compromise"``.
        :param next_update: time until the next CRL.
        :raises CertificateError: an unknown revocation reason.
        """
        return self._crl(self._issuing_key, self.issuing_cert_asn1, revoked, next_update)

    def build_root_crl(self, revoked: Iterable[tuple[int, datetime, str]] = (), *,
                       next_update: timedelta = timedelta(days=30)) -> bytes:
        """A DER CRL of the root CA (covers the issuing CA certificate).

        :param revoked: ``(serial, revoked_at, reason)`` of revoked CA certificates.
        :param next_update: time until the next root CRL.
        :raises KeyProviderError: the root key is not available.
        :raises CertificateError: an unknown revocation reason.
        """
        if self._root_key is None:
            raise KeyProviderError("the root CA key is not loaded")
        return self._crl(self._root_key, self.root_cert_asn1, revoked, next_update)

    def _crl(self, key: KeyProvider, cert: asn1_x509.Certificate,
             revoked: Iterable[tuple[int, datetime, str]], next_update: timedelta) -> bytes:
        now = self._clock()
        try:
            crl = build_crl(issuer_key=key, issuer_cert=cert, revoked=revoked,
                            this_update=now - timedelta(minutes=1), next_update=next_update,
                            crl_number=time.time_ns() // 1000)
        except ValueError as exc:
            raise CertificateError(str(exc)) from exc
        return crl.dump()
