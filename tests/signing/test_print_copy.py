"""signing.print_copy: the original's pages, the certification page, values escaped."""

from __future__ import annotations

import hashlib
import io
import subprocess
from datetime import UTC, datetime

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from signing import InvalidDocument
from signing.print_copy import SEAL_FIELD, PrintCopyDetails, render_print_copy
from tests.signing import verify_fixtures as fx
from tests.signing.test_verify import _squash, font_path  # noqa: F401 - fixture


def _details(**overrides) -> PrintCopyDetails:
    values = {"filing_number": "430121-2026-000001", "contract_no": "HT20261207000001",
              "employer_name": "星城<b>建设</b>&<br>公司", "worker_name": "李<img src=\"/etc/passwd\"/>四",
              "verify_page": "https://ht.example.cn/verify",
              "printed_at": datetime(2026, 12, 7, 1, 5, tzinfo=UTC)}
    values.update(overrides)
    return PrintCopyDetails(**values)


def _text(pdf: bytes, tmp_path) -> str:
    (tmp_path / "c.pdf").write_bytes(pdf)
    return _squash(subprocess.run(["pdftotext", str(tmp_path / "c.pdf"), "-"],
                                  capture_output=True, text=True, check=True).stdout)


def test_copy_has_the_original_pages_then_the_certification_page(font_path, tmp_path):  # noqa: F811
    original = fx.signed_contract()
    copy = render_print_copy(original, _details(), font_path)
    reader = PdfFileReader(io.BytesIO(copy))
    assert int(reader.root["/Pages"]["/Count"]) == 2
    assert not list(enumerate_sig_fields(reader))  # no signature survives in a print copy
    text = _text(copy, tmp_path)
    assert _squash(fx.WAGE_TEXT.decode()) in text  # the original's page, as signed
    assert "本打印件与电子劳动合同原件内容一致" in text and "具有法律效力的是电子原件" in text
    assert hashlib.sha256(original).hexdigest() in text and "430121-2026-000001" in text
    assert "2026-12-0709:05（北京时间Beijingtime）" in text  # Beijing time, to the minute
    # names are data, never markup: printed as typed
    assert "星城<b>建设</b>&<br>公司" in text and '李<imgsrc="/etc/passwd"/>四' in text


def test_stamped_copy_leaves_an_empty_seal_field(font_path):  # noqa: F811
    copy = render_print_copy(fx.signed_contract(), _details(stamped=True), font_path)
    fields = {name: value for name, value, _ref in enumerate_sig_fields(
        PdfFileReader(io.BytesIO(copy)), filled_status=None)}
    assert fields == {SEAL_FIELD: None}


@pytest.mark.parametrize("data", [b"", b"hello", b"%PDF-1.7\n garbage"])
def test_not_a_pdf_is_refused(font_path, data):  # noqa: F811
    with pytest.raises(InvalidDocument):
        render_print_copy(data, _details(), font_path)
