"""A contract's life after sending: voided, link resent, declined, reminders to sign,
amendment, renewal, termination with its certificate, expiry notices, and actions on many
contracts at once.

Its use cases (each one transaction; job handlers and event subscribers run in the
transaction of the job or event) are listed in ``__all__`` below; reads and helpers are
in its modules.
"""

from __future__ import annotations

from app.services.lifecycle.amendment import amend
from app.services.lifecycle.bulk_actions import apply as apply_bulk_action
from app.services.lifecycle.certificate import issue_certificate
from app.services.lifecycle.expiry import remind_expiring
from app.services.lifecycle.lifecycle import decline_contract, resend_link, void_contract
from app.services.lifecycle.reminders import remind_unsigned
from app.services.lifecycle.reminders import set_schedule as set_reminder_schedule
from app.services.lifecycle.renewal import renew_contract
from app.services.lifecycle.termination import on_filed as end_on_filed_termination
from app.services.lifecycle.termination import terminate

__all__ = [
    "void_contract",
    "resend_link",
    "decline_contract",
    "set_reminder_schedule",
    "remind_unsigned",
    "amend",
    "renew_contract",
    "terminate",
    "end_on_filed_termination",
    "issue_certificate",
    "remind_expiring",
    "apply_bulk_action",
]
