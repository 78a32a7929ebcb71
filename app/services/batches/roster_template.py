"""The roster template an employer downloads: the headers, one example row (skipped on
upload), drop-down lists for the choices, text format for ID numbers and phones, and a sheet
explaining every column.

The template suggests only what the upload page lets the employer complete: the team (班组)
on a construction project appears only when the employer has a project to choose on that
page, and the example's pay is never under the minimum wage in force in the employer's region
(a daily wage: the monthly minimum ÷ 21.75), so that a row filled in like the example passes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from app.domain.ids import id_with_check
from app.domain.rules.pay import daily_minimum
from app.models import TemplateVersion
from app.services.batches import roster
from app.services.contracts import contract_project, contracts
from app.services.platform.principal import Principal
from app.services.standards import minimum_wages

NOTE = "以“示例”开头的行不会导入；每个劳动者一行，最多 2000 行。"
TEAM_NOTE = "填写班组时，请在上传页选择工程项目"
EXAMPLE_START = date(2027, 1, 1)
EXAMPLE = {"worker_name": "示例：张三", "worker_id_number": id_with_check("43012119900101123"),
           "worker_phone": "13800138000", "worker_address": "湖南省长沙县星沙街道",
           "term_start": EXAMPLE_START.isoformat(), "term_end": "2029-12-31",
           "probation_months": "2", "post": "钢筋工", "work_location": "长沙县",
           "pay_day": "15", "project_name": "星沙安置房一期", "team": "钢筋班",
           "project_team": "钢筋班", "wage_account": "长沙银行星沙支行 专户",
           "hours_per_day": "4", "hours_per_week": "20", "pay_cycle_days": "15",
           "task_name": "一号楼主体结构施工"}
EXAMPLE_CHOICES = {"wage_form": "daily"}  # construction workers are mostly paid by the day
PAY = {"monthly_wage": Decimal(5000), "probation_wage": Decimal(4000),
       "hourly_wage": Decimal(25), "daily": Decimal(300)}
TYPE_HINTS = {"text": "文本", "date": "日期（YYYY-MM-DD）", "money": "金额（元）",
              "integer": "整数", "choice": "可选值", "yes_no": "是 / 否",
              "id_number": "18位身份证号码（文本格式）", "phone": "11位手机号码"}


@dataclass(frozen=True)
class Suggestions:
    """What the example row may suggest for one employer: the monthly and hourly minimum
    wage in force (``None``: no row applies) and the projects it may choose on the page."""

    monthly_minimum: Decimal | None = None
    hourly_minimum: Decimal | None = None
    project_names: tuple[str, ...] = ()


def suggestions(p: Principal) -> Suggestions:
    """The employer's region's minimum wage on the example's start date, and the projects
    the upload page offers it. :raises Forbidden: ``p`` is no employer."""
    org = contracts._employer(p)
    wage = minimum_wages.in_force(org.region_code, EXAMPLE_START)
    return Suggestions(wage.monthly if wage else None, wage.hourly if wage else None,
                       tuple(x.name for x in contract_project.joinable(p)))


def _yuan(amount: Decimal) -> str:
    return format(amount.quantize(Decimal(1), rounding=ROUND_CEILING), "f")


def example_pay(hints: Suggestions) -> dict[str, str]:
    """The example's pay: the usual figures, raised to the minimum wage where it is higher
    (probation pay also to 80 % of the wage, as the law asks)."""
    monthly = max(PAY["monthly_wage"], hints.monthly_minimum or 0)
    probation = max(PAY["probation_wage"], hints.monthly_minimum or 0, monthly * Decimal("0.8"))
    daily = max(PAY["daily"], daily_minimum(hints.monthly_minimum) if hints.monthly_minimum
                else 0)
    hourly = max(PAY["hourly_wage"], hints.hourly_minimum or 0)
    return {"monthly_wage": _yuan(monthly), "probation_wage": _yuan(probation),
            "hourly_wage": _yuan(hourly), "wage_amount": _yuan(daily)}


def columns(version: TemplateVersion, hints: Suggestions) -> list[dict]:
    """The template's columns: the roster's, without the project's team when the page has
    no project to choose."""
    return [s for s in roster.columns(version)
            if s is not roster.TEAM_COLUMN or hints.project_names]


def example_row(version: TemplateVersion, hints: Suggestions) -> list[str]:
    """The example row's cells, column by column."""
    values = {**EXAMPLE, **example_pay(hints)}
    if hints.project_names:  # the page's project, so that the name agrees with the choice
        values["project_name"] = hints.project_names[0]
    return [_example(spec, values) for spec in columns(version, hints)]


def template_file(version: TemplateVersion, hints: Suggestions = Suggestions()) -> bytes:
    """The roster template for ``version`` (XLSX) as ``hints`` allow (see the module)."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名册"
    specs = columns(version, hints)
    sheet.append([("*" if _required(s) else "") + s["label"] for s in specs])
    sheet.append(example_row(version, hints))
    for index, spec in enumerate(specs, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(spec["label"]) * 2 + 4)
        sheet.cell(1, index).font = Font(bold=True)
        if spec["type"] in ("id_number", "phone", "date"):  # typed as text, kept as typed
            sheet.column_dimensions[letter].number_format = "@"
        options = _options(spec)
        if options:
            rule = DataValidation(type="list", formula1='"' + ",".join(options) + '"',
                                  allow_blank=True)
            rule.add(f"{letter}3:{letter}2001")
            sheet.add_data_validation(rule)
    notes = book.create_sheet("填写说明")
    notes.append(["列", "是否必填", "格式", "可选值 / 默认值"])
    for spec in specs:
        notes.append([spec["label"], "必填" if _required(spec) else "选填", TYPE_HINTS[spec["type"]],
                      TEAM_NOTE if spec is roster.TEAM_COLUMN else
                      "、".join(_options(spec)) or (spec.get("default") or "")])
    notes.append([])
    notes.append([NOTE])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _required(spec: dict) -> bool:
    return bool(spec.get("required")) and spec.get("default") is None


def _options(spec: dict) -> list[str]:
    if spec["type"] == "choice":
        return list(spec["choices"].values())
    if spec["type"] == "yes_no":
        return ["是", "否"]
    return []


def _example(spec: dict, values: dict) -> str:
    if spec["type"] == "choice":
        chosen = EXAMPLE_CHOICES.get(spec["name"])
        return spec["choices"].get(chosen) or next(iter(spec["choices"].values()))
    if spec["type"] == "yes_no":
        return "否"
    return values.get(spec["name"], "")
