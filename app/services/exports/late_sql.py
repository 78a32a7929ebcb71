"""Filing deadlines as SQL expressions, so that the late list is selected, counted and paged by
the database (:mod:`.late`) with the same results as :func:`.deadlines.deadline` per record.

- The days allowed: a ``CASE`` over the employer's region code, the longest configured prefix
  first, else the default (``FILING_REGISTER_DAYS`` / ``FILING_DEREGISTER_DAYS``).
- The days taken: the Beijing calendar day of ``filings.archived_at`` minus the event day —
  the contract's ``term_start`` (registration) or the termination's ``last_working_day``
  (deregistration), both ``YYYY-MM-DD`` in the terms. A filing is late when the days taken
  exceed the days allowed ("以内": day N is on time); a filing without a readable event day
  has no deadline (NULL), as in the Python reading (:func:`.deadlines.event_date`): only a
  real ``YYYY-MM-DD`` date is a day (:func:`event_as_date`) — ``2026-02-30``, ``20261101``
  or year 0000 are none on SQLite, PostgreSQL and in Python alike, and never fail the
  statement.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import Date, Integer, and_, case, cast, func, literal, literal_column, null, text
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.models import Contract, Organization
from app.services.exports import deadlines

#: ``YYYY-MM-DD`` with a month 01–12, a day 01–31 and a year from 0001 (PostgreSQL ARE)
ISO_DAY = r"^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def allowed_days(kind: str) -> ColumnElement[int]:
    """The deadline in days of ``kind`` (registration | deregistration) for the filing's
    employer, resolved from the settings into the statement."""
    default, overrides = deadlines.SETTINGS[kind]
    table = deadlines.parse_overrides(current_app.config.get(overrides, ""))
    fallback = int(current_app.config[default])
    if not table:
        return literal(fallback, Integer)
    whens = [(Organization.region_code.startswith(prefix, autoescape=True), days)
             for prefix, days in sorted(table.items(), key=lambda item: -len(item[0]))]
    return case(*whens, else_=fallback)


def event_day() -> ColumnElement[str]:
    """The event day's text: ``term_start`` of a contract, ``last_working_day`` of a
    termination."""
    return case((Contract.document_kind == "termination",
                 Contract.terms["last_working_day"].as_string()),
                else_=Contract.terms["term_start"].as_string())


def allowed() -> ColumnElement[int]:
    """The days allowed, by the filing's kind (the contract's or termination's row)."""
    return case((Contract.document_kind == "termination", allowed_days("deregistration")),
                else_=allowed_days("registration"))


def event_as_date(event) -> ColumnElement:
    """PostgreSQL: the ``event`` text as a date when it is a real ``YYYY-MM-DD`` day, else
    NULL — never an error. The text is not cast: the date is built from its digits once the
    pattern matched (nested ``CASE``: evaluated in order), and the day must not exceed the
    month's length (February 29 only in leap years)."""
    year, month, day = (cast(func.substr(event, start, size), Integer)
                        for start, size in ((1, 4), (6, 2), (9, 2)))
    first = func.make_date(year, month, 1)
    length = cast(first + literal_column("interval '1 month'"), Date) - first
    return case((event.regexp_match(ISO_DAY),
                 case((day <= length, first + (day - 1)), else_=null())), else_=null())


def days_taken(archived_at, event) -> ColumnElement[int]:
    """Days from the ``event`` day's text to the Beijing day of ``archived_at`` (NULL: no
    real event day, :func:`.deadlines.event_date`)."""
    if db.session.get_bind().dialect.name == "postgresql":
        filed = cast(func.timezone("Asia/Shanghai", archived_at), Date)
        return filed - event_as_date(event)
    # SQLite reads more than days (julian day numbers, times, overflowing days: 02-30 is
    # 03-02 once a modifier applies); a real day is one date(…, '+0 days') gives back
    # unchanged, from year 0001
    real = and_(func.date(event, "+0 days") == event, event >= "0001")
    filed_day = func.julianday(func.date(archived_at, "+8 hours"))
    return case((real, cast(filed_day - func.julianday(event), Integer)), else_=null())


def plan_per_period() -> None:
    """On PostgreSQL, plan the late list for its own period until the transaction ends
    (``SET LOCAL plan_cache_mode = force_custom_plan``): psycopg prepares a statement after
    five runs, and the generic plan PostgreSQL then reuses for any period was measured twice
    as slow for a year (700 ms against 350 ms on 200,000 filings, ``bench/late_filings.py``)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
