"""The gateway interface, the message a gateway delivers and the errors it raises."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: why a provider did not take a message:
#: ``throttled`` (our account or the API is rate limited: another provider may send it),
#: ``number_throttled`` (the provider's or carrier's limit for this one number: retried later,
#: never dodged through another provider), ``template`` (template or signature name missing,
#: unapproved or wrong parameters), ``auth`` (the provider refused our credentials or request
#: signature), ``rejected`` (the number itself: invalid, blacklisted), ``unavailable``
#: (connection error, timeout, 5xx, an answer we cannot read, account out of service)
REASONS = ("throttled", "number_throttled", "template", "auth", "rejected", "unavailable")
#: the code of a message whose kind has no template at this provider (a setting is missing)
NO_TEMPLATE = "no_template"
_TEMPLATE_ITEM = re.compile(r"^([a-z_]+)\s*[=:]\s*(\S+)$")


class SmsConfigError(ValueError):
    """The SMS settings are unusable (unknown backend, missing credentials)."""


class SmsError(Exception):
    """A provider did not take the message.

    :param reason: one of :data:`REASONS`.
    :param code: the provider's own error code (e.g. ``isv.BUSINESS_LIMIT_CONTROL``).
    """

    def __init__(self, reason: str, code: str, message: str = ""):
        if reason not in REASONS:
            raise ValueError(f"unknown SMS failure reason {reason!r}")
        super().__init__(f"{reason}: {code}" + (f" ({message})" if message else ""))
        self.reason, self.code = reason, code


@dataclass(frozen=True)
class OutgoingSms:
    """One text to one number: the Chinese ``text`` (file/log backends) and the template
    ``kind`` with its named ``params`` (provider backends); ``ref`` is our own id of the
    message (sent as the provider's out id / session context)."""

    to: str
    text: str
    kind: str = "other"
    params: dict[str, str] = field(default_factory=dict)
    ref: str = ""
    #: the parameter names in the order the Chinese template uses them (Tencent's
    #: templates take positional parameters {1}, {2}, ...)
    order: tuple[str, ...] = ()

    def __repr__(self) -> str:  # never the number, the text or the parameters (codes, links)
        return f"OutgoingSms(kind={self.kind!r}, ref={self.ref!r})"


class SmsGateway:
    """Interface: send one text message to one mobile number."""

    #: the provider's name in the delivery log and the metrics
    name = "gateway"

    def send(self, to: str, text: str) -> None:
        """Deliver ``text`` to ``to``; raises on failure."""
        raise NotImplementedError

    def deliver(self, message: OutgoingSms) -> str | None:
        """Deliver ``message``; returns the provider's message id (None: the provider has
        none). The default sends the plain text with :meth:`send`.

        :raises SmsError: the provider did not take the message.
        """
        self.send(message.to, message.text)
        return None


def parse_templates(text: str) -> dict[str, str]:
    """``"invite=SMS_1,sign_code=SMS_2"`` (commas, semicolons or newlines between items)
    → ``{"invite": "SMS_1", "sign_code": "SMS_2"}``.

    :raises ValueError: an item is not ``kind=template_id``.
    """
    templates = {}
    for item in re.split(r"[,;\n]", text or ""):
        if not item.strip():
            continue
        match = _TEMPLATE_ITEM.match(item.strip())
        if match is None:
            raise ValueError(f"expected kind=template_id, got {item.strip()!r}")
        templates[match.group(1)] = match.group(2)
    return templates
