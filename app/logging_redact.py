"""Keep one-time link tokens out of logs.

Signing links (``/s/<token>``, ``/api/v1/sign/<token>/...``), password-reset and invitation
links carry bearer secrets in their path, the SMS receipt callbacks
(``/sms/receipts/<provider>/<secret>``) the platform's callback secret.
:class:`RedactTokens` rewrites any log record so the path segment after ``/s/``, ``/sign/``,
``/set/``, ``/reset/`` or ``/invite/`` (and ``token=`` query values) reads ``<redacted>``.
It is installed on werkzeug's logger (``flask run``) by create_app and on gunicorn's access
and error logs by ``gunicorn.conf.py``.

Personal data is masked too (:func:`mask_personal`): mainland mobile numbers keep their
first three and last four digits (``138****5678``), ID numbers their first and last four
characters, bank account numbers (16–19 digits) their first and last four. The JSON and text
log formatters of :mod:`app.observe.logs` run :func:`scrub` on every message and field.

Only the standard library is used here (gunicorn.conf.py imports it).
"""

from __future__ import annotations

import logging
import re

REDACTED = "<redacted>"
_SECRET_SEGMENT = re.compile(r"(/(?:s|sign|set|reset|invite)/)[^/?#\s\"'\x1b]+")
# the SMS providers' receipt callbacks carry the platform's callback secret as the last segment
_CALLBACK_SECRET = re.compile(r"(/sms/receipts/[^/?#\s\"'\x1b]*/)[^/?#\s\"'\x1b]+")
_SECRET_QUERY = re.compile(r"([?&;](?:token|code|session)=)[^&#\s\"'\x1b]+", re.IGNORECASE)


# Not part of a longer run of digits or letters (hashes, serial numbers stay as they are).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_BANK_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{8,11}(\d{4})(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![0-9A-Za-z])((?:\+?86[- ]?)?1[3-9]\d)\d{4}(\d{4})(?![0-9A-Za-z])")


def redact(text: str) -> str:
    """``text`` with one-time link tokens replaced by ``<redacted>``."""
    text = _CALLBACK_SECRET.sub(r"\g<1>" + REDACTED, text)
    return _SECRET_QUERY.sub(r"\g<1>" + REDACTED, _SECRET_SEGMENT.sub(r"\g<1>" + REDACTED, text))


def mask_personal(text: str) -> str:
    """``text`` with phone, ID and bank account numbers masked (as the pages show them)."""
    text = _ID_NUMBER.sub(r"\g<1>**********\g<2>", text)
    text = _BANK_NUMBER.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 8) + m.group(2), text)
    return _PHONE.sub(r"\g<1>****\g<2>", text)


def scrub(value: object) -> object:
    """``value`` with tokens redacted and personal data masked in every string it holds
    (dicts, lists and tuples walked; other values unchanged)."""
    if isinstance(value, str):
        return mask_personal(redact(value))
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value


class RedactTokens(logging.Filter):
    """A logging filter that redacts tokens and masks personal data in the formatted message
    (never drops records)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logging's problem, not ours
            return True
        clean = mask_personal(redact(message))
        if clean != message:
            record.msg, record.args = clean, None
        return True


def install(*logger_names: str) -> None:
    """Add the filter to the named loggers (once each)."""
    for name in logger_names:
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in target.filters):
            target.addFilter(RedactTokens())
