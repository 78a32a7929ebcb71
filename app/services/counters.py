"""Named counters allocated inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Counter


def next_value(name: str) -> int:
    """Increment and return counter ``name``; the row lock serialises concurrent callers."""
    result = db.session.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
    )
    if result.rowcount == 0:
        try:
            with db.session.begin_nested():
                db.session.add(Counter(name=name, value=1))
            return 1
        except IntegrityError:
            db.session.execute(
                update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
            )
    return db.session.scalar(select(Counter.value).where(Counter.name == name))
