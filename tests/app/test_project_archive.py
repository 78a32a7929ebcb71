"""A project's archives in the S3 server (moto, over HTTP, object lock): each upload a new
version under projects/<id>/<category>/<period>/, its SHA-256 recorded, retained until three
years after the planned end, never overwritten nor deletable; files told by their content,
bad ones refused with a clear message and nothing stored."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import archive_ext, db
from app.models import ProjectDocument
from tests.app.pdftools import tiny_pdf
from tests.app.project_helpers import make_project
from tests.app.test_projects import PDF
from tests.conftest import csrf_token, login


@pytest.fixture
def s3(ctx, s3_server, s3_bucket):
    from archive import S3ObjectStore

    store = S3ObjectStore(s3_server.endpoint, s3_server.access_key, s3_server.secret_key,
                          s3_bucket, secure=False, object_lock=True)
    store.ensure_bucket()
    archive_ext.use(store, app=ctx)
    yield store
    archive_ext.use(None, app=ctx)


def _upload(client, project_id: int, data: bytes, name: str = "x.pdf",
            category: str = "pay_sheet", period: str = "2026-11"):
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    return client.post(f"/projects/{project_id}/documents", data={
        "csrf_token": csrf_token(page), "category": category, "period": period,
        "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_versions_are_kept_retained_and_never_overwritten(client, world, s3):
    from archive import ObjectLocked

    project = make_project()
    login(client, "hr")
    assert _upload(client, project.id, PDF, "工资表11月.pdf").status_code == 302
    second = tiny_pdf(b"/Rotate 90")
    assert _upload(client, project.id, second, "工资表11月-更正.pdf").status_code == 302
    photo = _png()
    assert _upload(client, project.id, photo, "告示牌.jpg", "notice_board", "").status_code == 302
    docs = db.session.scalars(select(ProjectDocument).order_by(ProjectDocument.id)).all()
    assert [(d.category, d.period, d.version) for d in docs] == [
        ("pay_sheet", "2026-11", 1), ("pay_sheet", "2026-11", 2), ("notice_board", "once", 1)]
    assert docs[0].key.startswith(f"projects/{project.id}/pay_sheet/2026-11/v1-")
    assert docs[2].content_type == "image/png" and docs[2].key.endswith(".png")  # by content
    import hashlib

    assert docs[1].sha256 == hashlib.sha256(second).hexdigest()
    assert s3.get(docs[0].key) == PDF and s3.get(docs[1].key) == second  # both versions
    retained = s3.retention(docs[0].key)
    assert retained >= datetime(2030, 12, 31, tzinfo=UTC)  # planned end 2027-12-31 + 3 years
    with pytest.raises(ObjectLocked):
        s3.delete(docs[0].key)
    assert client.get(f"/projects/{project.id}/documents/{docs[0].id}").data == PDF
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert html.count("data-document=") == 3 and "2030-12-31" in html


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.txt", "x")
    return out.getvalue()


@pytest.mark.parametrize("data,name,says", [
    (b"", "x.pdf", "上传的文件是空的"),
    (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "x.pdf", "文件“x.pdf”不是有效的 PDF 文件"),
    (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "合同", "文件已损坏，无法打开（PDF）"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20, "x.png", "文件“x.png”不是有效的 PNG 文件"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20, "photo", "文件已损坏，无法打开（PNG）"),
    (None, "x.xlsx", "文件“x.xlsx”不是有效的 XLSX 文件"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "工资表.pdf", "文件“工资表.pdf”不是有效的 PDF 文件"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "工资表", "只能上传 PDF、图片"),
])
def test_bad_files_are_refused_and_nothing_is_stored(client, world, s3, data, name, says):
    project = make_project()
    login(client, "hr")
    resp = _upload(client, project.id, _zip_without_workbook() if data is None else data, name)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and says in html and 'id="err-file"' in html
    assert db.session.scalar(select(func.count()).select_from(ProjectDocument)) == 0
    assert list(s3.list(f"projects/{project.id}/")) == []


def test_oversized_files_and_bad_months(client, world, s3, monkeypatch):
    from app.services.projects import project_archive

    monkeypatch.setattr(project_archive, "MAX_BYTES", 1000)
    project = make_project()
    login(client, "hr")
    resp = _upload(client, project.id, PDF + b"x" * 1000)
    assert resp.status_code == 422 and "文件过大" in resp.get_data(as_text=True)
    for period in ("2026-13", "2026-08", "2099-01", "11/2026"):  # before the start, future
        resp = _upload(client, project.id, PDF, period=period)
        assert resp.status_code == 422 and 'id="err-period"' in resp.get_data(as_text=True)
    resp = _upload(client, project.id, PDF, category="selfies")
    assert resp.status_code == 422 and 'id="err-category"' in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ProjectDocument)) == 0
    assert list(s3.list(f"projects/{project.id}/")) == []


def test_completion_and_settlement_extend_every_documents_retention(client, world, s3):
    from datetime import date

    from app.services.projects import project_archive
    from tests.app.project_helpers import principal

    project = make_project()  # planned end 2027-12-31: kept until 2030-12-31 meanwhile
    login(client, "hr")
    assert _upload(client, project.id, PDF).status_code == 302
    doc = db.session.scalar(select(ProjectDocument))
    assert s3.retention(doc.key) >= datetime(2030, 12, 31, tzinfo=UTC)
    db.session.rollback()
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    resp = client.post(f"/projects/{project.id}/completion", data={
        "csrf_token": csrf_token(page), "completed_on": "2026-11-30", "settled_on": "2026-10-31"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="err-settled_on"' in html
    assert 'value="2026-10-31"' in html  # what was typed is kept
    resp = client.post(f"/projects/{project.id}/completion", data={
        "csrf_token": csrf_token(page), "completed_on": "2099-01-01", "settled_on": ""})
    assert resp.status_code == 422 and "日期不能晚于今天" in resp.get_data(as_text=True)
    # the project runs late: completed in 2029, settled half a year after
    extended = project_archive.record_completion(
        principal("hr"), project.id, "2029-03-31", "2029-06-30", today=date(2029, 7, 1))
    assert extended == 1
    doc = db.session.scalar(select(ProjectDocument))
    assert s3.retention(doc.key) >= datetime(2032, 6, 30, tzinfo=UTC)  # extended on S3
    assert doc.retain_until >= datetime(2032, 6, 30, tzinfo=UTC)
    assert project_archive.record_completion(  # again: nothing left to extend
        principal("hr"), project.id, "2029-03-31", "2029-06-30", today=date(2029, 7, 1)) == 0


def _stored_nothing(project_id: int, s3) -> None:
    assert db.session.scalar(select(func.count()).select_from(ProjectDocument)) == 0
    assert list(s3.list(f"projects/{project_id}/")) == []


def test_a_text_file_named_pdf_is_not_filed_as_the_construction_contract(client, world, s3):
    project = make_project()
    login(client, "hr")
    fake = b"this is not pdf\n"  # 16 bytes of text: it once went in as 施工合同 v1
    assert len(fake) == 16
    resp = _upload(client, project.id, fake, "fake.pdf", "construction_contract", "")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="err-file"' in html
    assert "文件“fake.pdf”不是有效的 PDF 文件：内容无法按 PDF 打开，文件未保存" in html
    _stored_nothing(project.id, s3)
    page = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    resp = client.post(f"/projects/{project.id}/documents?lang=en", data={
        "csrf_token": csrf_token(page), "category": "construction_contract", "period": "",
        "file": (io.BytesIO(fake), "fake.pdf")}, content_type="multipart/form-data")
    assert resp.status_code == 422
    assert ("The file “fake.pdf” is not a valid PDF file: its content cannot be opened as "
            "PDF. Nothing was saved.") in resp.get_data(as_text=True)
    _stored_nothing(project.id, s3)
    real = tiny_pdf()
    assert _upload(client, project.id, real, "施工合同.pdf", "construction_contract",
                   "").status_code == 302
    doc = db.session.scalar(select(ProjectDocument))
    assert (doc.category, doc.version, doc.content_type) == ("construction_contract", 1,
                                                            "application/pdf")
    assert s3.get(doc.key) == real


@pytest.mark.parametrize("data,name", [
    (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "site.jpg"),  # a JPEG header and nothing that decodes
    (b"%PDF-1.4\n", "site.png"),  # a PDF header claiming to be an image
    (b"name,amount\n", "pay.xlsx"),  # text claiming to be a workbook
    (b"%PDF-1.4\n" + b"\x00" * 30 + b"\n%%EOF\n", "x.csv"),  # a PDF claiming to be text
])
def test_images_workbooks_and_text_must_be_what_their_names_say(client, world, s3, data, name):
    project = make_project()
    login(client, "hr")
    resp = _upload(client, project.id, data, name, "notice_board", "")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and f"文件“{name}”不是有效的" in html, html[-2000:]
    _stored_nothing(project.id, s3)


def test_a_zip_that_inflates_too_far_is_refused_before_reading_it(monkeypatch):
    from app.services.projects import archive_files

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "x")
        z.writestr("xl/workbook.xml", "0" * 5000)
    monkeypatch.setattr(archive_files, "MAX_INFLATED", 4000)
    kind, problem = archive_files.check(out.getvalue(), "big.xlsx")
    assert kind is None and problem.startswith("文件“big.xlsx”解压后超过")
    monkeypatch.setattr(archive_files, "MAX_INFLATED", 10_000)
    assert archive_files.check(out.getvalue(), "big.xlsx") == ("xlsx", None)
