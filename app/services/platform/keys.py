"""Field-encryption key rotation: re-encrypt every stored personal-data value.

Convention: every column whose name ends in ``_enc`` holds an :func:`app.pii.encrypt` token
(discovered from ``db.metadata``, so columns added later are rotated without changes here),
and so does every string under a key ending in ``_enc`` in a job's payload (e.g. the SMS
job's ``payload["text_enc"]``). Other JSON columns are left alone: some are covered by hash
chains (the audit trail) that re-encryption would break.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from cryptography.fernet import InvalidToken

from app import pii
from app.extensions import db

log = logging.getLogger(__name__)
SUFFIX = "_enc"
JSON_DOCUMENTS = {("jobs", "payload")}  # JSON columns whose ``*_enc`` values are rotated


@dataclass
class RotationReport:
    """Per ``table.column``: values re-encrypted, and values already under the newest key."""

    rotated: dict[str, int] = field(default_factory=dict)
    current: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, rotated: int, current: int) -> None:
        self.rotated[name] = self.rotated.get(name, 0) + rotated
        self.current[name] = self.current.get(name, 0) + current


def encrypted_columns() -> Iterator[tuple[sa.Table, list[sa.Column], list[sa.Column]]]:
    """Each table with its ``*_enc`` columns and its JSON columns holding ``*_enc`` keys."""
    for table in db.metadata.sorted_tables:
        enc = [c for c in table.columns if c.name.endswith(SUFFIX)]
        docs = [c for c in table.columns if (table.name, c.name) in JSON_DOCUMENTS]
        if (enc or docs) and len(table.primary_key.columns) == 1:
            yield table, enc, docs


class UndecryptableValue(Exception):
    """A stored value that none of the configured keys decrypts."""


def _rotate_value(token: str) -> str | None:
    """The re-encrypted token, or None when it is under the newest key already."""
    if pii.is_current(token):
        return None
    try:
        return pii.reencrypt(token)
    except InvalidToken:
        raise UndecryptableValue("no configured key decrypts this value") from None


def _rotate_json(value, counts: list[int]):
    """A copy of ``value`` with every ``*_enc`` string re-encrypted; counts [rotated, current]."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(key, str) and key.endswith(SUFFIX) and isinstance(item, str):
                new = _rotate_value(item)
                counts[0 if new else 1] += 1
                out[key] = new or item
            else:
                out[key] = _rotate_json(item, counts)
        return out
    if isinstance(value, list):
        return [_rotate_json(item, counts) for item in value]
    return value


def _rotate_table(table: sa.Table, enc: list[sa.Column], docs: list[sa.Column],
                  batch_size: int, report: RotationReport) -> None:
    pk = next(iter(table.primary_key.columns))
    last = None
    while True:
        query = sa.select(pk, *enc, *docs).order_by(pk).limit(batch_size)
        if last is not None:
            query = query.where(pk > last)
        rows = db.session.execute(query).all()
        if not rows:
            return
        for row in rows:
            try:
                values = _rotated_row(row, enc, docs, table.name, report)
            except UndecryptableValue as exc:
                raise UndecryptableValue(f"{table.name} row {row._mapping[pk]}: {exc} "
                                         "(is an old key missing from PII_FIELD_KEYS?)") from None
            if values:  # unchanged since read (a concurrent edit is not overwritten)
                same = [table.c[n] == row._mapping[table.c[n]] for n in values if n.endswith(SUFFIX)]
                db.session.execute(table.update().where(pk == row._mapping[pk], *same)
                                   .values(**values))
        db.session.commit()
        last = rows[-1]._mapping[pk]


def _rotated_row(row, enc: list[sa.Column], docs: list[sa.Column], name: str,
                 report: RotationReport) -> dict:
    """The new values of one row's encrypted columns (only those that changed)."""
    values = {}
    for col in enc:
        token = row._mapping[col]
        if token:
            new = _rotate_value(token)
            report.add(f"{name}.{col.name}", int(bool(new)), int(not new))
            if new:
                values[col.name] = new
    for col in docs:
        counts = [0, 0]
        doc = _rotate_json(row._mapping[col], counts)
        if counts[0] + counts[1]:
            report.add(f"{name}.{col.name}", *counts)
        if counts[0]:
            values[col.name] = doc
    return values


def rotate_field_key(batch_size: int = 500) -> RotationReport:
    """Re-encrypt every ``*_enc`` value under the newest field key (``PII_FIELD_KEYS[0]``).

    Commits per batch of ``batch_size`` rows; safe to interrupt and to run again (values
    already under the newest key are counted as current and left alone).
    """
    report = RotationReport()
    for table, enc, docs in encrypted_columns():
        _rotate_table(table, enc, docs, batch_size, report)
    log.info("field-key rotation: %s re-encrypted, %s already current",
             sum(report.rotated.values()), sum(report.current.values()))
    return report
