"""Pushed records: attendance from site devices or the housing department's platform, pay-out
results from the banks. Each record is checked by the file imports' own checks
(:mod:`app.services.projects.wage_checks`) under the national platform's field names; any
problem refuses the whole push (every problem by record index and field, nothing stored).
A record is kept once per sender and ``recordId``: pushed again it is a duplicate; with other
content it is refused (only a pay-out reported failed may come again as success: updated). A
pay-out already stored from another source (a payroll file, another sender) is matched, not
added again. What a push changed is stored in the file imports' tables, its worker-months
noted for re-reconciliation (:mod:`app.services.feeds.rereconcile`), all in one transaction
under the project's lock.
"""

from __future__ import annotations

import re
from collections import defaultdict

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import pii
from app.domain.typed import Msg
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import FeedKey, FeedReceipt, PayRecord, Project
from app.services.feeds import keys, rereconcile
from app.services.platform import audit
from app.services.projects import projects, reconcile_sets, wage_checks, wage_import
from app.services.projects.import_files import Columns, ImportInvalid, cell

ATTENDANCE = {name: aliases[-1] for name, aliases in (
    *wage_import.ATTENDANCE.items(), *wage_import.ATTENDANCE_DAYS.items())}
PAYMENTS = {name: aliases[-1] for name, aliases in wage_import.PAYROLL.items()}
RECORD_ID = re.compile(r"[\x21-\x7e]{1,64}")
PAID, FAILED = ("success", "20", "paid", "成功"), ("failed", "30", "fail", "失败")
INVALID = "推送的记录有%(count)s处问题，请修改后重新推送（本次未保存任何记录）"
NOT_OBJECT = "每条记录应为 JSON 对象"
BAD_RECORD_ID = "recordId 应为 1 到 64 位可见 ASCII 字符"
BAD_STATUS = "status 应为 success（成功）或 failed（失败）"
NOT_THIS_BANK = "付款账号不是本行开立的项目农民工工资专用账户"
NOT_THAT_PROJECT = "付款账号不是该项目的农民工工资专用账户"
TOO_MANY = "一次最多推送%(limit)s条记录"
NO_PROJECT = "项目不存在"
ATTENDANCE_BY_BANK = "银行密钥只能推送代发结果，不能推送考勤"
CHANGED = "该 recordId 已收到过内容不同的记录，更正请用新的 recordId（代发由失败改为成功除外）"


class FeedInvalid(ImportInvalid):
    """A push has problems (by record index from 1 and JSON field); nothing was stored."""

    code = "feed_invalid"

    def __init__(self, problems: list):
        super().__init__(problems, INVALID)


def at_bank(project_code: str, bank_code: str) -> bool:
    """Whether a project's bank code (3 to 12 digits: a branch's, 102551000015, starts with
    its bank's) is at the bank ``bank_code`` (3 digits)."""
    return (project_code or "")[:3] == bank_code


def _project(key: FeedKey, project_id: int | None) -> Project | None:
    """The project a push names (or a project key's own); a bank key may name none."""
    wanted = project_id if project_id is not None else key.project_id
    if wanted is None:
        return None
    project = db.session.get(Project, wanted)
    if project is None or (key.project_id is not None and key.project_id != wanted) or (
            key.bank_code is not None and not at_bank(project.wage_bank_code, key.bank_code)):
        raise NotFound(NO_PROJECT, code="project_not_found")
    return project


def _records(records: list, names: dict, check, content) -> tuple[list, list]:
    """Each record as ``(index, recordId, checked values, keyed hash of its content)``, or
    the problems of all."""
    if len(records) > current_app.config["FEED_MAX_RECORDS"]:
        raise ValidationFailed("请检查标出的字段", fields={"records": Msg(
            TOO_MANY, limit=current_app.config["FEED_MAX_RECORDS"])})
    problems: list = []
    out = []
    for n, record in enumerate(records, 1):
        def report(name: str, message: Msg, n: int = n) -> None:
            problems.append(_JSON.problem(n, names.get(name, name), message))

        if not isinstance(record, dict):
            report("", Msg(NOT_OBJECT))
            continue
        given = record.get("recordId")
        record_id = cell(given) if isinstance(given, str | int) and given is not True and (
            given is not False) else ""
        if not RECORD_ID.fullmatch(record_id):
            report("recordId", Msg(BAD_RECORD_ID))
        raw = {name: cell(record.get(field)) for name, field in names.items()}
        values = check(record, raw, report)
        if values is not None:
            out.append((n, record_id, values, pii.keyed_hash(repr(content(values)), "feed")))
    return out, problems


