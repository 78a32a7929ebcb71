"""Text messages about accounts (invitations, reset links, review results), sent by a durable job.

The phone number and the text (which may carry a one-time link) are stored encrypted in the
job's payload and decrypted only by the handler that hands them to the SMS gateway.
"""

from __future__ import annotations

from app import pii
from app.models import User
from app.services.platform import jobs

SMS_JOB = "sms"  # the one text-message job (handled by invites.send_queued_sms)


def queue_sms(phone: str, text: str) -> None:
    """Queue ``text`` to ``phone`` in the caller's transaction."""
    jobs.enqueue(SMS_JOB, {"to_enc": pii.encrypt(phone), "text_enc": pii.encrypt(text)})


def queue_sms_to_user(user: User, text: str) -> bool:
    """Queue ``text`` to the user's registered phone; False when they have none."""
    if not user.phone_enc:
        return False
    jobs.enqueue(SMS_JOB, {"to_enc": user.phone_enc, "text_enc": pii.encrypt(text)})
    return True
