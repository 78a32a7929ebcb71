"""The verification report says plainly what failed and what still holds, in words.

A PDF whose content was changed after signing fails because of the content, not because of
its certificates or time-stamps: those are still trusted and the report must say so, not call
the certificate untrusted nor the time-stamp both trusted and invalid.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from signing import render_report_pdf, verify
from signing.verify_words import COVERAGE, DOCMDP, LEVELS, words
from tests.signing import verify_fixtures as fx
from tests.signing.test_verify import YEARS_LATER, _roots, _squash, font_path  # noqa: F401 - fixture

RAW = ("FORM_FILLING", "LTA_UPDATES", "ENTIRE_REVISION", "ENTIRE_FILE", "FILL_FORMS",
       "NO_CHANGES")


def _tampered() -> bytes:
    pdf = fx.signed_contract()
    changed = pdf.replace(fx.WAGE_TEXT, fx.WAGE_TEXT.replace(b"5000", b"9000"))
    assert changed != pdf and len(changed) == len(pdf)  # the structure is kept
    return changed


def test_changed_content_fails_on_the_content_and_keeps_what_still_holds():
    report = verify(_tampered(), trust_roots=_roots())

    assert not report.ok
    assert "签署后文档内容被改动" in report.summary_zh
    assert "content was changed after signing" in report.summary_en
    for sig in report.signatures:
        assert not sig.intact and not sig.ok
        assert sig.trusted and sig.trust_checked  # the certificate is as good as it was
        assert sig.problems == ["签名后文档内容被篡改（哈希值不匹配）"]
        assert "证书链可信（由受信任的根证书签发）" in sig.holds and "证书未被吊销" in sig.holds
        assert any(h.startswith("签名时间戳有效") for h in sig.holds)
        assert any(sig.signer_cn in h for h in sig.holds)
    [stamp] = report.timestamps
    assert not stamp.intact and stamp.valid and stamp.trusted  # the token itself is fine
    assert any(h.startswith("时间戳本身有效") for h in stamp.holds)
    assert "仍然成立" in report.summary_zh and "Still holds" in report.summary_en
    assert "不可信" not in report.summary_zh and "not trusted" not in report.summary_en
    assert "证书不是由受信任的根证书签发" not in report.summary_zh


def test_changed_content_years_later_says_the_certificate_could_not_be_judged():
    report = verify(_tampered(), trust_roots=_roots(),
                    now=datetime.now(UTC) + YEARS_LATER)

    assert not report.ok
    for sig in report.signatures:
        assert not sig.intact and not sig.trusted and not sig.trust_checked
        assert not any("过期" in p for p in sig.problems)  # not blamed on the certificate


def test_a_good_pdf_still_holds_everything():
    report = verify(fx.signed_contract(), trust_roots=_roots())

    assert report.ok and "全部 2 个签名有效且可信" in report.summary_zh
    assert "仍然成立" not in report.summary_zh
    assert all(s.trusted and s.trust_checked and not s.problems for s in report.signatures)


def test_a_foreign_root_is_still_untrusted_even_with_changed_content():
    report = verify(_tampered(), trust_roots=[fx.other_root()])

    assert all(not s.trusted and s.trust_checked for s in report.signatures)
    assert "受信任的根证书" in report.summary_zh


def test_modification_levels_are_words_in_both_languages():
    report = verify(fx.stamped_after_signing(), trust_roots=_roots())

    assert "其他修改（例如改动了页面内容）" in report.summary_zh
    assert "other changes (such as changed page content)" in report.summary_en
    assert not any(raw in report.summary_zh + report.summary_en for raw in RAW)
    for table in (LEVELS, COVERAGE, DOCMDP):
        assert all(zh and en and not re.search(r"[A-Z]{2,}_", zh + en)
                   for zh, en in table.values())
    assert words("level", "FORM_FILLING") == "仅填写表单和添加签名（允许范围内）"
    assert words("level", "FORM_FILLING", english=True).startswith("only form filling")
    assert words("level", None) == "—" and words("coverage", "NEW") == "未知（NEW）"


def test_report_pdf_of_changed_content_says_what_holds_without_raw_names(font_path, tmp_path):  # noqa: F811
    import subprocess

    pdf = render_report_pdf(verify(_tampered(), trust_roots=_roots()), font_path)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = _squash(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                  text=True, check=True).stdout)
    assert "仍然成立" in text and "是（链接到受信任根证书）" in text
    assert "签名时间戳本身有效" in text and "（可信）" not in text
    assert not any(raw in text for raw in RAW)
