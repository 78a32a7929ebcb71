"""The staff register (职工名册, IR art. 8): the workers in service on a chosen day, from the
employer's signed contracts, with the regulation's fields (sex read from the ID number), ID
number and phone masked; HTML, XLSX and a PDF with the CJK font embedded; another employer's
workers never on it."""

from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import load_workbook

from app.domain.ids import id_with_check
from app.extensions import db
from tests.app.flows import in_force
from tests.app.pdftools import pdf_text
from tests.conftest import login

MAN = id_with_check("43012119900101001")  # 17th digit 1: male
WOMAN = id_with_check("43012119900101002")  # 17th digit 2: female


def _rows(html: str) -> list[list[str]]:
    body = html.split('id="register"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    return [re.findall(r"<td>(.*?)</td>", tr) for tr in re.findall(r"<tr>(.*?)</tr>", body)]


def _world(client, world):
    man = in_force(client, world, date(2027, 12, 31), start=date(2026, 1, 1), worker_id_number=MAN,
                   worker_name="王五", worker_address="长沙县星沙街道")
    woman = in_force(client, world, None, start=date(2026, 3, 1), worker_id_number=WOMAN,
                     worker_name="赵六")
    woman.template = "open_ended"  # no end date: an open-ended contract (无固定期限)
    ended = in_force(client, world, date(2027, 12, 31), start=date(2026, 1, 1), status="terminated")
    ended.ended_on = date(2026, 6, 30)
    in_force(client, world, date(2027, 12, 31), start=date(2026, 1, 1), status="draft")
    in_force(client, world, date(2027, 12, 31), start=date(2026, 1, 1), key="api_key_other")
    db.session.commit()
    return man, woman, ended


def test_who_is_on_the_register_on_a_day(client, world):
    man, woman, ended = _world(client, world)
    login(client, "hr")
    html = client.get("/employer/register?as_of=2026-06-30").get_data(as_text=True)
    rows = _rows(html)
    names = [r[0] for r in rows]
    assert sorted(names) == sorted(["王五", "赵六", ended.worker_name]), names  # last day in
    by_name = {r[0]: r for r in rows}
    assert by_name["王五"][1] == "男" and by_name["赵六"][1] == "女"
    assert by_name["王五"][2] == MAN[:4] + "**********" + MAN[-4:] and MAN not in html
    assert by_name["王五"][3] == "长沙县星沙街道" and by_name["王五"][5] == "全日制用工"
    assert by_name["王五"][7] == "2026-01-01 — 2027-12-31" and by_name["赵六"][7] == "无固定期限"
    after = _rows(client.get("/employer/register?as_of=2026-07-01").get_data(as_text=True))
    assert sorted(r[0] for r in after) == ["王五", "赵六"]  # ended on 06-30: off on 07-01
    before = _rows(client.get("/employer/register?as_of=2026-02-28").get_data(as_text=True))
    assert [r[0] for r in before if r[0] in ("王五", "赵六")] == ["王五"]  # 赵六 starts 03-01
    on_start = _rows(client.get("/employer/register?as_of=2026-03-01").get_data(as_text=True))
    assert "赵六" in [r[0] for r in on_start]
    past_end = _rows(client.get("/employer/register?as_of=2028-01-01").get_data(as_text=True))
    assert [r[0] for r in past_end] == ["赵六"]


def test_downloads_and_bad_date(client, world, tmp_path):
    _world(client, world)
    login(client, "hr")
    xlsx = client.get("/employer/register?as_of=2026-06-30&format=xlsx")
    assert xlsx.status_code == 200
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.values)
    assert rows[0][0] == "姓名" and len(rows) == 4 and MAN not in str(rows)
    pdf = client.get("/employer/register?as_of=2026-06-30&format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data, tmp_path)
    assert "职工名册" in text and "王五" in text and "无固定期限" in text
    assert b"FontFile2" in pdf.data  # the CJK font is embedded
    bad = client.get("/employer/register?as_of=20260630")
    assert bad.status_code == 422 and 'value="20260630"' in bad.get_data(as_text=True)
    assert 'id="err-as_of"' in bad.get_data(as_text=True)


def test_another_employers_register_is_its_own(client, world):
    _world(client, world)
    login(client, "hr2")
    rows = _rows(client.get("/employer/register?as_of=2026-06-30").get_data(as_text=True))
    assert len(rows) == 1 and "王五" not in str(rows)
