"""The verification report as people read it (public /verify page and the auditor's contract
page): a changed document says the content changed and what still holds, never that the
certificate is untrusted nor that a time-stamp is both trusted and invalid; values in words."""

from __future__ import annotations

import re

from tests.app.test_verify_public import filed, upload  # noqa: F401 - fixture
from tests.conftest import login

RAW = ("FORM_FILLING", "LTA_UPDATES", "ENTIRE_REVISION", "ENTIRE_FILE", "FILL_FORMS",
       "NO_CHANGES", "OTHER")


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style).*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", " ", html))


def _tampered(pdf: bytes) -> bytes:
    at = pdf.index(b"/Creator (LaborSign)") + len(b"/Creator (")
    assert at < pdf.index(b"/ByteRange")  # inside the first revision, signed by everyone
    return pdf[:at] + b"X" + pdf[at + 1:]


def test_changed_content_says_what_failed_and_what_still_holds(client, filed):  # noqa: F811
    html = upload(client, _tampered(filed[1])).get_data(as_text=True)
    text = _visible(html)
    assert "验证未通过" in text and "签署后文档内容被改动" in text
    assert "证书可信是，由平台根证书签发" in text and "证书可信否" not in text
    assert "（时间戳可信）" not in text  # not beside a report of changed content
    assert "签名时间戳本身有效，证明签名在此时已经存在；但签名覆盖的内容其后被改动" in text
    assert "仍然成立" in text and "证书链可信（由受信任的根证书签发）" in text
    assert "文档时间戳1：所覆盖的内容已被改动" in text and "时间戳本身有效，时间戳机构可信" in text
    assert not any(raw in text for raw in RAW)


def test_changed_content_in_english(client, filed):  # noqa: F811
    html = upload(client, _tampered(filed[1]),
                  headers={"Accept-Language": "en"}).get_data(as_text=True)
    text = _visible(html)
    assert "The content was changed after signing" in html and "Still holds" in html
    assert "the certificate chain is trusted" in html
    assert not any(raw in text for raw in RAW)


def test_a_good_pdf_still_says_everything_holds_in_words(client, filed):  # noqa: F811
    html = upload(client, filed[1]).get_data(as_text=True)
    text = _visible(html)
    assert "验证通过" in text and "（时间戳可信）" in text and "仍然成立" not in text
    assert "仅填写表单和添加签名（允许范围内）" in text  # the employer's seal: the worker signed after
    assert "仅追加了长期验证数据（证书、吊销列表、时间戳），属正常" in text
    assert "签署后只允许填写表单和签名" in text
    assert not any(raw in text for raw in RAW)
    english = _visible(upload(client, filed[1], headers={"Accept-Language": "en"})
                       .get_data(as_text=True))
    assert "onlyformfillingandfurthersignatures(aspermitted)" in english
    assert not any(raw in english for raw in RAW)


def test_auditor_contract_page_shows_words_not_raw_levels(client, filed):  # noqa: F811
    contract_id, _ = filed
    login(client, "auditor")
    text = _visible(client.get(f"/audit/contracts/{contract_id}").get_data(as_text=True))
    assert "仅填写表单和添加签名（允许范围内）" in text
    assert not any(raw in text for raw in RAW)
