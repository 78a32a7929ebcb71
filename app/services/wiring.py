"""Start-up wiring of the contexts: every job kind's handler and every event subscriber, in
one place. :func:`init_app` is called by :func:`app.create_app`.

A context that reacts to another's event subscribes here instead of being imported by it
(:mod:`app.services.platform.events`), so that the import graph between contexts stays acyclic.
A new kind of job: write an idempotent handler ``fn(payload: dict) -> None`` next to the use
case that queues it, and register it in :data:`JOB_KINDS`.
"""

from __future__ import annotations

from flask import Flask

from app.services.batches import batches
from app.services.contracts import invites
from app.services.filing import filing
from app.services.lifecycle import certificate, termination
from app.services.platform import events, jobs, webhook_delivery, webhooks
from app.services.worker_signing import link_expiry

#: job kind -> its handler
JOB_KINDS = {
    "batch_row": batches.run_row,  # one roster row: create, seal and send its contract
    "file_contract": filing.file_contract,  # archive + Filing after the last signature
    "issue_certificate": certificate.issue_certificate,  # art. 50, after a termination
    "link_expired": link_expiry.tell_expired,  # a signing link ran out unsigned
    "sms": invites.send_queued_sms,  # a text message to a contract's worker
    "webhook": webhook_delivery.deliver,  # one attempt of a webhook delivery
}

#: event -> its subscribers, in order
SUBSCRIBERS = {
    "audit.recorded": (webhooks.on_audit,),  # the employer's systems are told
    "document.filed": (termination.on_filed,),  # a filed termination ends its contract
}


def init_app(app: Flask) -> None:
    """Register every job handler and event subscriber, and the inline job hook."""
    for kind, handler in JOB_KINDS.items():
        jobs.register(kind, handler)
    for event, handlers in SUBSCRIBERS.items():
        for handler in handlers:
            events.subscribe(event, handler)
    jobs.init_app(app)
