"""The worker's path on a phone: open the texted link, prove identity by name, ID number and
an SMS code, read the contract in their language, draw a signature and sign; links that ran
out unsigned are told once.

Its use cases (each one transaction; job handlers and event subscribers run in the
transaction of the job or event) are listed in ``__all__`` below; reads and helpers are
in its modules.
"""

from __future__ import annotations

from app.services.worker_signing.link_expiry import report_expired as report_expired_links
from app.services.worker_signing.link_expiry import tell_expired as tell_expired_link
from app.services.worker_signing.worker_signing import request_otp, sign, verify_otp

__all__ = [
    "request_otp",
    "verify_otp",
    "sign",
    "report_expired_links",
    "tell_expired_link",
]
