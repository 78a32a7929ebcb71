"""Message kinds: which provider template a text uses, derived from its Chinese template.

:mod:`app.services.wiring` registers every SMS template of the contexts with its kind in one
mapping (``SMS_KINDS``). A :class:`~app.domain.typed.Msg` names its template and parameters;
a plain text (queued by a context as a formatted string) is matched against the registered
templates, most specific first, and its parameters are read back from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.domain.typed import Msg

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
OTHER = "other"  # a text no registered template produced (no provider template)
#: the kinds someone can make us send again and again (a code request, a reset request, an
#: employer's reminder): only these count against ``SMS_NUMBER_LIMIT`` and
#: ``SMS_CONTRACT_LIMIT``. Notices with legal weight (filed, certificate, withdrawn,
#: invitations, expiry) are never dropped by a limit.
LIMITED = frozenset({"sign_code", "portal_code", "password_reset", "reminder"})


@dataclass(frozen=True)
class Kind:
    """A registered template: its kind, placeholder names (in order) and matching pattern."""

    kind: str
    template: str
    names: tuple[str, ...]
    pattern: re.Pattern


_BY_TEMPLATE: dict[str, Kind] = {}
_ORDERED: list[Kind] = []


def register(kind: str, template: str) -> None:
    """Send texts of ``template`` with the provider template of ``kind``.

    :raises ValueError: ``template`` is registered with another kind.
    """
    known = _BY_TEMPLATE.get(template)
    if known is not None:
        if known.kind != kind:
            raise ValueError(f"SMS template already registered as {known.kind!r}")
        return
    parts, names, last = [], [], 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last:match.start()]))
        parts.append(f"(?P<{match.group(1)}>.+?)")
        names.append(match.group(1))
        last = match.end()
    parts.append(re.escape(template[last:]))
    entry = Kind(kind, template, tuple(names), re.compile("^" + "".join(parts) + "$", re.S))
    _BY_TEMPLATE[template] = entry
    _ORDERED.append(entry)
    # most literal text first: "…邀请您签署劳动合同…" before "…邀请您签署%(title)s…"
    _ORDERED.sort(key=lambda e: -len(_PLACEHOLDER.sub("", e.template)))


def kinds() -> list[str]:
    """Every registered kind, sorted (the template settings name them)."""
    return sorted({entry.kind for entry in _ORDERED})


def names_of(kind: str) -> tuple[str, ...]:
    """The parameter names of ``kind``'s template, in the order its text uses them."""
    return next((entry.names for entry in _ORDERED if entry.kind == kind), ())


def classify(text: str) -> tuple[str, dict[str, str], tuple[str, ...]]:
    """``(kind, params, order)`` of a text: from the ``Msg`` itself, else by matching the
    registered templates; ``("other", {}, ())`` when none produced it."""
    if isinstance(text, Msg) and text.template in _BY_TEMPLATE:
        entry = _BY_TEMPLATE[text.template]
        return entry.kind, {k: f"{v}" for k, v in text.params.items()}, entry.names
    for entry in _ORDERED:
        match = entry.pattern.match(text)
        if match:
            return entry.kind, match.groupdict(), entry.names
    return OTHER, {}, ()


def limited(kind: str) -> bool:
    """Whether texts of ``kind`` count against the per-number and per-contract limits."""
    return kind in LIMITED
