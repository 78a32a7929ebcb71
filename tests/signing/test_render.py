"""The rendered contract: what a worker reads and what the signer fills in."""

from __future__ import annotations

import dataclasses
import re

import pytest
from pyhanko.sign.fields import enumerate_sig_fields

from signing import (
    EMPLOYER_BOX,
    EMPLOYER_FIELD,
    WORKER_BOX,
    WORKER_FIELD,
    render_contract_pdf,
)

from .conftest import need_tool, reader, run

ART17_HEADINGS = [
    "合同期限", "试用期", "工作内容和工作地点", "工作时间和休息休假", "劳动报酬", "社会保险",
    "劳动保护、劳动条件和职业危害防护", "劳动合同的变更、解除和终止", "劳动争议处理", "其他事项",
]


@pytest.fixture(scope="module")
def pdf_file(unsigned_pdf, tmp_path_factory):
    path = tmp_path_factory.mktemp("render") / "contract.pdf"
    path.write_bytes(unsigned_pdf)
    return path


def page_texts(path) -> list[str]:
    need_tool("pdftotext")
    text = run("pdftotext", "-enc", "UTF-8", path, "-").stdout
    return [page for page in text.split("\f") if page.strip()]


def test_every_font_is_an_embedded_truetype_subset(pdf_file):
    need_tool("pdffonts")
    rows = run("pdffonts", pdf_file).stdout.splitlines()[2:]
    assert rows, "no fonts at all"
    for row in rows:
        assert re.search(r"TrueType\s+\S+\s+yes\s+yes\s+yes", row), row  # emb, sub, uni
    assert "STSong" not in "".join(rows) and "Helvetica" not in "".join(rows)


