"""Text messages about accounts (invitations, reset links, review results), sent by a durable job.

The phone number and the text (which may carry a one-time link) are stored encrypted in the
job's payload and decrypted only by the handler that hands them to the SMS gateway
(:mod:`app.services.messaging`).
"""

from __future__ import annotations

from app.models import User
from app.services.messaging import outbox

SMS_JOB = outbox.SMS_JOB  # the one text-message job (handled by messaging.send_queued_sms)


def queue_sms(phone: str, text: str) -> None:
    """Queue ``text`` to ``phone`` in the caller's transaction."""
    outbox.queue_to_phone(phone, text)


def queue_sms_to_user(user: User, text: str) -> bool:
    """Queue ``text`` to the user's registered phone; False when they have none."""
    if not user.phone_enc:
        return False
    outbox.queue(user.phone_enc, text)
    return True
