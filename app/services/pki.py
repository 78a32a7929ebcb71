"""The platform's PKI as the app uses it: CA, signer, TSA, CRLs, fonts, seal images.

Everything expensive (keys, fonts, the signer) is built once per app and kept in
``app.extensions``; CRLs are rebuilt only when the revocation list changes or ages.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Counter, RevokedCertificate
from app.models.base import utcnow

_lock = threading.RLock()
CRL_MAX_AGE = timedelta(hours=12)


def _ext(name: str, build):
    ext = current_app.extensions
    if name not in ext:
        with _lock:
            if name not in ext:
                ext[name] = build()
    return ext[name]


def _passphrase() -> bytes:
    return current_app.config["CA_KEY_PASSPHRASE"].encode()


def ca():
    """The platform CA (root + issuing), created at first use in the embedded default."""
    from signing import PlatformCA

    return _ext("pki_ca", lambda: PlatformCA.load_or_create(
        Path(current_app.config["PKI_DIR"]), _passphrase(),
        org="智慧星用工 LaborSign Platform", crl_base_url=current_app.config["BASE_URL"]))


def font() -> str:
    """Path of the embedded CJK TrueType font."""
    from signing import find_cjk_font

    return _ext("pki_font", lambda: find_cjk_font(current_app.config.get("CJK_FONT") or None))


def render(terms) -> bytes:
    """Render a contract PDF with the embedded CJK font."""
    from signing import render_contract_pdf

    return render_contract_pdf(terms, font())


def seal_image(org_name: str) -> bytes:
    """The organization's red round seal (PNG), drawn once per name."""
    from signing import seal_png

    seals = _ext("pki_seals", dict)
    if org_name not in seals:
        seals[org_name] = seal_png(org_name, font())
    return seals[org_name]


def next_serial_autonomous(name: str, engine=None) -> int:
    """Increment counter ``name`` in its own short transaction (TSA serials).

    :param engine: the database engine (default: the current app's); pass it when calling
        from a thread without an app context.
    """
    with (engine or db.engine).begin() as conn:
        if conn.execute(update(Counter).where(Counter.name == name)
                        .values(value=Counter.value + 1)).rowcount == 0:
            conn.execute(Counter.__table__.insert().values(name=name, value=1))
        return conn.execute(select(Counter.value).where(Counter.name == name)).scalar_one()


def _build_tsa():
    from signing import load_or_create_tsa

    engine = db.engine
    return load_or_create_tsa(ca(), Path(current_app.config["PKI_DIR"]), _passphrase(),
                              next_serial=lambda: next_serial_autonomous("tsa_serial", engine),
                              policy_oid=current_app.config["TSA_POLICY_OID"])


def tsa():
    """The built-in RFC 3161 time-stamp authority."""
    return _ext("pki_tsa", _build_tsa)


def _revoked_state() -> tuple[int, int]:
    row = db.session.execute(select(func.count(RevokedCertificate.id),
                                    func.max(RevokedCertificate.id))).one()
    return int(row[0]), int(row[1] or 0)


def issuing_crl() -> bytes:
    """The issuing CA's CRL, rebuilt when a revocation was added or it is 12 h old."""
    state, now = _revoked_state(), utcnow()
    cached = current_app.extensions.get("pki_crl")
    if cached and cached[0] == state and now - cached[1] < CRL_MAX_AGE:
        return cached[2]
    revoked = [(int(r.serial, 16), r.revoked_at, r.reason)
               for r in db.session.scalars(select(RevokedCertificate))]
    crl = ca().build_crl(revoked)
    current_app.extensions["pki_crl"] = (state, now, crl)
    return crl


def root_crl() -> bytes:
    """The root CA's CRL (the issuing CA is not revoked)."""
    cached = current_app.extensions.get("pki_root_crl")
    if cached and utcnow() - cached[0] < CRL_MAX_AGE:
        return cached[1]
    crl = ca().build_root_crl()
    current_app.extensions["pki_root_crl"] = (utcnow(), crl)
    return crl


def crls() -> list[bytes]:
    """Current CRLs to embed in signed documents (issuing CA's, then root's)."""
    return [issuing_crl(), root_crl()]


def _build_signer():
    from pyhanko.sign.timestamps import HTTPTimeStamper

    from signing import ContractSigner, InProcessTimeStamper

    cfg = current_app.config
    stamper = HTTPTimeStamper(cfg["TSA_URL"]) if cfg["TSA_URL"] else InProcessTimeStamper(tsa())
    return ContractSigner(ca(), font(), timestamper=stamper, crl_source=crls,
                          level=cfg["SIGNATURE_LEVEL"])


def signer():
    """The contract signer (employer seal, worker signature, LTA time-stamp)."""
    return _ext("pki_signer", _build_signer)
