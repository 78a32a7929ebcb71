"""The embedded gateways: "file" (the demo's phone, a JSON-lines file) and "log"."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from app.domain.ids import mask_phone
from app.sms.base import SmsGateway

log = logging.getLogger("app.sms")


class FileSmsGateway(SmsGateway):
    """Appends JSON lines ``{"to", "text", "at"}`` to a file (the demo's "phone")."""

    name = "file"
    _lock = threading.Lock()

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def send(self, to: str, text: str) -> None:
        """Append the message to the outbox file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"to": to, "text": text, "at": datetime.now(UTC).isoformat()}, ensure_ascii=False
        )
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        log.info("sms queued to %s", mask_phone(to))


class LogSmsGateway(SmsGateway):
    """Only logs that a message was sent (phone masked, text withheld)."""

    name = "log"

    def send(self, to: str, text: str) -> None:
        """Log the masked number and the text's length."""
        log.info("sms to %s (%d chars)", mask_phone(to), len(text))
