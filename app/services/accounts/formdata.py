"""Reading what a person typed into a form (or a CLI option) for the account services.

Every value must be a string; it is stripped, bounded and free of control characters and
unpaired surrogates. Problems are collected per field so one answer names all of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from app.errors import ValidationFailed

_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
REQUIRED = "此项为必填项"
TOO_LONG = "内容过长"
BAD_CHARS = "含有不允许的字符"
NOT_TEXT = "应为文本"


class Fields:
    """Collects clean values and per-field problems; :meth:`check` raises them all at once."""

    def __init__(self, data: Mapping):
        self.data, self.errors = data, {}

    def text(self, name: str, max_len: int, *, required: bool = True, strip: bool = True) -> str:
        """The string typed for ``name`` ('' when absent and optional)."""
        raw = self.data.get(name, "")
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            self.errors.setdefault(name, NOT_TEXT)
            return ""
        value = raw.strip() if strip else raw
        if _CONTROL.search(value):
            self.errors.setdefault(name, BAD_CHARS)
        elif len(value) > max_len:
            self.errors.setdefault(name, TOO_LONG)
        elif required and not value:
            self.errors.setdefault(name, REQUIRED)
        return value

    def fail(self, name: str, message: str) -> None:
        """Record a problem with ``name`` (the first one per field is kept)."""
        self.errors.setdefault(name, message)

    def check(self, message: str = "请检查标出的项目") -> None:
        """:raises ValidationFailed: when any field has a problem."""
        if self.errors:
            raise ValidationFailed(message, fields=dict(self.errors))
