"""Keep one-time link tokens out of logs.

Signing links (``/s/<token>``, ``/api/v1/sign/<token>/...``), password-reset and invitation
links carry bearer secrets in their path. :class:`RedactTokens` rewrites any log record so the
path segment after ``/s/``, ``/sign/``, ``/set/``, ``/reset/`` or ``/invite/`` (and ``token=`` query
values) reads ``<redacted>``. It is installed on werkzeug's logger (``flask run``) by
create_app and on gunicorn's access and error logs by ``gunicorn.conf.py``.

Only the standard library is used here (gunicorn.conf.py imports it).
"""

from __future__ import annotations

import logging
import re

REDACTED = "<redacted>"
_SECRET_SEGMENT = re.compile(r"(/(?:s|sign|set|reset|invite)/)[^/?#\s\"'\x1b]+")
_SECRET_QUERY = re.compile(r"([?&;](?:token|code|session)=)[^&#\s\"'\x1b]+", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with one-time link tokens replaced by ``<redacted>``."""
    return _SECRET_QUERY.sub(r"\g<1>" + REDACTED, _SECRET_SEGMENT.sub(r"\g<1>" + REDACTED, text))


class RedactTokens(logging.Filter):
    """A logging filter that redacts tokens in the formatted message (never drops records)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logging's problem, not ours
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def install(*logger_names: str) -> None:
    """Add the filter to the named loggers (once each)."""
    for name in logger_names:
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in target.filters):
            target.addFilter(RedactTokens())
