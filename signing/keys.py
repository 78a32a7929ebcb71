"""Key providers: where the private keys of the CA, the TSA and the signers live.

A :class:`KeyProvider` hands out its public key and signs bytes; it never exposes the
private key. Implementations keep the loaded key object (or the token session) for their
whole life, so no key is parsed again per signature:

* :class:`InMemoryKeyProvider` -- a key object that exists only in memory (event keys);
* :class:`EncryptedPemKeyProvider` -- a passphrase-encrypted PKCS#8 PEM file (the default
  for the platform CA and TSA; the key is never written unencrypted);
* :class:`~signing.pkcs11_provider.Pkcs11KeyProvider` -- a key inside a PKCS#11 token (HSM,
  SoftHSM2), re-exported here so that every key provider is found under ``signing.keys``.

Signatures are returned in the encoding X.509 and CMS use: DER ``ECDSA-Sig-Value`` for EC
keys, PKCS#1 v1.5 for RSA keys.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from asn1crypto import algos
from asn1crypto import keys as asn1_keys
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

from .errors import KeyProviderError
from .key_algorithms import hash_for, key_algorithm_name
from .pkcs11_provider import Pkcs11KeyProvider

__all__ = [
    "KeyAlgorithm",
    "KeyProvider",
    "EncryptedPemKeyProvider",
    "InMemoryKeyProvider",
    "Pkcs11KeyProvider",
    "generate_private_key",
    "key_algorithm_name",
    "public_key_info",
    "signature_algorithm",
]

#: Key algorithms the platform creates.
KeyAlgorithm = Literal["ec-p256", "rsa-2048", "rsa-3072"]

@runtime_checkable
class KeyProvider(Protocol):
    """Something that holds a private key and signs with it."""

    @property
    def public_key(self) -> PublicKeyTypes:
        """The public key (a ``cryptography`` public key object)."""
        ...

    @property
    def algorithm(self) -> str:
        """Key algorithm label such as ``"ec-p256"`` or ``"rsa-2048"``."""
        ...

    def sign(self, data: bytes, hash_algorithm: str = "sha256") -> bytes:
        """Hash ``data`` with ``hash_algorithm`` and sign the digest.

        :param data: the bytes to sign (not a digest).
        :param hash_algorithm: ``"sha256"``, ``"sha384"`` or ``"sha512"``.
        :raises KeyProviderError: the key cannot be used.
        """
        ...


def generate_private_key(algorithm: str = "ec-p256") -> PrivateKeyTypes:
    """Generate a fresh private key in memory.

    :param algorithm: ``"ec-p256"``, ``"rsa-2048"`` or ``"rsa-3072"``.
    :raises KeyProviderError: unknown algorithm.
    """
    if algorithm == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm in ("rsa-2048", "rsa-3072"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(algorithm[4:]))
    raise KeyProviderError(f"unsupported key algorithm {algorithm!r}")


def signature_algorithm(provider: KeyProvider, hash_algorithm: str = "sha256"
                        ) -> algos.SignedDigestAlgorithm:
    """The asn1crypto ``SignedDigestAlgorithm`` matching a provider's signatures.

    :param provider: the key provider that will sign.
    :param hash_algorithm: hash name, e.g. ``"sha256"``.
    :raises KeyProviderError: unsupported key type.
    """
    hash_for(hash_algorithm)
    family = provider.algorithm.split("-", 1)[0]
    if family == "ec":
        return algos.SignedDigestAlgorithm({"algorithm": f"{hash_algorithm}_ecdsa"})
    if family == "rsa":
        return algos.SignedDigestAlgorithm({"algorithm": f"{hash_algorithm}_rsa"})
    raise KeyProviderError(f"unsupported key algorithm {provider.algorithm!r}")


def public_key_info(provider: KeyProvider) -> asn1_keys.PublicKeyInfo:
    """The provider's public key as an asn1crypto ``PublicKeyInfo``.

    :param provider: any key provider.
    """
    der = provider.public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return asn1_keys.PublicKeyInfo.load(der)


def sign_with_key(key: PrivateKeyTypes, data: bytes, hash_algorithm: str) -> bytes:
    """Sign with a ``cryptography`` private key object (ECDSA or RSA PKCS#1 v1.5).

    :param key: the private key.
    :param data: the bytes to sign.
    :param hash_algorithm: hash name.
    :raises KeyProviderError: unsupported key type or hash.
    """
    algo = hash_for(hash_algorithm)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(algo))
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), algo)
    raise KeyProviderError(f"unsupported key type {type(key).__name__}")


class InMemoryKeyProvider:
    """A provider around a key object that lives only in memory (e.g. an event key).

    :param key: a ``cryptography`` EC or RSA private key.
    :raises KeyProviderError: unsupported key type.
    """

    def __init__(self, key: PrivateKeyTypes) -> None:
        self._key = key
        self._public = key.public_key()
        self._algorithm = key_algorithm_name(self._public)

    @classmethod
    def generate(cls, algorithm: str = "ec-p256") -> InMemoryKeyProvider:
        """Generate a fresh key in memory.

        :param algorithm: ``"ec-p256"`` or ``"rsa-2048"``.
        :raises KeyProviderError: unknown algorithm.
        """
        return cls(generate_private_key(algorithm))

    @property
    def public_key(self) -> PublicKeyTypes:
        """The public key."""
        return self._public

    @property
    def algorithm(self) -> str:
        """Key algorithm label."""
        return self._algorithm

    def sign(self, data: bytes, hash_algorithm: str = "sha256") -> bytes:
        """Sign ``data``; see :meth:`KeyProvider.sign`.

        :param data: the bytes to sign.
        :param hash_algorithm: hash name.
        :raises KeyProviderError: unsupported hash.
        """
        return sign_with_key(self._key, data, hash_algorithm)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._algorithm}>"


class EncryptedPemKeyProvider(InMemoryKeyProvider):
    """A key stored in a passphrase-encrypted PKCS#8 PEM file, loaded once and kept in memory.

    :param path: the PEM file.
    :param passphrase: its passphrase.
    :raises KeyProviderError: missing file, wrong passphrase or not a supported key.
    """

    def __init__(self, path: str | os.PathLike[str], passphrase: bytes) -> None:
        self.path = Path(path)
        if not passphrase:
            raise KeyProviderError("an empty passphrase is not allowed for stored keys")
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise KeyProviderError(f"cannot read key file {self.path}: {exc}") from exc
        if b"ENCRYPTED" not in data:
            raise KeyProviderError(f"{self.path} is not an encrypted private key")
        try:
            key = serialization.load_pem_private_key(data, password=passphrase)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise KeyProviderError(f"cannot decrypt key {self.path} (wrong passphrase?)"
                                   ) from exc
        super().__init__(key)

    @classmethod
    def create(cls, path: str | os.PathLike[str], passphrase: bytes,
               algorithm: str = "ec-p256") -> EncryptedPemKeyProvider:
        """Generate a key and write it encrypted (best available PKCS#8 encryption, mode 0600).

        :param path: where to write the PEM file; must not exist yet.
        :param passphrase: non-empty passphrase.
        :param algorithm: ``"ec-p256"``, ``"rsa-2048"`` or ``"rsa-3072"``.
        :raises KeyProviderError: the file exists, the passphrase is empty or writing failed.
        """
        target = Path(path)
        if not passphrase:
            raise KeyProviderError("an empty passphrase is not allowed for stored keys")
        key = generate_private_key(algorithm)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise KeyProviderError(f"refusing to overwrite existing key {target}") from None
        except OSError as exc:
            raise KeyProviderError(f"cannot write key {target}: {exc}") from exc
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        return cls(target, passphrase)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.algorithm} {self.path}>"
