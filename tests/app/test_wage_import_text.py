"""Attendance and payroll imports as the project page describes them: the documented column
names and the short ones people write both work, a refused file is described as an import
(not as a roster of contracts), and an import says what it changed — nothing, or how many
records were new, changed and unchanged — in Chinese and in English."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import AttendanceDay, PayRecord
from tests.app.project_helpers import make_project
from tests.app.test_wage_reconciliation import PAY_HEADER, PEOPLE, _csv, _import, _pay
from tests.conftest import login

SHORT_HEADER = ["身份证号码", "月份", "出勤天数", "应发", "实发", "收款账号", "收款银行", "户名", "付款账号",
                "发放日期"]


def _flash(resp) -> str:
    html = resp.get_data(as_text=True)
    found = re.search(r'class="flash success"[^>]*>(.*?)<', html, re.S)
    assert found, html[-1500:]
    return found.group(1).strip()


def _follow(client, project_id: int, kind: str, data: bytes) -> str:
    resp = _import(client, project_id, kind, data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[-1500:]
    return _flash(client.get(resp.headers["Location"]))


def test_the_page_documents_the_columns_the_import_names(client, world):
    project = make_project()
    login(client, "hr")
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "应发金额、实发金额、收款账号、收款户名" in html
    resp = _import(client, project.id, "payroll", _csv(["身份证号码", "月份"],
                                                       [[PEOPLE[1][1], "2026-10"]]))
    assert "缺少“应发金额”列" in resp.get_data(as_text=True)  # the page's name for it


def test_payroll_with_the_short_headers_imports(client, world):
    project = make_project()
    login(client, "hr")
    rows = [_pay(1, "6000", "2026-11-15"), _pay(2, "5000", "2026-11-15")]
    said = _follow(client, project.id, "payroll", _csv(SHORT_HEADER, rows))
    assert said == "已导入工资发放记录2行：新增2条，0条此前已导入，未重复计入"
    assert db.session.scalar(select(func.count()).select_from(PayRecord)) == 2
    db.session.rollback()
    # the same lines under the documented headers: the same records, nothing new
    said = _follow(client, project.id, "payroll", _csv(PAY_HEADER, rows))
    assert said == "文件中的2行都已导入过，没有任何变化"
    said = _follow(client, project.id, "payroll", _csv(PAY_HEADER, [
        *rows, _pay(3, "4000", "2026-11-15")]))
    assert said == "已导入工资发放记录3行：新增1条，2条此前已导入，未重复计入"
    client.set_cookie("lang", "en")
    said = _follow(client, project.id, "payroll", _csv(PAY_HEADER, rows))
    assert said == "All 2 rows of the file were imported before: nothing changed"


def test_attendance_says_what_changed(client, world):
    project = make_project()
    login(client, "hr")
    header = ["身份证号码", "方向", "时间"]
    first = [[PEOPLE[1][1], "01", f"2026-10-{d:02d} 08:00:00"] for d in (1, 2, 3)]
    said = _follow(client, project.id, "attendance", _csv(header, first))
    assert said == "已导入考勤3行：新增3天，更新0天，0天没有变化"
    assert _follow(client, project.id, "attendance", _csv(header, first)) == \
        "文件中的3行都已导入过，没有任何变化"
    more = [*first, [PEOPLE[1][1], "02", "2026-10-01 17:00:00"],
            [PEOPLE[1][1], "01", "2026-10-04 08:00:00"]]
    said = _follow(client, project.id, "attendance", _csv(header, more))
    assert said == "已导入考勤5行：新增1天，更新1天，2天没有变化"
    assert db.session.scalar(select(func.count()).select_from(AttendanceDay)) == 4
    db.session.rollback()
    client.set_cookie("lang", "en")
    said = _follow(client, project.id, "attendance", _csv(header, [
        *more, [PEOPLE[2][1], "01", "2026-10-04 08:00:00"]]))
    assert said == "Attendance imported from 6 rows: new days: 1, updated: 0, unchanged: 4"


def test_a_refused_import_is_described_as_an_import(client, world):
    project = make_project()
    login(client, "hr")
    bad = [_pay(1, "6000", "2026-11-15"), _pay(2, "6000", "2026-11-15")]
    bad[0][1], bad[1][5] = "2026-13", "1234"
    html = _import(client, project.id, "payroll", _csv(PAY_HEADER, bad)).get_data(as_text=True)
    assert "工资发放记录文件有2处问题，请修改后重新上传（尚未导入任何发放记录）" in html
    banner = re.search(r'id="project-error">(.*?)<', html).group(1)
    assert "名册" not in banner and "合同" not in banner
    assert "B列（月份）" in html and "F列（收款账号）" in html
    bad = _csv(["身份证号码", "方向", "时间"], [[PEOPLE[1][1], "03", "2026-10-01 08:00:00"]])
    html = _import(client, project.id, "attendance", bad).get_data(as_text=True)
    assert "考勤文件有1处问题，请修改后重新上传（尚未导入任何考勤记录）" in html
    assert "B列（方向）" in html
    client.set_cookie("lang", "en")
    html = _import(client, project.id, "attendance", bad).get_data(as_text=True)
    assert "The attendance file has 1 problem(s); correct them and upload it again " \
           "(no attendance was imported)" in html and "column B (方向)" in html


def test_a_payroll_line_completing_a_pushed_pay_out_is_said(ctx):
    """A file line matching a pay-out the bank pushed (no 应发 of its own) completes it: the
    answer says so instead of "0 new, 0 unchanged"."""
    from app.services.projects.import_files import summary

    said = summary("payroll", {"rows": 3, "new": 1, "changed": 1, "unchanged": 1})
    assert str(said) == ("已导入工资发放记录3行：新增1条，补全银行已推送的发放记录1条，"
                         "1条此前已导入，未重复计入")
    assert str(summary("payroll", {"rows": 2, "new": 2, "changed": 0, "unchanged": 0})) == (
        "已导入工资发放记录2行：新增2条，0条此前已导入，未重复计入")
