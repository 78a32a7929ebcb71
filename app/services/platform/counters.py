"""Named counters allocated inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Counter


def next_value(name: str) -> int:
    """Increment and return counter ``name``; the row lock serialises concurrent callers.

    One statement when the counter exists (``UPDATE ... RETURNING``).
    """
    bump = update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
    value = db.session.scalar(bump.returning(Counter.value))
    if value is not None:
        return value
    try:
        with db.session.begin_nested():
            db.session.add(Counter(name=name, value=1))
        return 1
    except IntegrityError:  # created by a concurrent caller meanwhile
        return db.session.scalar(bump.returning(Counter.value))


def lock(name: str) -> int:
    """Take counter ``name``'s row write lock (held until the transaction ends) and return
    its value, creating the counter at 0 when missing. Callers holding it run one after the
    other (PostgreSQL: the row lock; SQLite: the single writer)."""
    touch = update(Counter).where(Counter.name == name).values(value=Counter.value)
    value = db.session.scalar(touch.returning(Counter.value))
    if value is None:
        try:  # a database whose migrations did not create it
            with db.session.begin_nested():
                db.session.add(Counter(name=name, value=0))
        except IntegrityError:  # created by a concurrent caller meanwhile
            pass
        value = db.session.scalar(touch.returning(Counter.value))
    return value
