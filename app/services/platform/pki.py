"""The platform's PKI as the app uses it: CA, signer, TSA, CRLs, fonts, seal images.

Everything expensive (keys, fonts, the signer) is built once per app at first use and kept
by the ``pki_ext`` extension (:class:`app.extensions.PkiState`); CRLs are rebuilt only when
the revocation list changes or ages.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app.extensions import PkiState, db, pki_ext
from app.models import RevokedCertificate
from app.models.base import utcnow
from app.services.platform.serials import SerialBlocks

CRL_MAX_AGE = timedelta(hours=12)


def _state() -> PkiState:
    return pki_ext.state(current_app)


def _passphrase() -> bytes:
    return current_app.config["CA_KEY_PASSPHRASE"].encode()


ORG = "智慧星用工 LaborSign Platform"


def key_provider_kind() -> str:
    """``"pem"`` (encrypted key files in PKI_DIR) or ``"pkcs11"`` (keys on a token).

    :raises signing.KeyProviderError: CA_KEY_PROVIDER has another value.
    """
    from signing import KeyProviderError

    kind = (current_app.config.get("CA_KEY_PROVIDER") or "pem").strip().lower()
    if kind not in ("pem", "pkcs11"):
        raise KeyProviderError(f"CA_KEY_PROVIDER must be 'pem' or 'pkcs11', not {kind!r}")
    return kind


def token_key(label_setting: str, *, create: bool):
    """The PKCS#11 key whose label is config ``label_setting`` (None when the label is empty).

    :param create: generate the key pair on the token when it is absent (new CA or TSA only:
        a new key never matches certificates that already exist).
    :raises signing.KeyProviderError: no PIN, token or key not found, wrong PIN.
    """
    from signing import KeyProviderError, Pkcs11KeyProvider

    cfg = current_app.config
    label = cfg.get(label_setting)
    if not label:
        return None
    if not cfg.get("PKCS11_USER_PIN"):
        raise KeyProviderError("PKCS11_USER_PIN is not set (CA_KEY_PROVIDER=pkcs11)")
    args = (cfg["PKCS11_LIB"], cfg["PKCS11_TOKEN_LABEL"], label, cfg["PKCS11_USER_PIN"])
    try:
        return Pkcs11KeyProvider(*args)
    except KeyProviderError as missing:
        if not create:
            raise
        try:
            return Pkcs11KeyProvider.generate(*args)
        except KeyProviderError:
            raise missing from None


def _build_ca():
    from signing import KeyProviderError, PlatformCA

    cfg, directory = current_app.config, Path(current_app.config["PKI_DIR"])
    if key_provider_kind() == "pem":
        return PlatformCA.load_or_create(directory, _passphrase(), org=ORG,
                                         crl_base_url=cfg["BASE_URL"])
    exists = (directory / "root.pem").exists()
    keys = {"root_key": token_key("PKCS11_ROOT_KEY_LABEL", create=not exists),
            "issuing_key": token_key("PKCS11_ISSUING_KEY_LABEL", create=not exists)}
    if keys["issuing_key"] is None:
        raise KeyProviderError("PKCS11_ISSUING_KEY_LABEL is not set (CA_KEY_PROVIDER=pkcs11)")
    if exists:
        return PlatformCA.load(directory, _passphrase(), cfg["BASE_URL"], **keys)
    return PlatformCA.create(directory, _passphrase(), org=ORG, crl_base_url=cfg["BASE_URL"],
                             **keys)


def ca():
    """The platform CA (root + issuing), created at first use (or by ``flask ca init``).

    With ``CA_KEY_PROVIDER=pkcs11`` the issuing CA key (and the root key when
    ``PKCS11_ROOT_KEY_LABEL`` is set) stay on the token; only certificates go to PKI_DIR.
    """
    return _state().ca.get(_build_ca)


def font() -> str:
    """Path of the embedded CJK TrueType font."""
    from signing import find_cjk_font

    return _state().font.get(lambda: find_cjk_font(current_app.config.get("CJK_FONT") or None))


def render(terms) -> bytes:
    """Render a contract PDF with the embedded CJK font."""
    from signing import render_contract_pdf

    return render_contract_pdf(terms, font())


def seal_image(org_name: str) -> bytes:
    """The organization's red round seal (PNG), drawn once per name."""
    from signing import seal_png

    seals = _state().seals
    if org_name not in seals:
        seals[org_name] = seal_png(org_name, font())
    return seals[org_name]


