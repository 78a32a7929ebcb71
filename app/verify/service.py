"""Public verification of an uploaded PDF: read it in memory, verify it, never keep it.

The upload is parsed with an in-memory stream (Werkzeug would otherwise spool files above
500 KiB to a temporary file on disk), verified from bytes, and dropped with the request. Its
content, name and hash are never logged or written to the database; the only row a
verification leaves behind is the rate-limit counter of the client.
"""

from __future__ import annotations

import io
import logging
import re

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from app.errors import AppError, ValidationFailed
from app.services.filing import verification
from app.services.platform import pki, ratelimit

log = logging.getLogger(__name__)

FIELD = "pdf"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_RATE_LIMIT = "20/minute"
_MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers, the CSRF token field


class PayloadTooLarge(AppError):
    status, code = 413, "payload_too_large"


def max_bytes() -> int:
    """The largest PDF accepted (config ``VERIFY_MAX_BYTES``, default 10 MiB)."""
    return int(current_app.config.get("VERIFY_MAX_BYTES") or DEFAULT_MAX_BYTES)


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge("文件过大：可验证的 PDF 最大为 %(mb)s MB，请上传更小的文件",
                           fields={FIELD: "文件过大"}, mb=f"{max_bytes() / (1024 * 1024):g}")


def _memory_stream(total_content_length, content_type, filename, content_length=None):
    return io.BytesIO()


class _InMemoryFormDataParser(FormDataParser):
    """Werkzeug's parser with every uploaded file kept in memory, never in a temp file."""

    def __init__(self, *args, **kwargs):
        kwargs["stream_factory"] = _memory_stream
        super().__init__(*args, **kwargs)


def enforce_rate_limit() -> None:
    """Count this request against the client's ``VERIFY_RATE_LIMIT`` (default 20/minute).

    :raises ratelimit.RateLimited: too many verifications from this address.
    """
    setting = current_app.config.get("VERIFY_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    ratelimit.enforce("verify", request.remote_addr, setting)


def read_upload() -> bytes:
    """The uploaded PDF (multipart field ``pdf``, or a raw ``application/pdf`` body), in memory.

    :raises PayloadTooLarge: the request or the file exceeds ``VERIFY_MAX_BYTES``.
    :raises ValidationFailed: no file was uploaded in field ``pdf``.
    """
    limit = max_bytes()
    if request.content_length is not None and request.content_length > limit + _MULTIPART_OVERHEAD:
        raise _too_large()
    request.max_content_length = limit + _MULTIPART_OVERHEAD
    request.form_data_parser_class = _InMemoryFormDataParser
    try:
        if request.mimetype == "application/pdf":  # a raw body, e.g. curl --data-binary
            return _checked(request.get_data(cache=False), limit)
        upload = request.files.get(FIELD)
        data = upload.read(limit + 1) if upload is not None else b""
    except RequestEntityTooLarge:
        raise _too_large() from None
    if upload is None or (not upload.filename and not data):
        raise ValidationFailed("请选择要验证的 PDF 文件（表单字段 %(field)s 中没有上传文件）",
                               fields={FIELD: "请选择 PDF 文件"}, code="file_missing", field=FIELD)
    return _checked(data, limit)


def _checked(data: bytes, limit: int) -> bytes:
    if len(data) > limit:
        raise _too_large()
    return data


def verify_upload(data: bytes):
    """Verify ``data`` against the platform root and the current CRLs.

    :raises ValidationFailed: the file is empty, not a PDF, truncated, encrypted or damaged.
    """
    from signing import InvalidDocument

    pki.crls()  # trust-store problems must surface as server errors, not as "bad file"
    try:
        return verification.verify_pdf(data)
    except InvalidDocument as exc:
        raise ValidationFailed("无法验证该文件：%(problem)s", fields={FIELD: "PDF 无法读取"},
                               code="invalid_document", problem=str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - hostile input must not become a 500
        log.warning("public verification: unreadable PDF (%s)", type(exc).__name__)
        raise ValidationFailed("无法验证该文件：PDF 结构损坏或格式不受支持",
                               fields={FIELD: "PDF 无法读取"}, code="invalid_document") from None


def print_copy_claim() -> dict | None:
    """What a print copy's QR code asks to check (``?filing=…&sha256=…``), checked against
    the filings: ``{"filing", "sha256", "found"}``; ``found`` is None when the parameters are
    malformed; None when the page was opened without them.

    :raises ratelimit.RateLimited: too many checks from this address.
    """
    number, sha256 = request.args.get("filing"), request.args.get("sha256")
    if number is None and sha256 is None:
        return None
    enforce_rate_limit()
    number, sha256 = (number or "").strip(), (sha256 or "").strip().lower()
    well_formed = 0 < len(number) <= 40 and re.fullmatch(r"[0-9a-f]{64}", sha256) is not None
    found = verification.filing_records(number, sha256) if well_formed else None
    return {"filing": number[:40], "sha256": sha256[:64], "found": found}


def report_words(kind: str, name: str | None) -> str:
    """A verification report's value (modification level, coverage, DocMDP) in words, in
    the page's language (never the raw name)."""
    from flask_babel import get_locale

    from signing.verify_words import words

    return words(kind, name, english=str(get_locale()) == "en")  # type: ignore[arg-type]


def reason_zh(reason: str | None) -> str:
    """A CRL revocation reason in Chinese."""
    from signing.verify_certs import REASONS_ZH

    return REASONS_ZH.get(reason or "unspecified", reason or "未说明原因")
