"""PKCS#11 key provider (hardware security module, SoftHSM2, a licensed CA's token).

The session and the key handle are opened once and kept; every :meth:`Pkcs11KeyProvider.sign`
is one ``C_Sign`` call on the token. The private key never leaves the token.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from .errors import KeyProviderError
from .key_algorithms import hash_for, key_algorithm_name

__all__ = ["Pkcs11KeyProvider"]

_libs: dict[str, Any] = {}
_libs_lock = threading.Lock()


def _load_lib(lib_path: str) -> Any:
    """Load (once per process) and return the PKCS#11 module at ``lib_path``."""
    try:
        import pkcs11
    except ImportError as exc:  # pragma: no cover - python-pkcs11 is a dependency
        raise KeyProviderError("python-pkcs11 is not installed") from exc
    with _libs_lock:
        lib = _libs.get(lib_path)
        if lib is None:
            try:
                lib = pkcs11.lib(lib_path)
            except (OSError, RuntimeError, pkcs11.PKCS11Error) as exc:
                raise KeyProviderError(f"cannot load PKCS#11 module {lib_path}: {exc}") from exc
            _libs[lib_path] = lib
        return lib


class _SharedSession:
    """One logged-in read-write session per (module, token), shared by all providers.

    PKCS#11 login state is per application and token: a second ``C_Login`` fails with
    ``CKR_USER_ALREADY_LOGGED_IN`` and closing any logged-in session logs all of them out.
    So the process keeps one session per token, reference-counted, and serializes its use.
    """

    def __init__(self, session: Any, pin: str) -> None:
        self.session = session
        self.lock = threading.Lock()
        self.refs = 0
        self.pin_digest = _pin_digest(pin)


def _pin_digest(pin: str) -> bytes:
    return hashlib.sha256(b"laborsign-pkcs11-pin:" + pin.encode()).digest()


_sessions: dict[tuple[str, str], _SharedSession] = {}


def _acquire_session(lib_path: str, token_label: str, user_pin: str) -> _SharedSession:
    import pkcs11

    lib = _load_lib(lib_path)
    with _libs_lock:
        shared = _sessions.get((lib_path, token_label))
        if shared is None:
            try:
                token = lib.get_token(token_label=token_label)
                session = token.open(rw=True, user_pin=user_pin)
            except pkcs11.NoSuchToken as exc:
                raise KeyProviderError(f"no PKCS#11 token labelled {token_label!r}") from exc
            except pkcs11.PKCS11Error as exc:
                raise KeyProviderError(f"cannot open token {token_label!r}: {exc!r}") from exc
            shared = _sessions[(lib_path, token_label)] = _SharedSession(session, user_pin)
        elif not hmac.compare_digest(shared.pin_digest, _pin_digest(user_pin)):
            # the token is already logged in; do not let a wrong PIN ride on that session
            raise KeyProviderError(f"cannot open token {token_label!r}: PinIncorrect()")
        shared.refs += 1
        return shared


def _release_session(lib_path: str, token_label: str) -> None:
    with _libs_lock:
        shared = _sessions.get((lib_path, token_label))
        if shared is None:
            return
        shared.refs -= 1
        if shared.refs <= 0:
            del _sessions[(lib_path, token_label)]
            with shared.lock:
                shared.session.close()


