"""Log lines as text or JSON, with the request id, never a token or personal data.

``LOG_FORMAT=json``: every line is one JSON object (python-json-logger) with ``time``,
``level``, ``logger``, ``message``, ``request_id`` and the record's extra fields (a request's
line adds ``method``, ``endpoint``, ``status``, ``duration``). ``LOG_FORMAT=text`` (the
embedded default): ``time level logger [request id] message``. Both formatters pass the
message and every field through :func:`app.logging_redact.scrub` (one-time link tokens
redacted; phones, ID and bank numbers masked). gunicorn's logs use the same formatters
(``gunicorn.conf.py``).
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from app.logging_redact import scrub
from app.observe import context

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class JsonLogFormatter(JsonFormatter):
    """One JSON object a line: time, level, logger, message, request_id, extra fields."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s",
                         rename_fields={"asctime": "time", "levelname": "level",
                                        "name": "logger"},
                         json_ensure_ascii=False)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        """ISO 8601 in UTC with milliseconds, e.g. ``2026-12-01T02:03:04.567+00:00``."""
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        """Add the current request id (unless the record names one); scrub every value."""
        if not log_data.get("request_id"):
            log_data["request_id"] = context.current()
        return {key: _clean(value) for key, value in log_data.items()}


def _clean(value: Any) -> Any:
    """A JSON-ready, scrubbed copy of ``value``: other objects as their (scrubbed) text, and
    a number that reads as personal data as its masked text."""
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, int):
        masked = scrub(f"{value}")
        return value if masked == f"{value}" else masked
    if isinstance(value, dict):
        return {f"{key}": _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_clean(item) for item in value]
    return scrub(value if isinstance(value, str) else f"{value}")


class TextLogFormatter(logging.Formatter):
    """The classic one-line text format, with the request id ("-" outside requests), scrubbed."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        """The formatted line with tokens redacted and personal data masked."""
        if not getattr(record, "request_id", None):
            record.request_id = context.current() or "-"
        return str(scrub(super().format(record)))


def formatter(log_format: str) -> logging.Formatter:
    """The formatter of ``log_format`` ("text" or "json").

    :raises ValueError: another format, naming the setting.
    """
    if log_format == "json":
        return JsonLogFormatter()
    if log_format == "text":
        return TextLogFormatter()
    raise ValueError(f"LOG_FORMAT must be one of {FORMATS}, not {log_format!r}")


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (pytest's capture too)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):  # noqa: ANN201 - the logging module's own attribute
        """The current ``sys.stderr``."""
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:  # noqa: ANN001 - set by StreamHandler.__init__
        pass


def _from_basic_config(handler: logging.Handler) -> bool:
    """A handler :func:`logging.basicConfig` made: a plain StreamHandler on stderr."""
    return type(handler) is logging.StreamHandler and handler.stream in (sys.stderr,
                                                                           sys.__stderr__)


def _ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if isinstance(h, StderrHandler)]


def configure(log_format: str, level: str = "INFO") -> None:
    """Send the root logger's records to stderr in ``log_format`` at ``level``.

    The plain stderr handler of :func:`logging.basicConfig` is replaced; other handlers of
    the root logger (a test runner's) are kept, and in text mode with such handlers nothing
    is changed (as basicConfig would); JSON mode always installs its handler (once).

    :raises ValueError: unknown format or level, naming the setting.
    """
    chosen = formatter(log_format)
    if not isinstance(logging.getLevelName(level), int):
        raise ValueError(f"LOG_LEVEL must be a logging level such as INFO, not {level!r}")
    root = logging.getLogger()
    for plain in [h for h in root.handlers if _from_basic_config(h)]:
        root.removeHandler(plain)  # replaced by ours below
    ours = _ours()
    if not ours and root.handlers and log_format == "text":
        return
    handler = ours[0] if ours else StderrHandler()
    handler.setFormatter(chosen)
    if not ours:
        root.addHandler(handler)
    root.setLevel(level)


def uninstall() -> None:
    """Remove the handler :func:`configure` installed (tests)."""
    for handler in _ours():
        logging.getLogger().removeHandler(handler)
