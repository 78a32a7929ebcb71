"""Every job kind and its handler, in one place (fed to :mod:`app.services.jobs` by create_app).

A new kind of job: write an idempotent handler ``fn(payload: dict) -> None`` next to the use
case that queues it, and add it here.
"""

from __future__ import annotations

from collections.abc import Callable


def all_handlers() -> dict[str, Callable[[dict], None]]:
    """``kind -> handler`` for every job the platform queues."""
    from app.services import (
        batches,
        certificate,
        filing,
        invites,
        link_expiry,
        webhook_delivery,
    )

    return {
        "batch_row": batches.run_row,  # one roster row: create, seal and send its contract
        "file_contract": filing.file_contract,  # archive + Filing after the last signature
        "issue_certificate": certificate.issue_certificate,  # art. 50, after a termination
        "link_expired": link_expiry.tell_expired,  # a signing link ran out unsigned
        "sms": invites.send_queued_sms,  # a text message to a contract's worker
        "webhook": webhook_delivery.deliver,  # one attempt of a webhook delivery
    }