class Pkcs11KeyProvider:
    """A private key inside a PKCS#11 token, found by its label.

    :param lib_path: the PKCS#11 module, e.g. ``/usr/lib/softhsm/libsofthsm2.so``.
    :param token_label: the token's label.
    :param key_label: ``CKA_LABEL`` of the private key (and of its public key).
    :param user_pin: the token user PIN.
    :raises KeyProviderError: module, token or key not found, wrong PIN, unsupported key.
    """

    def __init__(self, lib_path: str, token_label: str, key_label: str, user_pin: str) -> None:
        import pkcs11
        from pkcs11 import KeyType, ObjectClass

        self.lib_path = lib_path
        self.token_label = token_label
        self.key_label = key_label
        self._closed = False
        self._shared = _acquire_session(lib_path, token_label, user_pin)
        try:
            with self._shared.lock:
                session = self._shared.session
                self._key = session.get_key(object_class=ObjectClass.PRIVATE_KEY,
                                            label=key_label)
                pub = session.get_key(object_class=ObjectClass.PUBLIC_KEY, label=key_label)
        except (pkcs11.NoSuchKey, pkcs11.MultipleObjectsReturned) as exc:
            _release_session(lib_path, token_label)
            raise KeyProviderError(
                f"key {key_label!r} not found (or not unique) on token {token_label!r}"
            ) from exc
        self._public = self._load_public(pub)
        self._algorithm = key_algorithm_name(self._public)
        self._is_ec = self._key.key_type == KeyType.EC

    @staticmethod
    def _load_public(pub: Any) -> PublicKeyTypes:
        from pkcs11 import KeyType
        from pkcs11.util.ec import encode_ec_public_key
        from pkcs11.util.rsa import encode_rsa_public_key

        if pub.key_type == KeyType.EC:
            return serialization.load_der_public_key(encode_ec_public_key(pub))
        if pub.key_type == KeyType.RSA:
            return serialization.load_der_public_key(encode_rsa_public_key(pub))
        raise KeyProviderError(f"unsupported PKCS#11 key type {pub.key_type!r}")

    @classmethod
    def generate(cls, lib_path: str, token_label: str, key_label: str, user_pin: str,
                 algorithm: str = "ec-p256") -> Pkcs11KeyProvider:
        """Generate a non-extractable key pair on the token and return its provider.

        :param lib_path: the PKCS#11 module.
        :param token_label: the token's label.
        :param key_label: label for the new key pair (must not exist yet).
        :param user_pin: the token user PIN.
        :param algorithm: ``"ec-p256"`` or ``"rsa-2048"``/``"rsa-3072"``.
        :raises KeyProviderError: the label exists, the algorithm is unsupported or the token
            refused.
        """
        import pkcs11
        from pkcs11 import Attribute, KeyType, ObjectClass
        from pkcs11.util.ec import encode_named_curve_parameters

        shared = _acquire_session(lib_path, token_label, user_pin)
        try:
            shared.lock.acquire()
            session = shared.session
            existing = list(session.get_objects({Attribute.LABEL: key_label,
                                                 Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
            if existing:
                raise KeyProviderError(f"key {key_label!r} already exists on {token_label!r}")
            private_template = {Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False,
                                Attribute.SIGN: True, Attribute.TOKEN: True}
            public_template = {Attribute.VERIFY: True, Attribute.TOKEN: True}
            if algorithm == "ec-p256":
                params = session.create_domain_parameters(
                    KeyType.EC,
                    {Attribute.EC_PARAMS: encode_named_curve_parameters("1.2.840.10045.3.1.7")},
                    local=True,
                )
                params.generate_keypair(store=True, label=key_label,
                                        public_template=public_template,
                                        private_template=private_template)
            elif algorithm in ("rsa-2048", "rsa-3072"):
                session.generate_keypair(KeyType.RSA, int(algorithm[4:]), store=True,
                                         label=key_label, public_template=public_template,
                                         private_template=private_template)
            else:
                raise KeyProviderError(f"unsupported key algorithm {algorithm!r}")
        except pkcs11.PKCS11Error as exc:
            raise KeyProviderError(f"token {token_label!r} refused key generation: {exc!r}"
                                   ) from exc
        finally:
            shared.lock.release()
            _release_session(lib_path, token_label)
        return cls(lib_path, token_label, key_label, user_pin)

    @property
    def public_key(self) -> PublicKeyTypes:
        """The public key (read from the token once)."""
        return self._public

    @property
    def algorithm(self) -> str:
        """Key algorithm label, e.g. ``"ec-p256"``."""
        return self._algorithm

    def sign(self, data: bytes, hash_algorithm: str = "sha256") -> bytes:
        """Sign ``data`` on the token; see :meth:`signing.keys.KeyProvider.sign`.

        :param data: the bytes to sign.
        :param hash_algorithm: ``"sha256"``, ``"sha384"`` or ``"sha512"``.
        :raises KeyProviderError: the token refused to sign.
        """
        import pkcs11
        from pkcs11 import Mechanism
        from pkcs11.util.ec import encode_ecdsa_signature

        algo = hash_for(hash_algorithm)
        try:
            with self._shared.lock:
                if self._is_ec:
                    digest = hashes.Hash(algo)
                    digest.update(data)
                    raw = self._key.sign(digest.finalize(), mechanism=Mechanism.ECDSA)
                    return encode_ecdsa_signature(raw)
                mechanism = {
                    "sha256": Mechanism.SHA256_RSA_PKCS,
                    "sha384": Mechanism.SHA384_RSA_PKCS,
                    "sha512": Mechanism.SHA512_RSA_PKCS,
                }[algo.name]
                return self._key.sign(data, mechanism=mechanism)
        except pkcs11.PKCS11Error as exc:
            raise KeyProviderError(f"PKCS#11 signing failed: {exc!r}") from exc

    def close(self) -> None:
        """Release the token session (the provider is unusable afterwards)."""
        if not self._closed:
            self._closed = True
            _release_session(self.lib_path, self.token_label)

    def __repr__(self) -> str:
        return f"<Pkcs11KeyProvider {self._algorithm} {self.token_label}/{self.key_label}>"
