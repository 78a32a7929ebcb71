"""The auditor's search form: its criteria read and checked (each error names its field),
the sort orders and the page of results with its capped count
(:mod:`app.services.filing.search` runs it)."""

from __future__ import annotations

from datetime import date

from app.domain import typed
from app.domain.ids import id_number_error
from app.domain.rules.base import KINDS
from app.domain.typed import Msg
from app.errors import ValidationFailed
from app.models import Contract
from app.models.contract import CONTRACT_STATUSES

TEXT_FIELDS = ("worker_name", "id_number", "employer", "filing_number", "project")
CHOICE_FIELDS = {"kind": KINDS, "status": CONTRACT_STATUSES}
DATE_FIELDS = ("signed_from", "signed_to")
#: Every criterion of the form (each narrows the result); ``sort`` and ``page`` only order it.
CRITERIA = (*TEXT_FIELDS, *CHOICE_FIELDS, *DATE_FIELDS)
SEARCH_FIELDS = (*CRITERIA, "sort", "page")
LIMITS = {"worker_name": 50, "id_number": 18, "employer": 200, "filing_number": 40,
          "project": 200}
#: Names typed shorter than this match the start of the name, longer ones anywhere in it.
PREFIX_BELOW = 3
LABELS = {"worker_name": "劳动者姓名", "id_number": "身份证号码", "employer": "用人单位",
          "filing_number": "备案号", "project": "项目", "kind": "合同类型", "status": "状态",
          "signed_from": "签署日期（起）", "signed_to": "签署日期（止）", "sort": "排序",
          "page": "页码"}
#: sort key → (column, direction) of the ORDER BY (the id breaks ties: pages never overlap)
SORT_KEYS = {
    "newest": (("id", "desc"),),
    "oldest": (("id", "asc"),),
    "signed_desc": (("signed_at", "desc"), ("id", "desc")),
    "signed_asc": (("signed_at", "asc"), ("id", "asc")),
}


def order_by(sort: str, columns=Contract.__table__.c) -> tuple:
    """The ORDER BY of ``sort`` on ``columns`` (the contracts' or a subquery's)."""
    return tuple(getattr(columns[name], direction)() for name, direction in SORT_KEYS[sort])


#: sort key → ORDER BY on contracts
SORTS = {sort: order_by(sort) for sort in SORT_KEYS}
PAGE_SIZE = 50
#: Matches are counted up to this many; more show as "1000+".
COUNT_CAP = 1000
MAX_PAGE = COUNT_CAP // PAGE_SIZE
NOT_A_CHOICE = "%(label)s不是可选的值"
PAGE_RANGE = "%(label)s应在1到%(limit)s之间"
DATES_REVERSED = "签署日期（起）不能晚于签署日期（止）"
#: the signing dates a search accepts (later ones overflow the day after the end)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
DAY_RANGE = "%(label)s应在1900-01-01至2999-12-31之间"


class SearchPage(list):
    """One page of contracts (a list), with what the page shows around it.

    :ivar total: matches counted, at most :data:`COUNT_CAP` (+1 when there are more).
    :ivar capped: there are more than :data:`COUNT_CAP` matches ("1000+").
    :ivar page: this page's number (from 1); ``pages``: the last page that can be opened.
    """

    def __init__(self, rows: list[Contract], *, total: int, page: int) -> None:
        super().__init__(rows)
        self.capped = total > COUNT_CAP
        self.total = min(total, COUNT_CAP)
        self.page = page
        self.pages = max(1, min(MAX_PAGE, -(-self.total // PAGE_SIZE)))

    @property
    def has_next(self) -> bool:
        """Another page can be opened."""
        return self.page < self.pages


def _field_error(errors: dict, name: str, problem: str, **extra) -> None:
    errors[name] = Msg(problem, label=Msg(LABELS[name]), **extra)


def read_criteria(params: dict) -> dict:
    """The search form's values, typed and checked.

    :raises ValidationFailed: no criterion, a field too long, not text or not one of the
        choices, a malformed ID number or date, reversed dates, a page out of range.
    """
    crit: dict = {}
    errors: dict = {}
    for name in TEXT_FIELDS:
        value, problem = typed.text(params.get(name), limit=LIMITS[name])
        if problem:
            _field_error(errors, name, problem, limit=LIMITS[name])
        crit[name] = value
    for name, choices in CHOICE_FIELDS.items():
        value, problem = typed.text(params.get(name), limit=20)
        if problem or (value and value not in choices):
            _field_error(errors, name, NOT_A_CHOICE)
        crit[name] = value
    for name in DATE_FIELDS:
        raw = params.get(name)
        crit[name] = None
        if raw not in (None, ""):
            crit[name], problem = typed.iso_date(raw)
            if problem or not FIRST_DAY <= crit[name] <= LAST_DAY:
                _field_error(errors, name, problem or DAY_RANGE)
    sort = params.get("sort") or "newest"
    if sort not in SORTS:
        _field_error(errors, "sort", NOT_A_CHOICE)
    crit["sort"] = sort
    page, problem = (1, None) if params.get("page") in (None, "") else typed.integer(
        params.get("page"))
    if problem or page is None or not 1 <= page <= MAX_PAGE:
        _field_error(errors, "page", problem or PAGE_RANGE, limit=MAX_PAGE)
    crit["page"] = page
    if errors:
        raise ValidationFailed("查询条件有误，请检查标出的字段", fields=errors)
    if not any(crit[name] for name in CRITERIA):
        raise ValidationFailed("请至少填写一个查询条件", fields={"worker_name": "请至少填写一个查询条件"})
    if crit["id_number"] and (problem := id_number_error(crit["id_number"])):
        raise ValidationFailed(problem, fields={"id_number": problem})
    if crit["signed_from"] and crit["signed_to"] and crit["signed_from"] > crit["signed_to"]:
        raise ValidationFailed(DATES_REVERSED, fields={"signed_from": DATES_REVERSED})
    return crit
