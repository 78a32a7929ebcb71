"""Strict field types of the API bodies: shape only, no coercion.

A string field takes a JSON string and nothing else (no list, object, number or boolean), free
of control characters (multi-line texts may hold ``\\n`` and ``\\t``), invisible formatting
characters (bidi overrides, zero-width spaces) and lone surrogates, up to a length. Dates are
exactly ``YYYY-MM-DD``; amounts are decimal strings or JSON numbers with at most two decimals
up to 9,999,999.99; small integers are JSON integers (or the same digits as a
string, as an HTML form would send them) within their bounds. The labor-law checks (minimum
wage, probation, ID check digits) stay in :mod:`app.domain.terms`.

Each error type below has a gettext msgid in :data:`MESSAGES` (see :mod:`app.api.spec`).
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, Field, PlainValidator, Strict, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

AMOUNT_MAX = Decimal("9999999.99")
_AMOUNT_RE = re.compile(r"[0-9]{1,7}(?:\.[0-9]{1,2})?")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Invisible formatting characters that reorder or hide text (bidi overrides, zero-width
# characters, line separators, BOM): refused like the C0/C1 control characters.
_INVISIBLE = r"\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
_LINE_CLASS = r"\u0000-\u001f\u007f-\u009f" + _INVISIBLE
_TEXT_CLASS = r"\u0000-\u0008\u000b-\u001f\u007f-\u009f" + _INVISIBLE
_CONTROL_LINE = re.compile(f"[{_LINE_CLASS}]")
_CONTROL_TEXT = re.compile(f"[{_TEXT_CLASS}]")
# The same rules for the OpenAPI document (ECMA-262 regular expressions).
_LINE_PATTERN = f"^[^{_LINE_CLASS}]*$"
_TEXT_PATTERN = f"^[^{_TEXT_CLASS}]*$"
_AMOUNT_PATTERN = r"^[0-9]{1,7}(\.[0-9]{1,2})?$"
_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

# error type -> Chinese msgid (placeholders are filled from the error's context)
MESSAGES = {
    "missing": "请填写此项",
    "string_type": "应为字符串",
    "string_too_long": "不能超过%(max_length)s个字符",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不正确",
    "bool_type": "应为 true 或 false",
    "literal_error": "取值只能是：%(expected)s",
    "extra_forbidden": "不支持的字段",
    "control_character": "不能包含控制字符",
    "surrogate": "含有无效的 Unicode 字符",
    "string_unicode": "含有无效的 Unicode 字符",
    "date_format": "日期格式应为 YYYY-MM-DD",
    "date_invalid": "不是有效的日期",
    "amount_type": "金额应为字符串或数字",
    "amount_format": "金额应为不小于0的数字，最多两位小数，如 6000 或 6000.50",
    "amount_range": "金额不能超过9999999.99",
    "int_type": "应为整数",
    "int_range": "应为%(low)s到%(high)s之间的整数",
}
FALLBACK_MESSAGE = "格式不正确"


def _checked_text(value: str, control: re.Pattern) -> str:
    if _SURROGATE.search(value):
        raise PydanticCustomError("surrogate", MESSAGES["surrogate"])
    if control.search(value):
        raise PydanticCustomError("control_character", MESSAGES["control_character"])
    return value


def _line(value: str) -> str:
    return _checked_text(value, _CONTROL_LINE)


def _multiline(value: str) -> str:
    return _checked_text(value, _CONTROL_TEXT)


def Text(max_length: int, *, multiline: bool = False, description: str = "") -> Any:  # noqa: N802
    """A JSON string of at most ``max_length`` characters without control characters.

    :param multiline: allow line feeds and tabs (texts typed in a text area).
    """
    return Annotated[
        str, Strict(), StringConstraints(max_length=max_length),
        AfterValidator(_multiline if multiline else _line),
        Field(description=description or None,
              json_schema_extra={"pattern": _TEXT_PATTERN if multiline else _LINE_PATTERN}),
    ]


def _date(value: str) -> str:
    if not _DATE_RE.fullmatch(value):
        raise PydanticCustomError("date_format", MESSAGES["date_format"])
    try:
        date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_invalid", MESSAGES["date_invalid"]) from None
    return value


def IsoDate(description: str = "") -> Any:  # noqa: N802
    """A calendar date as the string ``YYYY-MM-DD`` (``20261201`` and datetimes are refused)."""
    return Annotated[str, Strict(), StringConstraints(max_length=10), AfterValidator(_date),
                     Field(description=description or None,
                           json_schema_extra={"format": "date", "pattern": _DATE_PATTERN})]


def _amount(value: Any) -> str:
    if isinstance(value, str):
        if not _AMOUNT_RE.fullmatch(value):
            raise PydanticCustomError("amount_format", MESSAGES["amount_format"])
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("amount_type", MESSAGES["amount_type"])
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("amount_format", MESSAGES["amount_format"])
    amount = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    if amount == 0:
        amount = Decimal(0)  # no "-0.0"
    if amount < 0:
        raise PydanticCustomError("amount_format", MESSAGES["amount_format"])
    if amount > AMOUNT_MAX:
        raise PydanticCustomError("amount_range", MESSAGES["amount_range"])
    if amount != amount.quantize(Decimal("0.01")):
        raise PydanticCustomError("amount_format", MESSAGES["amount_format"])
    return format(amount, "f")


def Amount(description: str = "") -> Any:  # noqa: N802
    """An amount of yuan: ``"6000.50"`` or ``6000.5``; at most 2 decimals, 0–9,999,999.99.

    Validated to the decimal string the domain layer reads.
    """
    schema = {"description": description or None, "anyOf": [
        {"type": "string", "pattern": _AMOUNT_PATTERN},
        {"type": "number", "minimum": 0, "maximum": float(AMOUNT_MAX), "multipleOf": 0.01}]}
    return Annotated[str, PlainValidator(_amount),
                     WithJsonSchema({k: v for k, v in schema.items() if v is not None})]


def BoundedInt(low: int, high: int, *, pattern: str, description: str = "") -> Any:  # noqa: N802
    """An integer from ``low`` to ``high``: a JSON integer, or its digits as a string.

    :param pattern: the regular expression of the string form (the same range in digits).
    """
    digits = re.compile(pattern)

    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str) or (
                isinstance(value, str) and not (value.isascii() and value.isdigit())):
            raise PydanticCustomError("int_type", MESSAGES["int_type"])
        if not (digits.fullmatch(value) if isinstance(value, str) else low <= value <= high):
            raise PydanticCustomError("int_range", MESSAGES["int_range"],
                                      {"low": low, "high": high})
        return int(value)

    schema = {"anyOf": [{"type": "integer", "minimum": low, "maximum": high},
                        {"type": "string", "pattern": f"^({pattern})$"}]}
    if description:
        schema["description"] = description
    return Annotated[int, PlainValidator(check), WithJsonSchema(schema)]
