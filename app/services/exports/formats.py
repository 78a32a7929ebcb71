"""Exporters: records in, bytes out. One class per exchange format, registered by name.

A province's exchange format is one more :class:`Exporter` subclass decorated with
:func:`register` (its own field names, order, encoding), never a fork of the export.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import ClassVar

from app.errors import ValidationFailed
from app.services.contracts.contract_export import safe_cell
from app.services.exports.records import FIELDS, FilingRecord

EXPORTERS: dict[str, type[Exporter]] = {}


class Exporter:
    """Turns filing records into one document of a format (``name``, ``media_type``)."""

    name: ClassVar[str]
    media_type: ClassVar[str]

    def render(self, records: Iterable[FilingRecord]) -> bytes:
        """The records as one document of this format."""
        raise NotImplementedError


def register(cls: type[Exporter]) -> type[Exporter]:
    """Make ``cls`` available by its ``name`` (``--format``, ``?format=``)."""
    EXPORTERS[cls.name] = cls
    return cls


def exporter(name: str) -> Exporter:
    """The exporter registered as ``name``.

    :raises ValidationFailed: (field ``format``) no such format.
    """
    cls = EXPORTERS.get(name)
    if cls is None:
        raise ValidationFailed("不支持的导出格式", fields={"format": "不支持的导出格式"},
                               code="unknown_format")
    return cls()


@register
class JsonLinesExporter(Exporter):
    """JSON Lines: one JSON object a record, UTF-8, the README's field names."""

    name, media_type = "json", "application/x-ndjson"

    def render(self, records: Iterable[FilingRecord]) -> bytes:
        """One line per record."""
        return b"".join(json.dumps(r.as_dict(), ensure_ascii=False).encode() + b"\n"
                        for r in records)


@register
class CsvExporter(Exporter):
    """CSV (UTF-8, header row of field names); a text starting ``= + - @`` is written with an
    apostrophe first, as the contract list's export does, so that no spreadsheet runs it."""

    name, media_type = "csv", "text/csv; charset=utf-8"

    def render(self, records: Iterable[FilingRecord]) -> bytes:
        """A header row and one row per record (booleans as true/false, None empty)."""
        buf = io.StringIO()
        out = csv.writer(buf)
        out.writerow(FIELDS)
        for r in records:
            out.writerow(["" if v is None else ("true" if v is True else "false")
                          if isinstance(v, bool) else safe_cell(v) for v in r.as_dict().values()])
        return buf.getvalue().encode("utf-8")
