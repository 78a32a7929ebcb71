"""The built-in TSA's certificate rotation (:func:`rotate_tsa`, ``flask ca rotate-tsa``)
and the list of every TSA certificate, current and rotated (:func:`tsa_certificates`).

``tsa.pem`` (certificate) and ``tsa.key.pem`` (encrypted key) in PKI_DIR are the current
pair; a rotation keeps the old pair as ``tsa-<serial>.pem`` / ``tsa-<serial>.key.pem``.
Processes sharing PKI_DIR notice a rotation by the files' stamp and never use half of one
(:func:`app.services.platform.pki.tsa`).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from flask import current_app

from app.services.platform import pki


def rotate_tsa(validity_days: int = 3650):
    """Give the built-in TSA a new certificate (and, with PEM keys, a new key), valid for
    ``validity_days`` (capped at the issuing CA's expiry); returns it (cryptography).

    The old certificate and key stay in PKI_DIR as ``tsa-<serial>.pem`` /
    ``tsa-<serial>.key.pem`` (validators find the old certificate in the tokens and the DSS
    of every PDF it stamped); every process picks the new one up at its next time-stamp.
    With CA_KEY_PROVIDER=pkcs11 the key labelled PKCS11_TSA_KEY_LABEL is certified (generated
    on the token when absent: set a new label first to change the key).

    :raises ValueError: ``validity_days`` is not positive.
    :raises signing.KeyProviderError: the key cannot be created or read.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from signing import EncryptedPemKeyProvider, KeyProviderError

    if validity_days <= 0:
        raise ValueError("validity_days must be positive")
    directory = Path(current_app.config["PKI_DIR"])
    cert_path, key_path = directory / "tsa.pem", directory / "tsa.key.pem"
    authority = pki.ca()
    if cert_path.exists():
        serial = format(x509.load_pem_x509_certificate(cert_path.read_bytes()).serial_number, "x")
        (directory / f"tsa-{serial}.pem").write_bytes(cert_path.read_bytes())
        if key_path.exists():
            (directory / f"tsa-{serial}.key.pem").write_bytes(key_path.read_bytes())
    if pki.key_provider_kind() == "pem":
        fresh = directory / "tsa.key.pem.new"
        fresh.unlink(missing_ok=True)
        key = EncryptedPemKeyProvider.create(fresh, pki._passphrase())
    else:
        key = pki.token_key("PKCS11_TSA_KEY_LABEL", create=True)
        if key is None:
            raise KeyProviderError("PKCS11_TSA_KEY_LABEL is not set (CA_KEY_PROVIDER=pkcs11)")
    cert = authority.issue_tsa_certificate(key, validity=timedelta(days=validity_days))
    staged = directory / "tsa.pem.new"
    staged.write_bytes(cert.public_bytes(Encoding.PEM))
    if pki.key_provider_kind() == "pem":
        os.replace(fresh, key_path)
    os.replace(staged, cert_path)
    pki.forget_tsa()
    return cert


def tsa_certificates() -> list:
    """Every TSA certificate of the built-in TSA, current first, then the rotated ones
    (cryptography certificates; from PKI_DIR)."""
    from cryptography import x509

    directory = Path(current_app.config["PKI_DIR"])
    paths = [directory / "tsa.pem", *sorted(directory.glob("tsa-*.pem"))]
    return [x509.load_pem_x509_certificate(p.read_bytes()) for p in paths
            if p.exists() and not p.name.endswith(".key.pem")]