_JSON = Columns({})  # a JSON record has no columns: its problems name the field


def _sort(key: FeedKey, kind: str, records: list) -> tuple[list, list[PayRecord], dict]:
    """Each record against what this sender pushed before (and earlier in this push): new;
    a duplicate (the same content); updated (a pay-out reported failed, now success). Returns
    the new records, the pay records to mark paid and every record's result by index.

    :raises FeedInvalid: a record id received before with other content (nothing stored).
    """
    ids = sorted({r[1] for r in records})
    before: dict[str, FeedReceipt] = {}
    for at in range(0, len(ids), wage_import.CHUNK):
        before.update((r.record_id, r) for r in db.session.scalars(select(FeedReceipt).where(
            FeedReceipt.sender == key.sender, FeedReceipt.kind == kind,
            FeedReceipt.record_id.in_(ids[at:at + wage_import.CHUNK]))))
    pay_ids = sorted({r.pay_record_id for r in before.values() if r.pay_record_id})
    pays = {p.id: p for p in db.session.scalars(select(PayRecord).where(
        PayRecord.id.in_(pay_ids)))} if pay_ids else {}
    fresh, updated, results, problems, seen = [], [], {}, [], {}
    for n, record_id, values, digest in records:
        status = values[1] if kind == "payment" else None
        pay = None
        if record_id in seen:
            was, was_status = seen[record_id]
        elif record_id in before:
            pay = pays.get(before[record_id].pay_record_id)
            was, was_status = before[record_id].content_hash, pay.status if pay else None
        else:
            seen[record_id] = (digest, status)
            fresh.append((n, record_id, values, digest))
            results[n] = {"index": n, "recordId": record_id, "result": "new"}
            continue
        if was == digest and status == was_status:
            results[n] = {"index": n, "recordId": record_id, "result": "duplicate"}
        elif was == digest and pay is not None and (was_status, status) == (
                reconcile_sets.FAILED, "paid"):
            updated.append(pay)
            seen[record_id] = (digest, status)
            results[n] = {"index": n, "recordId": record_id, "result": "updated"}
        else:
            problems.append(_JSON.problem(n, "recordId", Msg(CHANGED)))
    if problems:
        db.session.rollback()
        raise FeedInvalid(problems)
    return fresh, updated, results


def _receipts(key: FeedKey, kind: str, project_id: int, found: list,
              pays: list | None = None) -> None:
    db.session.add_all(FeedReceipt(
        sender=key.sender, kind=kind, record_id=record_id, project_id=project_id,
        key_id=key.id, content_hash=digest, pay_record_id=pays[i].id if pays and pays[i] else None)
        for i, (_, record_id, _, digest) in enumerate(found))


def _answer(results: dict, projects_: list[int]) -> dict:
    listed = [results[n] for n in sorted(results)]
    count = {kind: sum(r["result"] == kind for r in listed)
             for kind in ("new", "duplicate", "matched", "updated")}
    return {"received": len(listed), "new": count["new"], "duplicates": count["duplicate"],
            "matched": count["matched"], "updated": count["updated"], "projects": projects_,
            "records": listed}


def _once(store):
    """Run ``store`` (it commits); a concurrent push of the same records made it collide:
    once more, when they are duplicates."""
    try:
        return store()
    except IntegrityError:
        db.session.rollback()
        return store()


def push_attendance(key: FeedKey, project_id: int | None, records: list) -> dict:
    """Store pushed clock events (``direction`` + ``date``) and day rows (``workDate`` +
    ``workHours``) of the key's project; returns what was new and what duplicate.

    :raises Forbidden: a bank's key. :raises NotFound: another project.
    :raises FeedInvalid: problems by record and field, or a record id pushed before with
        other content (nothing stored).
    """
    if key.project_id is None:
        raise Forbidden(ATTENDANCE_BY_BANK, code="not_a_project_key")
    project = _project(key, project_id)

    def check(record: dict, raw: dict, report):
        return ("day", wage_checks.day(raw, report)) if "workDate" in record else (
            "event", wage_checks.event(raw, report))

    checked, problems = _records(records, ATTENDANCE, check, lambda values: values)
    if problems:
        raise FeedInvalid(problems)

    def store() -> dict:
        projects.lock(project.id)
        keys.touch(key)
        fresh, _, results = _sort(key, "attendance", checked)
        events: dict = {}
        masked: dict = {}
        for _, _, (shape, found), _ in fresh:
            (wage_import.add_day if shape == "day" else wage_import.add_event)(
                events, masked, *found)
        done = wage_import.add_days(project.id, events, masked)
        _receipts(key, "attendance", project.id, fresh)
        rereconcile.note(project.id, {(h, f"{d:%Y-%m}") for h, d in events})
        audit.record(None, f"feed:{key.id}", "project.attendance_pushed", project=project.id,
                     records=len(results), new=len(fresh), new_events=done["new_events"])
        db.session.commit()
        return _answer(results, [project.id])

    return _once(store)


