"""Names of key and hash algorithms shared by every key provider (file, memory, PKCS#11)."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from .errors import KeyProviderError

__all__ = ["hash_for", "key_algorithm_name"]

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
_EC_CURVES = {"secp256r1": "p256", "secp384r1": "p384", "secp521r1": "p521"}


def hash_for(hash_algorithm: str) -> hashes.HashAlgorithm:
    """Return the ``cryptography`` hash object for a hash name.

    :param hash_algorithm: ``"sha256"``, ``"sha384"`` or ``"sha512"`` (case-insensitive).
    :raises KeyProviderError: unsupported hash.
    """
    try:
        return _HASHES[hash_algorithm.lower().replace("-", "")]()
    except KeyError:
        raise KeyProviderError(f"unsupported hash algorithm {hash_algorithm!r}") from None


def key_algorithm_name(public_key: PublicKeyTypes) -> str:
    """Label a public key as ``"ec-p256"``, ``"rsa-2048"``...

    :param public_key: a ``cryptography`` public key.
    :raises KeyProviderError: neither RSA nor a NIST EC curve.
    """
    if isinstance(public_key, rsa.RSAPublicKey):
        return f"rsa-{public_key.key_size}"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        curve = _EC_CURVES.get(public_key.curve.name)
        if curve:
            return f"ec-{curve}"
    raise KeyProviderError(f"unsupported key type {type(public_key).__name__}")
