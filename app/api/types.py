"""Strict field types of the API bodies: shape only, no coercion, the domain's rules.

A string field takes a JSON string and nothing else (no list, object, number or boolean), up
to its length, without the characters :func:`app.domain.typed.bad_character` refuses (control
characters — multi-line texts may hold line breaks and tabs —, lone surrogates, unassigned and
private code points). Dates are exactly ``YYYY-MM-DD``; amounts are decimal strings or JSON
numbers with at most two decimals, up to :data:`app.domain.terms.MAX_MONTHLY_WAGE`; small
integers are JSON integers (or their ASCII digits as a string, as an HTML form sends them)
within their bounds. The labor-law checks (minimum wage, probation, ID check digits) follow in
:mod:`app.domain.terms`.

:data:`MESSAGES` maps each error type to the gettext msgid shown for it; most are the domain's
own (:mod:`app.domain.typed`), so the API and the web forms say the same thing.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, Field, PlainValidator, Strict, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from app.domain import typed
from app.domain.terms import MAX_MONTHLY_WAGE
from app.domain.typed import Msg

AMOUNT_MAX = MAX_MONTHLY_WAGE
_AMOUNT_RE = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,2})?")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The character rules for the OpenAPI document (ECMA-262; unassigned and private code points,
# which no regular expression there can name, are refused by the server only).
_LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
_TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
_AMOUNT_PATTERN = r"^[0-9]{1,9}(\.[0-9]{1,2})?$"
_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

# error type -> Chinese msgid; %(label)s is the field's label, the rest comes from the error
MESSAGES = {
    "missing": "请填写%(label)s",
    "string_type": typed.NOT_TEXT,
    "string_too_long": typed.TOO_LONG,
    "control_character": typed.BAD_CHARACTERS,
    "string_unicode": typed.BAD_CHARACTERS,
    "date_format": typed.BAD_DATE,
    "amount_format": typed.BAD_MONEY,
    "amount_range": typed.MONEY_TOO_LARGE,
    "int_type": typed.BAD_INTEGER,
    "int_range": "%(label)s应为%(low)s到%(high)s之间的整数",
    "bool_type": "%(label)s应为 true 或 false",
    "literal_error": "%(label)s只能是：%(expected)s",
    "string_pattern_mismatch": "%(label)s格式不正确",
    "extra_forbidden": "不支持的字段",
}
FALLBACK_MESSAGE = "%(label)s格式不正确"


def _error(kind: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, MESSAGES[kind].replace("%(label)s", ""), ctx or None)


def _line(value: str) -> str:
    if typed.bad_character(value):
        raise _error("control_character")
    return value


def _multiline(value: str) -> str:
    if typed.bad_character(value, multiline=True):
        raise _error("control_character")
    return value


def Text(max_length: int, *, multiline: bool = False, description: str = "") -> Any:  # noqa: N802
    """A JSON string of at most ``max_length`` characters without control characters.

    :param multiline: allow line breaks and tabs (texts typed in a text area).
    """
    return Annotated[
        str, Strict(), StringConstraints(max_length=max_length),
        AfterValidator(_multiline if multiline else _line),
        Field(description=description or None,
              json_schema_extra={"pattern": _TEXT_PATTERN if multiline else _LINE_PATTERN}),
    ]


def _date(value: Any) -> str:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise _error("date_format")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise _error("date_format") from None
    return value


def IsoDate(description: str = "") -> Any:  # noqa: N802
    """A calendar date as the string ``YYYY-MM-DD`` (``20261201`` and datetimes are refused)."""
    schema = {"type": "string", "format": "date", "pattern": _DATE_PATTERN}
    if description:
        schema["description"] = description
    return Annotated[str, PlainValidator(_date), WithJsonSchema(schema)]


def _amount(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _error("amount_format")
    text = value if isinstance(value, str) else repr(value)  # repr(1e30) == "1e+30": refused
    if not _AMOUNT_RE.fullmatch(text):
        raise _error("amount_format")
    if Decimal(text) > AMOUNT_MAX:
        raise _error("amount_range", limit=str(AMOUNT_MAX))
    return text


def Amount(description: str = "") -> Any:  # noqa: N802
    """An amount of yuan: ``"6000.50"`` or ``6000.5``; at most 2 decimals, 0 to AMOUNT_MAX.

    Validated to the decimal string the domain layer reads.
    """
    limits = Msg("最多两位小数，不超过%(limit)s", limit=AMOUNT_MAX)
    schema = {"description": f"{description}（{limits}）" if description else limits, "anyOf": [
        {"type": "string", "pattern": _AMOUNT_PATTERN},
        {"type": "number", "minimum": 0, "maximum": float(AMOUNT_MAX), "multipleOf": 0.01}]}
    return Annotated[str, PlainValidator(_amount), WithJsonSchema(schema)]


def BoundedInt(low: int, high: int, *, pattern: str, description: str = "") -> Any:  # noqa: N802
    """An integer from ``low`` to ``high``: a JSON integer, or its ASCII digits as a string.

    :param pattern: the regular expression of the string form (the same range in digits).
    """
    digits = re.compile(pattern)

    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str) or (
                isinstance(value, str) and not (value.isascii() and value.isdigit())):
            raise _error("int_type")
        if not (digits.fullmatch(value) if isinstance(value, str) else low <= value <= high):
            raise _error("int_range", low=low, high=high)
        return int(value)

    schema = {"anyOf": [{"type": "integer", "minimum": low, "maximum": high},
                        {"type": "string", "pattern": f"^({pattern})$"}]}
    if description:
        schema["description"] = description
    return Annotated[int, PlainValidator(check), WithJsonSchema(schema)]