def _load_tsa():
    """The TSA from the files in PKI_DIR (created at first use)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from signing import KeyProviderError, TimeStampAuthority, load_or_create_tsa

    cfg, engine, directory = current_app.config, db.engine, Path(current_app.config["PKI_DIR"])
    serials = _state().serials = SerialBlocks("tsa_serial", engine)
    options = {"next_serial": serials.next,
               "policy_oid": cfg["TSA_POLICY_OID"]}
    if key_provider_kind() == "pem":
        return load_or_create_tsa(ca(), directory, _passphrase(), **options)
    cert_path = directory / "tsa.pem"
    key = token_key("PKCS11_TSA_KEY_LABEL", create=not cert_path.exists())
    if key is None:
        raise KeyProviderError("PKCS11_TSA_KEY_LABEL is not set (CA_KEY_PROVIDER=pkcs11)")
    if cert_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    else:
        cert = ca().issue_tsa_certificate(key)
        cert_path.write_bytes(cert.public_bytes(Encoding.PEM))
    return TimeStampAuthority(cert, key, extra_certs=[ca().issuing_cert], **options)


#: how often a TSA read that met a rotation half done (key and certificate not a pair) is
#: tried again, waiting SWAP_WAIT seconds each time
SWAP_RETRIES, SWAP_WAIT = 20, 0.05


def _wait_for_swap() -> None:
    time.sleep(SWAP_WAIT)


def _build_tsa():
    """The TSA from PKI_DIR. A rotation (:mod:`app.services.platform.tsa_rotation`) replaces
    the key file, then the certificate file: a read between the two finds a key and a
    certificate that are not a pair and is tried again, so that no process ever uses half a
    rotation."""
    from signing import TimestampError

    for attempt in range(SWAP_RETRIES + 1):
        stamp = _tsa_file_stamp()  # before reading: a rotation meanwhile rebuilds it again
        try:
            built = _load_tsa()
        except TimestampError:  # the certificate does not match the key
            if attempt == SWAP_RETRIES:
                raise
            _wait_for_swap()
            continue
        built.file_stamp = stamp
        return built
    raise AssertionError("unreachable")


def _tsa_file_stamp() -> tuple | None:
    """(mtime, size) of PKI_DIR/tsa.pem and tsa.key.pem: a rotation (``flask ca rotate-tsa``,
    in any process sharing PKI_DIR) changes them."""
    directory, found = Path(current_app.config["PKI_DIR"]), []
    for name in ("tsa.pem", "tsa.key.pem"):
        path = directory / name
        found.append((path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else None)
    return tuple(found) if found[0] is not None else None


def tsa():
    """The built-in RFC 3161 time-stamp authority (its key on the token in pkcs11 mode).

    Rebuilt (with the signer) when tsa.pem changed since it was built: a rotated TSA
    certificate is picked up by every process without a restart.
    """
    state = _state()
    built = state.tsa.get(_build_tsa)
    stamp = _tsa_file_stamp()
    if getattr(built, "file_stamp", stamp) != stamp:
        forget_tsa()
        built = state.tsa.get(_build_tsa)
    return built


def timestamper():
    """The RFC 3161 client the platform time-stamps with: ``TSA_URL`` or the built-in TSA."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    from signing import InProcessTimeStamper

    url = current_app.config["TSA_URL"]
    return HTTPTimeStamper(url) if url else InProcessTimeStamper(tsa())


def forget_tsa() -> None:
    """Drop the built-in TSA and the signer holding it (the next use rebuilds both)."""
    _state().tsa.reset()
    _state().signer.reset()


def _revoked_state() -> tuple[int, int]:
    row = db.session.execute(select(func.count(RevokedCertificate.id),
                                    func.max(RevokedCertificate.id))).one()
    return int(row[0]), int(row[1] or 0)


def issuing_crl() -> bytes:
    """The issuing CA's CRL, rebuilt when a revocation was added or it is 12 h old."""
    state, now, cache = _revoked_state(), utcnow(), _state()
    cached = cache.issuing_crl
    if cached and cached[0] == state and now - cached[1] < CRL_MAX_AGE:
        return cached[2]
    revoked = [(int(r.serial, 16), r.revoked_at, r.reason)
               for r in db.session.scalars(select(RevokedCertificate))]
    crl = ca().build_crl(revoked)
    cache.issuing_crl = (state, now, crl)
    return crl


def root_crl() -> bytes:
    """The root CA's CRL (the issuing CA is not revoked)."""
    cache = _state()
    cached = cache.root_crl
    if cached and utcnow() - cached[0] < CRL_MAX_AGE:
        return cached[1]
    crl = ca().build_root_crl()
    cache.root_crl = (utcnow(), crl)
    return crl


def forget_crls() -> None:
    """Drop the cached CRLs (the next call rebuilds them)."""
    cache = _state()
    cache.issuing_crl = cache.root_crl = None


def forget_serials() -> None:
    """Give up the TSA's reserved serials (tests that empty the counters table)."""
    serials = _state().serials
    if serials is not None:
        serials.reset()


def forget_signer() -> None:
    """Drop the signer (after changing ``TSA_URL`` or ``SIGNATURE_LEVEL``)."""
    _state().signer.reset()


def crls() -> list[bytes]:
    """Current CRLs to embed in signed documents (issuing CA's, then root's)."""
    return [issuing_crl(), root_crl()]


def _build_signer():
    from signing import ContractSigner

    return ContractSigner(ca(), font(), timestamper=timestamper(), crl_source=crls,
                          level=current_app.config["SIGNATURE_LEVEL"])


def signer():
    """The contract signer (employer seal, worker signature, LTA time-stamp); rebuilt after
    a TSA rotation."""
    if not current_app.config["TSA_URL"]:
        tsa()  # a rotated TSA certificate drops the signer holding the old one
    return _state().signer.get(_build_signer)


def certificate_sha256(pem: str) -> str:
    """SHA-256 (hex) of a PEM certificate's DER: what a SignatureEvent keeps of it."""
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    der = x509.load_pem_x509_certificate(pem.encode()).public_bytes(Encoding.DER)
    return hashlib.sha256(der).hexdigest()
