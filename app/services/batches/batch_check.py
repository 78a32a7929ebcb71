"""Checking a roster before anything is created: every row by the same typing and labor-law
rules as a single contract, plus the same person twice in the file and a person who already
has an unsent draft with the employer; then the checked batch is stored, ready to launch.

Nothing is written while any row has a problem: the employer sees every problem by row and
column, fixes the file and uploads it again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from app import pii
from app.domain.ids import mask_id
from app.domain.typed import Msg
from app.errors import ValidationFailed
from app.extensions import db
from app.models import Batch, BatchRow, Contract, TemplateVersion, Worker
from app.services.batches import roster, roster_file
from app.services.contracts import contract_project, contracts
from app.services.contracts import rules as rule_engine
from app.services.platform import audit
from app.services.platform.principal import Principal
from app.services.templates import templates

ROSTER_INVALID = "名册有%(count)s处问题，请修改后重新上传（尚未创建任何合同）"
COLUMN_NAMED = "%(column)s列（%(header)s）"
NO_ROWS = "名册中没有劳动者（表头下面没有填写任何行）"
SAME_PERSON = "与第%(row)s行是同一个身份证号码"
HAS_DRAFT = "该劳动者已有尚未发送的合同草稿（%(contract_no)s），请先发送或作废"
ROWS_NOT_A_LIST = "rows 应为由对象组成的数组（每个劳动者一个对象）"
ROW_NOT_AN_OBJECT = "该行应为 JSON 对象"


@dataclass(frozen=True)
class Problem:
    """One problem: the spreadsheet row (API: the row's index from 1), the column (letter
    and field name; empty for the whole row or file), the message, and the column's header
    as the file has it (empty: none)."""

    row: int
    field: str
    column: str
    message: Msg
    header: str = ""

    def where(self) -> Msg | str:
        """The column as a person finds it: its letter and its header ("S列（班组）")."""
        if self.column and self.header:
            return Msg(COLUMN_NAMED, column=self.column, header=self.header)
        return self.column


class RosterInvalid(ValidationFailed):
    """The roster has problems; nothing was written."""

    code = "roster_invalid"

    def __init__(self, problems: list[Problem], message: str = ROSTER_INVALID):
        super().__init__(message, count=len(problems))
        self.problems = problems

    def to_dict(self) -> dict:
        """The error answer with every problem (message in the reader's language)."""
        from app.errors import translate

        return {**super().to_dict(), "problems": [
            {"row": p.row, "field": p.field, "column": p.column, "header": p.header,
             "message": translate(p.message)} for p in self.problems]}


def shown(problem: Problem) -> dict:
    """A problem as a page lists it, in the reader's language: row, column (letter and
    header), field and message."""
    from app.errors import translate

    where = problem.where()
    return {"row": problem.row, "column": translate(where) if isinstance(where, Msg) else where,
            "field": problem.field, "message": translate(problem.message)}


@dataclass
class _Row:
    row_no: int
    raw: dict
    clean: dict
    warnings: list


def _batch_link(p: Principal, chosen: object) -> contract_project.Link:
    """The project every row joins (``project_id``, ``project_team`` in ``chosen``).
    :raises ValidationFailed: not a project of the employer's."""
    _, link, errors = contract_project.resolve(p, chosen if isinstance(chosen, dict) else {},
                                               set())
    if errors:
        raise ValidationFailed(contracts.INVALID, fields=errors)
    return link


def from_file(p: Principal, template_choice: object, filename: str, data: bytes,
              project: object = None) -> Batch:
    """Check an uploaded roster (XLSX or CSV) and store it as a batch ready to launch.

    :param project: ``{"project_id", "project_team"}``: the construction project every
        contract of the batch joins (optional).
    :raises ValidationFailed: the file itself is unreadable (field ``file``), the template
        is unknown (field ``template``) or the project not the employer's (``project_id``).
    :raises RosterInvalid: problems by row and column.
    """
    org = contracts._employer(p)
    version = templates.version_for(p, template_choice)
    link = _batch_link(p, project)
    sheet = roster_file.read(data)
    found, header_problems = roster.header_map(version, sheet.header)
    problems = [Problem(sheet.header_row, "", "", m) for m in header_problems]
    if problems:
        raise RosterInvalid(problems)
    letters = {spec["name"]: (_letter(i), sheet.header[i].strip().lstrip("*").strip())
               for i, spec in found.items()}
    items = []
    for row_no, cells in sheet.rows:
        if roster.is_example(cells):
            continue
        raw, cell_problems = roster.typed_row(found, cells)
        items.append((row_no, raw, cell_problems))
    return _store(p, org, version, filename, items, letters, link)


def from_rows(p: Principal, template_choice: object, rows: object,
              project: object = None) -> Batch:
    """Check rows given as JSON objects (the API; typed strictly, as for one contract) and
    store the batch (``project`` as for :func:`from_file`; without it a row may name its
    own ``project_id``). :raises RosterInvalid: problems by row index (from 1) and field."""
    org = contracts._employer(p)
    version = templates.version_for(p, template_choice)
    link = _batch_link(p, project)
    if not isinstance(rows, list) or not rows:
        raise ValidationFailed(contracts.INVALID, fields={"rows": Msg(ROWS_NOT_A_LIST)})
    if len(rows) > roster_file.MAX_ROWS:
        raise ValidationFailed(contracts.INVALID, fields={"rows": Msg(
            roster_file.TOO_MANY_ROWS, limit=roster_file.MAX_ROWS)})
    items = [(n, row, {}) if isinstance(row, dict) else (n, {}, {"": Msg(ROW_NOT_AN_OBJECT)})
             for n, row in enumerate(rows, start=1)]
    return _store(p, org, version, "api", items, {}, link)


def _problem(row: int, name: str, columns: dict, message: Msg) -> Problem:
    """A problem of field ``name`` in ``row``, at its column (``columns``: field name to
    ``(letter, header)``; a field that is no column of the file has none)."""
    letter, header = columns.get(name, ("", ""))
    return Problem(row, name, letter, message, header)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _store(p: Principal, org, version: TemplateVersion, filename: str, items: list,
           letters: dict, link: contract_project.Link) -> Batch:
    if not items:
        raise ValidationFailed(NO_ROWS, fields={"file": Msg(NO_ROWS)}, code="roster_empty")
    problems: list[Problem] = []
    checked: list[_Row] = []
    first_row_of: dict[str, int] = {}
    choices, names = contract_project.joinable(p), {f["name"] for f in version.fields}
    for row_no, raw, cell_problems in items:
        typed, _, link_errors = contract_project.resolve(
            p, raw, names, team=link.team, project=link.project, choices=choices)
        clean, errors, warnings = ({}, {}, []) if "" in cell_problems else contracts.assess(
            org, version, {**typed, **{name: "" for name in cell_problems}})
        errors = {**link_errors, **errors, **cell_problems}
        id_number = clean.get("worker_id_number") if "worker_id_number" not in errors else None
        if id_number:
            if id_number in first_row_of:
                errors["worker_id_number"] = Msg(SAME_PERSON, row=first_row_of[id_number])
            first_row_of.setdefault(id_number, row_no)
        problems += [_problem(row_no, name, letters, message if isinstance(message, Msg) else Msg(
            message)) for name, message in errors.items()]
        checked.append(_Row(row_no, raw, clean, warnings))
    problems += _open_drafts(org.id, checked, letters)
    if problems:
        db.session.rollback()
        raise RosterInvalid(sorted(problems, key=lambda pr: (pr.row, pr.column)))
    batch = Batch(organization_id=org.id, created_by_id=p.user_id, api_key_id=p.api_key_id,
                  template_version_id=version.id, filename=filename[:200], status="ready",
                  total=len(checked), acknowledged=[],
                  project_id=link.project.id if link.project else None,
                  project_team=link.team if link.project else None)
    db.session.add(batch)
    for item in checked:
        db.session.add(BatchRow(
            batch=batch, row_no=item.row_no, status="waiting",
            data_enc=pii.encrypt(json.dumps(item.raw, ensure_ascii=False)),
            worker_name=item.clean["worker_name"][:100],
            id_masked=mask_id(item.clean["worker_id_number"]),
            warnings=[rule_engine.stored(f) for f in item.warnings]))
    db.session.flush()
    audit.record(None, p.actor, "batch.checked", batch=batch.id, rows=len(checked),
                 template=version.template.kind)
    db.session.commit()
    return batch


def _open_drafts(org_id: int, checked: list[_Row], letters: dict) -> list[Problem]:
    """Rows whose person already has an unsent draft contract with the employer."""
    by_hash = {pii.keyed_hash(r.clean["worker_id_number"]): r for r in checked
               if r.clean.get("worker_id_number")}
    if not by_hash:
        return []
    found = db.session.execute(
        select(Worker.id_hash, Contract.contract_no).join(Contract, Contract.worker_id == Worker.id)
        .where(Contract.organization_id == org_id, Contract.status == "draft",
               Contract.document_kind == "contract", Worker.id_hash.in_(list(by_hash))))
    return [_problem(by_hash[h].row_no, "worker_id_number", letters,
                     Msg(HAS_DRAFT, contract_no=no)) for h, no in found]
