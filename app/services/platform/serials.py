"""Unique serial numbers from database counters (the built-in TSA's token serials), each
increment in its own short transaction."""

from __future__ import annotations

import threading

from sqlalchemy import select, update

from app.extensions import db
from app.models import Counter

__all__ = ["SerialBlocks", "next_serial_autonomous"]


def next_serial_autonomous(name: str, engine=None, *, step: int = 1) -> int:
    """Add ``step`` to counter ``name`` in its own short transaction; returns the new value.

    :param engine: the database engine (default: the current app's); pass it when calling
        from a thread without an app context.
    """
    with (engine or db.engine).begin() as conn:
        if conn.execute(update(Counter).where(Counter.name == name)
                        .values(value=Counter.value + step)).rowcount == 0:
            conn.execute(Counter.__table__.insert().values(name=name, value=step))
        return conn.execute(select(Counter.value).where(Counter.name == name)).scalar_one()


class SerialBlocks:
    """Unique serial numbers from a database counter, reserved a block at a time.

    Each process takes ``size`` numbers in one short transaction and hands them out from
    memory: every token still gets a serial no other token of any process has, without a
    database round trip per token (two per signed contract before).
    """

    def __init__(self, name: str, engine, size: int = 100) -> None:
        self.name, self.engine, self.size = name, engine, size
        self._next, self._end = 0, 0
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Give up the rest of the current block (the next serial reserves a new one)."""
        with self._lock:
            self._next = self._end = 0

    def next(self) -> int:
        """The next unused serial number."""
        with self._lock:
            if self._next >= self._end:
                last = next_serial_autonomous(self.name, self.engine, step=self.size)
                self._next, self._end = last - self.size + 1, last + 1
            self._next += 1
            return self._next - 1
