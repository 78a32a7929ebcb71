"""The documented upload limits can be reached: archive documents and wage imports take
20 MB (the README), rosters 5 MB, JSON and plain forms 8 MiB. A 10 MB PDF is archived; a
file of exactly 20 MiB is too, one byte more is refused by the archive's own rule (422, not
413); a request past the form's limit answers 413 naming the limit, in Chinese or English,
as a page or as JSON; the limits of the app, its upload forms and nginx agree."""

from __future__ import annotations

import inspect
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app import uploads
from app.extensions import db
from app.models import ProjectDocument
from app.services.projects import project_archive
from tests.app.project_helpers import make_project
from tests.conftest import bearer, csrf_token, login

MiB = 1024 * 1024
NGINX = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "laborsign.conf"


def pdf_of_size(size: int) -> bytes:
    """A well-formed one-page PDF (correct xref) of exactly ``size`` bytes: its content
    stream is padded with white space."""
    def build(n: int) -> bytes:
        objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
                   b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                   b"<< /Length %d >>\nstream\n" % n + b" " * n + b"\nendstream"]
        out, offsets = bytearray(b"%PDF-1.4\n"), []
        for number, body in enumerate(objects, 1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 5\n0000000000 65535 f \n"
        out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
        out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)

    n = size - len(build(0))
    while len(data := build(n)) != size:
        n += size - len(data)
    return data


def _upload(client, project_id: int, data: bytes, lang: str | None = None):
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    headers = {"Accept-Language": lang} if lang else {}
    boundary, body = _multipart({"csrf_token": csrf_token(page), "category": "pay_sheet",
                                 "period": "2026-11"}, data, "工资表.pdf")
    return client.post(f"/projects/{project_id}/documents", data=body, headers=headers,
                       content_type=f"multipart/form-data; boundary={boundary}")


def _multipart(fields: dict, data: bytes, filename: str) -> tuple[str, bytes]:
    """The form as a browser encodes it, in memory (the test client would spool a large
    body to a temporary file that a refused request never closes)."""
    return encode_multipart(MultiDict({**fields, "file": FileStorage(io.BytesIO(data),
                                                                     filename)}))


def _stored() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ProjectDocument))


def test_a_10_mb_pdf_and_one_of_exactly_20_mib_are_archived(client, world):
    project = make_project()
    login(client, "hr")
    for size in (10 * 1000 * 1000, project_archive.MAX_BYTES):
        resp = _upload(client, project.id, pdf_of_size(size))
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    sizes = db.session.scalars(select(ProjectDocument.size).order_by(ProjectDocument.id)).all()
    assert sizes == [10 * 1000 * 1000, 20 * MiB]
    # one byte more: the archive's own rule, with the form kept (422), not the proxy's 413
    resp = _upload(client, project.id, pdf_of_size(project_archive.MAX_BYTES + 1))
    assert resp.status_code == 422 and "最大 20 MB" in resp.get_data(as_text=True)
    assert _stored() == 2


@pytest.mark.parametrize("lang,says", [
    (None, "文件过大：这里上传的文件最大 20 MB"),
    ("en", "The file is too large: files uploaded here may be at most 20 MB"),
])
def test_past_the_form_s_limit_the_413_page_names_it(client, world, lang, says):
    project = make_project()
    login(client, "hr")
    resp = _upload(client, project.id, b"x" * (21 * MiB), lang=lang)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 413 and resp.mimetype == "text/html" and says in html
    assert _stored() == 0


@pytest.mark.parametrize("lang,says", [(None, "请求内容过大（最大 8 MB）"),
                                       ("en", "The request is too large (at most 8 MB)")])
def test_a_json_body_past_8_mib_is_a_json_413(client, world, lang, says):
    headers = {**bearer(world["api_key"]), **({"Accept-Language": lang} if lang else {})}
    resp = client.post("/api/v1/contracts", data=b"x" * (8 * MiB + 1),
                       content_type="application/json", headers=headers)
    assert resp.status_code == 413
    assert resp.get_json() == {"error": "request_entity_too_large", "message": says}


def test_the_limits_agree(app):
    """Every upload form's endpoint exists and takes its file's limit; every view that reads
    an upload is one of them; nginx lets the largest through; the README's figures."""
    limits = uploads.file_limits()
    rules = {r.endpoint: r for r in app.url_map.iter_rules()}
    for endpoint in limits:
        assert "POST" in rules[endpoint].methods, endpoint
    readers = {name for name, view in app.view_functions.items()
               if "read_upload(" in inspect.getsource(inspect.unwrap(view))
               and not name.startswith("verify.")}  # /verify sets its own (VERIFY_MAX_BYTES)
    assert readers == set(limits)
    assert limits["projects.upload_document"] == limits["projects.import_records"] == 20 * MiB
    assert limits["employer.batches_page"] == 5 * MiB
    nginx = re.search(r"client_max_body_size (\d+)m;", NGINX.read_text("utf-8"))
    largest = max([*limits.values(), app.config["VERIFY_MAX_BYTES"]]) + uploads.FORM_OVERHEAD
    assert int(nginx[1]) * MiB > max(largest, app.config["MAX_CONTENT_LENGTH"])
