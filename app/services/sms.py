"""Pluggable SMS gateways: "file" (embedded default) and "log"."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

from app.domain.ids import mask_phone

log = logging.getLogger(__name__)


class SmsGateway:
    """Interface: send one text message to one mobile number."""

    def send(self, to: str, text: str) -> None:
        """Deliver ``text`` to ``to``; raises on failure."""
        raise NotImplementedError


class FileSmsGateway(SmsGateway):
    """Appends JSON lines ``{"to", "text", "at"}`` to a file (the demo's "phone")."""

    _lock = threading.Lock()

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def send(self, to: str, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"to": to, "text": text, "at": datetime.now(UTC).isoformat()}, ensure_ascii=False
        )
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        log.info("sms queued to %s", mask_phone(to))


class LogSmsGateway(SmsGateway):
    """Only logs that a message was sent (phone masked, text withheld)."""

    def send(self, to: str, text: str) -> None:
        log.info("sms to %s (%d chars)", mask_phone(to), len(text))


def gateway() -> SmsGateway:
    """The configured gateway of the current app (the ``sms_ext`` extension's)."""
    from app.extensions import sms_ext

    return sms_ext.gateway(current_app)
