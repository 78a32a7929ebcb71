"""Pluggable SMS gateways: "file" (embedded default) and "log"; the app's own one is
``app.extensions.sms_ext.gateway()``, chosen by ``SMS_BACKEND``. No Flask here."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

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


#: ``SMS_BACKEND`` -> the gateway it builds from the app's config
BACKENDS: dict[str, Callable[[Mapping], SmsGateway]] = {
    "file": lambda config: FileSmsGateway(config["SMS_OUTBOX"]),
    "log": lambda config: LogSmsGateway(),
}
