"""Text messages: queueing (a durable job and a delivery-log row in the caller's
transaction), sending through the primary provider with a fallback and send limits, the
providers' delivery receipts, and the delivery log."""

from app.services.messaging.delivery import send_queued_sms
from app.services.messaging.receipts import record_receipts

__all__ = ["record_receipts", "send_queued_sms"]