def test_font_dictionaries_carry_fontfile2(unsigned_pdf):
    r = reader(unsigned_pdf)
    seen = 0
    for page in r.root["/Pages"]["/Kids"]:
        for font in page.get_object()["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor
            seen += 1
    assert seen


def test_text_has_parties_and_all_mandatory_clauses(pdf_file, sample_terms):
    text = "".join(page_texts(pdf_file)).replace("\n", "")
    for needed in (sample_terms.worker_name, sample_terms.employer_name,
                   sample_terms.worker_id_number, sample_terms.employer_uscc,
                   sample_terms.work_location, sample_terms.post, "标准工时制", "劳动人事争议仲裁委员会",
                   "人民币6,500.00元", "陆仟伍佰元整", "2026年12月1日", "2027年11月30日",
                   "每月15日", *ART17_HEADINGS):
        assert needed in text, needed
    headings = re.findall(r"第([一二三四五六七八九十]+)条", text)
    assert len(headings) >= len(ART17_HEADINGS)


def test_each_page_has_number_of_total_and_the_contract_number(pdf_file, sample_terms):
    pages = page_texts(pdf_file)
    assert len(pages) >= 2
    for index, page in enumerate(pages, start=1):
        flat = page.replace(" ", "")
        assert f"第{index}页共{len(pages)}页" in flat
        assert sample_terms.contract_no in page


def test_signature_fields_are_empty_at_the_boxes_on_the_last_page(unsigned_pdf):
    r = reader(unsigned_pdf)
    last_page = r.root["/Pages"]["/Kids"].raw_get(-1)
    found = {}
    for name, value, ref in enumerate_sig_fields(r, filled_status=None):
        field = ref.get_object()
        assert value is None
        assert field.raw_get("/P").idnum == last_page.idnum
        found[name] = [int(v) for v in field["/Rect"]]
        assert field["/Lock"]
    assert found == {EMPLOYER_FIELD: list(EMPLOYER_BOX), WORKER_FIELD: list(WORKER_BOX)}
    annots = [a.get_object().get("/T") for a in last_page.get_object()["/Annots"]]
    assert EMPLOYER_FIELD in annots and WORKER_FIELD in annots


def test_signature_block_labels_are_printed_on_the_last_page(pdf_file):
    last = page_texts(pdf_file)[-1]
    assert "甲方（盖章）" in last and "乙方（签字）" in last


def test_output_is_deterministic(sample_terms, cjk_font, unsigned_pdf):
    assert render_contract_pdf(sample_terms, cjk_font) == unsigned_pdf


def test_qpdf_check_passes(pdf_file):
    need_tool("qpdf")
    assert "No syntax or stream encoding errors" in run("qpdf", "--check", pdf_file).stdout


def test_long_contract_keeps_signature_block_clear_on_last_page(sample_terms, cjk_font, tmp_path):
    long_terms = dataclasses.replace(
        sample_terms, other_terms="乙方应遵守甲方依法制定的规章制度。" * 120,
        employer_name="A&B <建筑> 劳务有限公司")
    pdf = render_contract_pdf(long_terms, cjk_font)
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    pages = page_texts(path)
    assert len(pages) >= 4
    assert "A&B <建筑> 劳务有限公司" in "".join(pages)  # markup characters are escaped
    # nothing of the body may run into the signature area of the last page
    need_tool("pdftotext")
    area = run("pdftotext", "-f", str(len(pages)), "-l", str(len(pages)), "-x", "0",
               "-y", str(int(842 - 300)), "-W", "595", "-H", "300", path, "-").stdout
    assert "乙方应遵守" not in area


@pytest.mark.parametrize("title, term_end, expected", [
    ("劳动合同（固定期限）", "keep", "本合同为固定期限劳动合同，期限自2026年12月1日起至2027年11月30日止"),
    ("劳动合同（无固定期限）", None, "本合同为无固定期限劳动合同，自2026年12月1日起履行"),
    ("劳动合同（以完成一定工作任务为期限）", None, "至钢筋工工作任务完成时止"),
])
def test_term_clause_follows_the_contract_type(sample_terms, cjk_font, tmp_path, title,
                                                term_end, expected):
    changes = {"title": title, "probation_months": 0}
    if term_end != "keep":
        changes["term_end"] = term_end
    path = tmp_path / "c.pdf"
    path.write_bytes(render_contract_pdf(dataclasses.replace(sample_terms, **changes), cjk_font))
    text = "".join(page_texts(path)).replace("\n", "")
    assert expected in text and title in text
    assert "本合同不约定试用期" in text


def test_given_clauses_and_preamble_replace_the_fixed_term_text(sample_terms, cjk_font, tmp_path):
    from signing import Clause

    terms = dataclasses.replace(
        sample_terms, title="劳动合同变更协议", preamble="甲乙双方经协商一致，变更原合同如下。",
        clause_texts=(Clause("变更内容", ("乙方月工资自2027年1月1日起调整为七千元。",)),
                      Clause("其他", ("原合同其他条款不变。",))), subject="变更协议")
    path = tmp_path / "amendment.pdf"
    pdf = render_contract_pdf(terms, cjk_font)
    path.write_bytes(pdf)
    text = "".join(page_texts(path)).replace("\n", "")
    assert "第一条 变更内容" in text and "第二条 其他" in text
    assert "乙方月工资自2027年1月1日起调整为七千元" in text and "甲乙双方经协商一致" in text
    assert "劳动争议处理" not in text and "根据《中华人民共和国劳动法》" not in text
    assert reader(pdf).trailer["/Info"]["/Subject"] == "变更协议"
    assert {f[0] for f in enumerate_sig_fields(reader(pdf))} >= {EMPLOYER_FIELD, WORKER_FIELD}


def test_an_employer_statement_has_the_seal_field_only(sample_terms, cjk_font, tmp_path):
    """A document only the employer signs (a termination certificate) prints no worker box."""
    pdf = render_contract_pdf(dataclasses.replace(sample_terms, worker_signs=False), cjk_font)
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    assert [name for name, *_ in enumerate_sig_fields(reader(pdf))] == [EMPLOYER_FIELD]
    text = "".join(page_texts(path))
    assert "甲方（盖章）" in text and "乙方（签字）" not in text