def _bank_accounts(bank_code: str) -> dict[str, int]:
    """The keyed hashes of the dedicated wage accounts held at the bank (:func:`at_bank`)
    -> their project (the account is never stored in clear)."""
    return {hashed: project_id for project_id, hashed in db.session.execute(
        select(Project.id, Project.wage_account_hash).where(
            Project.wage_bank_code.startswith(bank_code, autoescape=True),
            Project.wage_account_hash.is_not(None)))}


def push_payments(key: FeedKey, project_id: int | None, records: list) -> dict:
    """Store pushed pay-out results: a project key's for its project; a bank key's for the
    project whose dedicated account (at that bank) paid, matched by ``payBankCardNumber``.
    A failed pay-out is kept as failed and never counts as paid; reported again as success
    under its ``recordId`` it is updated. A pay-out stored already from another source (the
    same project, person, month, payee account, amount and date) is matched one to one
    (:func:`wage_import.add_payments`: a failure only a file line no push reported on):
    not added again, its status set to the pushed one.

    :raises NotFound: another project (or, for a bank key, a project at another bank).
    :raises FeedInvalid: problems by record and field, or a record id pushed before with
        other content (nothing stored).
    """
    project = _project(key, project_id)
    accounts = _bank_accounts(key.bank_code) if key.bank_code else {}

    def check(record: dict, raw: dict, report):
        status = cell(record.get("status")).lower()
        if status not in PAID + FAILED:
            report("status", Msg(BAD_STATUS))
        values = wage_checks.payment(raw, report, pushed=True)
        if values is None or status not in PAID + FAILED:
            return None
        target = project.id if project else None
        if key.bank_code:
            paying = accounts.get(pii.keyed_hash(values["accounts"]["paying_account"], "account"))
            if paying is None or (project and paying != project.id):
                report("paying_account", Msg(NOT_THAT_PROJECT if project else NOT_THIS_BANK))
                return None
            target = paying
        return target, reconcile_sets.FAILED if status in FAILED else "paid", values

    checked, problems = _records(records, PAYMENTS, check, lambda v: (v[0], v[2]))
    if problems:
        raise FeedInvalid(problems)

    def store() -> dict:
        targets = sorted({values[0] for _, _, values, _ in checked})
        for target in targets:
            projects.lock(target)
        keys.touch(key)
        fresh, updated, results = _sort(key, "payment", checked)
        touched: dict[int, set] = defaultdict(set)
        for pay in updated:
            pay.status = "paid"
            touched[pay.project_id].add((pay.id_hash, pay.month))
        by_project: dict[int, list] = defaultdict(list)
        for item in fresh:
            by_project[item[2][0]].append(item)
        for target, found in by_project.items():
            pays = _store_payouts(key, target, found, results)
            _receipts(key, "payment", target, found, pays)
            touched[target] |= {(p.id_hash, p.month) for p in pays if p is not None}
        for target, pairs in touched.items():
            rereconcile.note(target, pairs)
        audit.record(None, f"feed:{key.id}", "project.payments_pushed", projects=targets,
                     records=len(results), new=len(fresh), updated=len(updated))
        db.session.commit()
        return _answer(results, targets)

    return _once(store)


def _store_payouts(key: FeedKey, target: int, found: list, results: dict) -> list:
    """Add the new pay-outs of the project ``target``; one stored already from another
    source is matched (its status the pushed one; its gross, if unknown, the pushed one).
    Returns the pay record each became or matched (flushed: their ids)."""
    records = [wage_import.pay_record(target, v, line=f"feed|{key.sender}|{record_id}",
                                      status=status, record_id=record_id, sender=key.sender)
               for _, record_id, (_, status, v), _ in found]
    added, matched = wage_import.add_payments(records, key.sender)
    kept = {id(r) for r in added}
    for i, existing in matched.items():
        existing.status = records[i].status
        if existing.gross is None:
            existing.gross = records[i].gross
        results[found[i][0]]["result"] = "matched"
    db.session.flush()
    return [matched.get(i) or (r if id(r) in kept else None) for i, r in enumerate(records)]
