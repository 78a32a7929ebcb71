"""Key providers: encrypted PEM files and in-memory event keys."""

from __future__ import annotations

import stat

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding

from signing import EncryptedPemKeyProvider, InMemoryKeyProvider, KeyProvider, KeyProviderError


@pytest.mark.parametrize("algorithm", ["ec-p256", "rsa-2048"])
def test_created_key_is_encrypted_private_and_reloads(tmp_path, algorithm):
    path = tmp_path / "k.pem"
    created = EncryptedPemKeyProvider.create(path, b"s3cret", algorithm)
    text = path.read_text()
    assert "BEGIN ENCRYPTED PRIVATE KEY" in text and "BEGIN PRIVATE KEY" not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = EncryptedPemKeyProvider(path, b"s3cret")
    assert isinstance(loaded, KeyProvider)
    assert loaded.algorithm == algorithm
    signature = loaded.sign(b"contract")
    if algorithm.startswith("ec"):
        created.public_key.verify(signature, b"contract", ec.ECDSA(hashes.SHA256()))
    else:
        created.public_key.verify(signature, b"contract", padding.PKCS1v15(), hashes.SHA256())


def test_wrong_passphrase_is_a_key_provider_error(tmp_path):
    EncryptedPemKeyProvider.create(tmp_path / "k.pem", b"right")
    with pytest.raises(KeyProviderError, match="passphrase"):
        EncryptedPemKeyProvider(tmp_path / "k.pem", b"wrong")


def test_existing_key_is_never_overwritten(tmp_path):
    EncryptedPemKeyProvider.create(tmp_path / "k.pem", b"pw")
    before = (tmp_path / "k.pem").read_bytes()
    with pytest.raises(KeyProviderError, match="overwrite"):
        EncryptedPemKeyProvider.create(tmp_path / "k.pem", b"pw")
    assert (tmp_path / "k.pem").read_bytes() == before


def test_empty_passphrase_and_unencrypted_files_are_refused(tmp_path):
    with pytest.raises(KeyProviderError):
        EncryptedPemKeyProvider.create(tmp_path / "k.pem", b"")
    from cryptography.hazmat.primitives import serialization

    plain = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    (tmp_path / "plain.pem").write_bytes(plain)
    with pytest.raises(KeyProviderError, match="not an encrypted"):
        EncryptedPemKeyProvider(tmp_path / "plain.pem", b"pw")


def test_in_memory_key_signs_with_requested_hash():
    key = InMemoryKeyProvider.generate("ec-p256")
    key.public_key.verify(key.sign(b"x", "sha384"), b"x", ec.ECDSA(hashes.SHA384()))
    with pytest.raises(KeyProviderError):
        key.sign(b"x", "md5")
