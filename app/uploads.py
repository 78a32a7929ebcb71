"""Reading an uploaded file of a form: no more than its limit allows, then closed."""

from __future__ import annotations

from flask import request


def read_upload(field: str, limit: int) -> tuple[str, bytes] | None:
    """``(file name, bytes)`` of the form's file ``field`` — at most ``limit + 1`` bytes, so
    that an oversized file is told without reading all of it —, or None when none was
    chosen."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        return None
    with upload.stream as stream:
        return upload.filename, stream.read(limit + 1)
