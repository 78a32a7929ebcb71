"""The filings export's commit order: ``Filing.export_seq``, given after commit.

A filing's id and archive time are fixed inside its transaction, before it commits, so neither
says in which order filings became visible: a slow transaction can commit after a later one
was already exported. :func:`number_pending` therefore numbers the **committed** filings that
have no number yet, in id order, from the counter ``filing_export_seq``, in a short
transaction of its own that first takes the counter row's write lock (PostgreSQL: a row lock,
held to the commit; SQLite: the database's single writer). Numbering transactions thus run one
after the other, and each commits its numbers at once: number N+1 is never visible before N.
A reader that continues after the last number it received gets every filing exactly once,
without waiting for a time lag. The export numbers what is pending at the start of each page.

A restore brings the counter back to the backup's value, below numbers the bureau systems may
already have received: new filings would get those numbers again and a cursor past them would
skip them. So the export has a **generation** (the counter ``filing_export_generation``, a
random number) that every cursor carries; the restore replaces it (:func:`new_generation`,
``flask filings new-generation``) and an older cursor is then refused (``cursor_outdated``).
A point-in-time recovery or a promoted replica that lagged behind roll the counter back just
the same, without that step; so a cursor also carries the id of the filing it last received
with its number, and the export refuses it (:func:`rolled_back`) when that filing no longer
holds that number or the number is above the counter's value.
"""

from __future__ import annotations

import secrets

from sqlalchemy import exists, select, update

from app.extensions import db
from app.models import Counter, Filing
from app.services.exports.cursor import Position
from app.services.platform import counters

COUNTER = "filing_export_seq"
#: the export's generation: a random number every cursor carries, replaced after a restore
GENERATION = "filing_export_generation"
#: at most this many filings are numbered by one step (the rest by the next page's)
BATCH = 10_000


def number_pending(limit: int = BATCH) -> tuple[int, bool]:
    """Number the committed filings without an export number, in id order, and commit.

    Nothing is locked or committed when no filing waits for a number (one ``EXISTS`` read).

    :param limit: number at most this many.
    :returns: how many were numbered, and whether more were left for the next step.
    """
    if not db.session.scalar(select(exists().where(Filing.export_seq.is_(None)))):
        return 0, False
    last = counters.lock(COUNTER)
    ids = db.session.scalars(select(Filing.id).where(Filing.export_seq.is_(None))
                             .order_by(Filing.id).limit(limit + 1)).all()
    todo = ids[:limit]
    if todo:
        db.session.execute(update(Filing), [{"id": fid, "export_seq": last + n}
                                            for n, fid in enumerate(todo, 1)])
        db.session.execute(update(Counter).where(Counter.name == COUNTER)
                           .values(value=last + len(todo)))
    db.session.commit()
    return len(todo), len(ids) > limit


def rolled_back(position: Position) -> bool:
    """Whether the database no longer is where ``position`` was issued: its number is above
    the counter's value, or the filing it was sent with no longer holds that number (rolled
    back by a restore, a point-in-time recovery or a failover to a replica that lagged)."""
    value = db.session.scalar(select(Counter.value).where(Counter.name == COUNTER)) or 0
    if position.seq > value:
        return True
    return position.filing is not None and db.session.scalar(
        select(Filing.export_seq).where(Filing.id == position.filing)) != position.seq


def generation() -> int:
    """The export's current generation (0 on a database that never had one set)."""
    return db.session.scalar(select(Counter.value).where(Counter.name == GENERATION)) or 0


def new_generation() -> int:
    """Replace the export's generation with a new random one (in the caller's transaction)
    and return it: every cursor issued before then answers ``cursor_outdated``. Run after a
    restore, whose counter may be behind numbers the bureau systems already received."""
    old = counters.lock(GENERATION)
    new = old
    while new in (old, 0):
        new = secrets.randbelow(2**31 - 1) + 1
    db.session.execute(update(Counter).where(Counter.name == GENERATION).values(value=new))
    return new
