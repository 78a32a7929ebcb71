"""HTTP hardening: security headers (Flask-Talisman), caching, cookies, bounded URL ints.

* CSP for HTML pages without inline script or style (``script-src 'self'``; the signing
  page's ``<script type="application/json">`` block is data, not executed), ``frame-ancestors
  'none'`` and ``X-Frame-Options: DENY`` (the one-click seal-and-send form cannot be framed),
  ``nosniff``, ``Referrer-Policy: same-origin`` (signing links carry tokens in the path; CSRF
  checks over https need the same-origin referrer), HSTS behind TLS only.
* ``Cache-Control: no-store`` on every answer except static files (pages, API answers and
  downloads carry personal data; a view may opt out by marking its answer ``public``).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_talisman import DENY, Talisman
from PIL import Image
from werkzeug.routing import IntegerConverter, ValidationError

talisman = Talisman()

HTML_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # the signing page opens the fetched contract PDF as a blob: URL (the viewer document
    # inherits this policy); no other plugin content
    "object-src": "blob:",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# PDFs: browsers' PDF viewers break under a document CSP; only forbid framing.
PDF_CSP = "frame-ancestors 'none'"
# JSON, certificates, CRLs, ...: nothing to load, nothing to frame.
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31556926; includeSubDomains"
MAX_URL_INT = 2**31 - 1  # PostgreSQL integer columns
# Pillow warns above this many pixels and refuses above twice as many (decompression bombs);
# the largest image the platform opens is a 4000x4000 drawn signature.
MAX_IMAGE_PIXELS = 4000 * 4000


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` accepting only 0 … 2^31-1 (larger ids: 404, not a database error)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_URL_INT)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str):
        if len(value) > len(str(MAX_URL_INT)):  # before int(): no 4300-digit conversions
            raise ValidationError()
        return super().to_python(value)


def init_app(app: Flask) -> None:
    """Install the URL converter (before blueprints), Talisman and the header hook."""
    app.url_map.converters["int"] = BoundedIntConverter
    Image.MAX_IMAGE_PIXELS = min(Image.MAX_IMAGE_PIXELS or MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS)
    resolve_cookie_flags(app)
    # Registered before Talisman: after-request hooks run in reverse order, so this one
    # sees (and adjusts) Talisman's headers.
    app.after_request(_finish_headers)
    talisman.init_app(
        app,
        force_https=False,  # nginx redirects; the app also runs on plain http locally
        frame_options=DENY,
        content_security_policy=HTML_CSP,
        referrer_policy="same-origin",
        strict_transport_security=True,  # Talisman sends it only on secure requests
        session_cookie_secure=False,  # resolved from BASE_URL / production mode instead
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        permissions_policy={"browsing-topics": "()", "camera": "()", "microphone": "()",
                            "geolocation": "()", "payment": "()"},
    )


def resolve_cookie_flags(app: Flask) -> None:
    """``SESSION_COOKIE_SECURE`` / ``REMEMBER_COOKIE_SECURE``: when not set explicitly,
    Secure when BASE_URL is https or in production mode."""
    secure = bool(app.config.get("PRODUCTION")) or public_url_is_https(app)
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(name) is None:
            app.config[name] = secure


def public_url_is_https(app: Flask | None = None) -> bool:
    """True when the platform's public URL (``BASE_URL``) is https."""
    app = app or current_app
    return str(app.config.get("BASE_URL") or "").lower().startswith("https://")


def _finish_headers(response: Response) -> Response:
    mimetype = response.mimetype or ""
    if mimetype != "text/html" and "Content-Security-Policy" in response.headers:
        response.headers["Content-Security-Policy"] = (
            PDF_CSP if mimetype == "application/pdf" else OTHER_CSP)
    if public_url_is_https() and "Strict-Transport-Security" not in response.headers:
        response.headers["Strict-Transport-Security"] = HSTS  # TLS ends at the proxy
    if request.endpoint != "static" and not response.cache_control.public:
        response.cache_control.no_store = True
    return response
