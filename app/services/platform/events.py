"""Domain events inside one transaction: a context announces what happened; the contexts that
react subscribe at start-up (:mod:`app.services.wiring`), so the one announcing never imports
them.

Handlers run at once, in the announcing use case's transaction (they add rows, never commit):
what they write commits, or rolls back, with the change that caused it. Work that may fail or
take long is queued as a job by the handler (the transactional outbox), not done in it.

Events:

* ``audit.recorded(contract_id, action, details)`` — an audit record was appended (webhooks);
* ``document.filed(document)`` — a lifecycle document (amendment, termination, certificate)
  was filed (a termination ends its contract).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_SUBSCRIBERS: dict[str, list[Callable[..., None]]] = {}


def subscribe(event: str, handler: Callable[..., None]) -> None:
    """Call ``handler(**data)`` whenever ``event`` is published (once, however often the app
    is created)."""
    handlers = _SUBSCRIBERS.setdefault(event, [])
    if handler not in handlers:
        handlers.append(handler)


def publish(event: str, **data: Any) -> None:
    """Run every handler of ``event`` with ``data`` (part of the caller's transaction)."""
    for handler in _SUBSCRIBERS.get(event, ()):
        handler(**data)
