"""Typed input: what a person may type into a text, date, money or whole-number field.

Values arrive from HTML forms (always strings) or JSON (any type). Nothing is coerced with
``str()``: a list, object, number or boolean where text is expected is an error, and so are
control characters, NUL and lone surrogates (which PostgreSQL or the PDF could not store).
Each function returns ``(value, problem)``: the clean value, or a Chinese message (a gettext
msgid with named placeholders) saying what is wrong.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MONEY_RE = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,2})?$")
INT_RE = re.compile(r"^[+]?[0-9]{1,6}$")
# Invisible formatting: zero-width characters, bidi embeddings/overrides/isolates, BOM.
INVISIBLE = frozenset([*map(chr, range(0x200B, 0x2010)), *map(chr, range(0x202A, 0x202F)),
                       *map(chr, range(0x2060, 0x206A)), "\ufeff"])


class Msg(str):
    """A message in Chinese that remembers its gettext msgid and named parameters, so that
    the app can show it in the reader's language. Parameters that are themselves ``Msg``
    (field labels) are translated too. Compares and prints as the Chinese text.
    """

    template: str
    params: dict

    def __new__(cls, template: str, **params: object) -> Msg:
        obj = super().__new__(cls, template % params if params else template)
        obj.template, obj.params = template, params
        return obj
MULTILINE_OK = {"\n", "\r", "\t"}

NOT_TEXT = "%(label)s应为文本"
BAD_CHARACTERS = "%(label)s含有不允许的控制字符"
TOO_LONG = "%(label)s不能超过%(limit)s个字"
BAD_DATE = "%(label)s格式应为 YYYY-MM-DD"
BAD_MONEY = "%(label)s应为不小于0、最多两位小数的金额"
MONEY_TOO_LARGE = "%(label)s不能超过%(limit)s元"
BAD_INTEGER = "%(label)s应为整数"


def bad_character(text: str, *, multiline: bool = False) -> bool:
    """True when ``text`` holds a control character (newlines and tabs allowed in multi-line
    fields), a lone surrogate, an unassigned/private code point, or an invisible formatting
    character (zero-width, bidi override, BOM: text that reads differently than it shows)."""
    for ch in text:
        if multiline and ch in MULTILINE_OK:
            continue
        if ch in INVISIBLE or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
            return True
    return False


def text(value: object, *, limit: int, multiline: bool = False) -> tuple[str, str | None]:
    """A stripped text of at most ``limit`` characters (``None`` counts as empty)."""
    if value is None:
        return "", None
    if not isinstance(value, str):
        return "", NOT_TEXT
    if bad_character(value, multiline=multiline):
        return value, BAD_CHARACTERS
    value = value.strip()
    if len(value) > limit:
        return value, TOO_LONG
    return value, None


def iso_date(value: object) -> tuple[date | None, str | None]:
    """A date written exactly ``YYYY-MM-DD`` (``20261201`` is not accepted)."""
    if isinstance(value, str) and DATE_RE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip()), None
        except ValueError:
            pass
    return None, BAD_DATE


def money(value: object, *, maximum: Decimal) -> tuple[Decimal | None, str | None]:
    """A non-negative amount in yuan with at most two decimals, at most ``maximum``.

    Accepts a string (``"6,000.50"``) or a JSON number written with at most two decimals;
    not a boolean, not ``1e30``.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None, BAD_MONEY
    raw = repr(value) if not isinstance(value, str) else value.strip().replace(",", "")
    if not MONEY_RE.match(raw):
        return None, BAD_MONEY
    amount = Decimal(raw).quantize(Decimal("0.01"))
    if amount > maximum:
        return None, MONEY_TOO_LARGE
    return amount, None


def integer(value: object) -> tuple[int | None, str | None]:
    """A whole number typed as digits or given as a JSON integer (not a boolean)."""
    if isinstance(value, bool):
        return None, BAD_INTEGER
    if isinstance(value, int):
        return value, None
    if isinstance(value, str) and INT_RE.match(value.strip()):
        return int(value.strip()), None
    return None, BAD_INTEGER
