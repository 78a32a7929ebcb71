"""Uploaded files: how large a request may be, per kind of upload, and reading a form's file.

A JSON or plain form request may carry ``MAX_CONTENT_LENGTH`` (8 MiB). An upload form
(``multipart/form-data`` to one of :func:`file_limits`' endpoints) may carry its file kind's
limit plus :data:`FORM_OVERHEAD` for the other fields: archive documents and wage imports
20 MB, rosters 5 MB (README). nginx (deploy/nginx/laborsign.conf) lets more than the largest
through so that the app, not the proxy, tells the user the limit in their language
(:func:`too_large`, used by the 413 handler in :mod:`app.errors`).
"""

from __future__ import annotations

from flask import Flask, request
from flask import Request as FlaskRequest
from flask_babel import gettext
from werkzeug.exceptions import RequestEntityTooLarge

from app.errors import answer

MB = 1024 * 1024
FORM_OVERHEAD = MB  # the form's other fields and the multipart framing around the file


def file_limits() -> dict[str, int]:
    """Endpoint of each upload form -> the largest file it takes (bytes)."""
    from app.services.batches import roster_file
    from app.services.projects import project_archive, wage_import

    return {"projects.upload_document": project_archive.MAX_BYTES,
            "projects.import_records": wage_import.MAX_BYTES,
            "employer.batches_page": roster_file.MAX_BYTES}


def file_limit(endpoint: str | None) -> int | None:
    """The largest file the upload form at ``endpoint`` takes, or None (not an upload form)."""
    return file_limits().get(endpoint or "")


class Request(FlaskRequest):
    """Flask's request, with the body limit of an upload form raised to its file's limit
    (before anything — the CSRF check — parses the form)."""

    @property
    def max_content_length(self) -> int | None:  # noqa: D102 - Flask's
        if self._max_content_length is None and self.mimetype == "multipart/form-data":
            limit = file_limit(self.endpoint)
            if limit is not None:
                return limit + FORM_OVERHEAD
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def init_app(app: Flask) -> None:
    """Use :class:`Request` for ``app``, and answer 413 naming the limit that was passed."""
    app.request_class = Request

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge):
        return answer(413, {"error": "request_entity_too_large", "message": too_large()})


def too_large() -> str:
    """The 413 message in the reader's language, naming the limit that was passed."""
    limit = file_limit(request.endpoint) if request.mimetype == "multipart/form-data" else None
    if limit is not None and request._max_content_length is None:
        mb = "%g" % (limit / MB)
        return gettext("文件过大：这里上传的文件最大 %(mb)s MB，请压缩或拆分后重新上传", mb=mb)
    mb = "%g" % ((request.max_content_length or 0) / MB)
    return gettext("请求内容过大（最大 %(mb)s MB）", mb=mb)


def read_upload(field: str, limit: int) -> tuple[str, bytes] | None:
    """``(file name, bytes)`` of the form's file ``field`` — at most ``limit + 1`` bytes, so
    that an oversized file is told without reading all of it —, or None when none was
    chosen."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        return None
    with upload.stream as stream:
        return upload.filename, stream.read(limit + 1)
