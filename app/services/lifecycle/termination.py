"""Termination or dissolution (解除/终止) of a labor contract in force, and what follows its
filing: the original marked terminated, its retention counted from the last working day
(art. 50: at least two years), and the termination certificate issued.

The termination agreement is a lifecycle document (:mod:`app.services.lifecycle.chain`): sealed by the
employer when created, signed by the worker through the texted link, filed by the usual job.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.domain import labels
from app.domain import severance as law
from app.domain.expiry import today_in_beijing
from app.domain.typed import Msg
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import Contract
from app.services.contracts import contracts
from app.services.filing import filing
from app.services.lifecycle import chain
from app.services.platform import audit, jobs
from app.services.platform.principal import Principal
from signing import Clause
from signing.contract_text import cn_date, rmb

#: The last working day may lie at most this many days ahead (a notice period: arts. 37, 40).
MAX_DAYS_AHEAD = 30
INVALID = "解除（终止）信息有误，请检查标出的字段"
PREAMBLE = "甲乙双方依据《中华人民共和国劳动合同法》，就解除（终止）双方劳动合同事宜达成如下协议："
TRANSFER = ("甲方应当在解除或者终止劳动合同时出具解除或者终止劳动合同的证明，并在十五日内为乙方办理"
            "档案和社会保险关系转移手续（劳动合同法第五十条）。")


def _clean(contract: Contract, raw: dict, today: date) -> dict:
    """The typed request, checked. :raises ValidationFailed: a message per bad field."""
    errors: dict[str, str] = {}
    ground = raw.get("ground")
    if ground not in law.GROUNDS:
        errors["ground"] = Msg("请选择法定的解除或终止依据")
    elif ground not in law.grounds_for(contract.template):
        errors["ground"] = Msg("劳动合同法第七十一条只适用于非全日制用工")
    try:
        last = date.fromisoformat(str(raw.get("last_working_day") or ""))
    except ValueError:
        last = None
        errors["last_working_day"] = Msg("请填写最后工作日（YYYY-MM-DD）")
    start = date.fromisoformat(contract.terms["term_start"])
    end = contract.terms.get("term_end") or ""
    if last is not None:
        if last < start:
            errors["last_working_day"] = Msg("最后工作日不能早于合同开始日期%(start)s",
                                             start=start.isoformat())
        elif end and last > date.fromisoformat(end):
            errors["last_working_day"] = Msg("最后工作日不能晚于合同终止日期%(end)s", end=end)
        elif last > today + timedelta(days=MAX_DAYS_AHEAD):
            errors["last_working_day"] = Msg("最后工作日最多可以是%(days)s天之后",
                                             days=MAX_DAYS_AHEAD)
        elif ground == "art44_1" and last.isoformat() != end:
            errors["last_working_day"] = Msg("合同期满终止的，最后工作日应为合同终止日期%(end)s",
                                             end=end or "—")
    flags = {}
    for name in ("employer_proposed", "renewal_refused"):
        value = raw.get(name, False)
        if not isinstance(value, bool):
            errors[name] = Msg("应为是或否")
        flags[name] = value is True
    handover = raw.get("handover") or ""
    if not isinstance(handover, str) or len(handover) > 500:
        errors["handover"] = Msg("工作交接说明应为不超过500字的文字")
    if errors:
        raise ValidationFailed(INVALID, fields=errors)
    return {"ground": ground, "last_working_day": last, "handover": handover.strip(), **flags}


def first_day(contract: Contract) -> date:
    """The first day of work with this employer by the platform's records: the start of the
    earliest contract of the renewal chain ``contract`` continues."""
    first, seen = contract, {contract.id}
    while first.renewal_of_id and first.renewal_of_id not in seen:
        seen.add(first.renewal_of_id)
        first = first.renewal_of
    return date.fromisoformat(first.terms["term_start"])


#: the terms a month's wage is read from (:func:`app.domain.severance.contract_wage`)
WAGE_TERMS = {"monthly_wage": "月工资", "wage_form": "工资形式", "wage_amount": "工资标准",
              "usual_output": "正常工作时间月产量（计件数量）", "hourly_wage": "小时工资"}
NO_WAGE = "合同未约定有效的%(label)s，无法确定乙方的月工资，不能计算经济补偿"


def _wage(contract: Contract, last: date, due: bool) -> law.MonthlyWage | None:
    """The month's wage in force on ``last`` (None for part-time work, or when it cannot be
    read and no severance is due). :raises ValidationFailed: naming the term, when due."""
    if contract.template == law.PART_TIME:
        return None
    try:
        return law.contract_wage(contract.template, chain.terms_in_force(contract, last))
    except law.WageUnknown as unknown:
        if not due:
            return None
        message = Msg(NO_WAGE, label=Msg(WAGE_TERMS[unknown.field]))
        raise ValidationFailed(message, fields={unknown.field: message}) from None


def compute(contract: Contract, clean: dict) -> dict:
    """What the document states about severance (JSON-ready); ``reason`` says in words why
    none is due (art. 71 for part-time work, else art. 46)."""
    last, ground = clean["last_working_day"], clean["ground"]
    part_time = contract.template == law.PART_TIME
    due = law.severance_due(ground, employer_proposed=clean["employer_proposed"],
                            renewal_refused=clean["renewal_refused"], part_time=part_time)
    wage = _wage(contract, last, due)
    average = Decimal(str(current_app.config["LOCAL_AVERAGE_MONTHLY_WAGE"]))
    first = first_day(contract)
    s = law.severance(first, last, wage.amount if wage else Decimal(0), average)
    return {"due": due, "first_day": first.isoformat(), "service": s.service.text,
            "months": str(s.months), "monthly_wage": str(wage.amount) if wage else "",
            "wage_form": wage.form if wage else "", "wage_basis": wage.words if wage else "",
            "wage_used": str(s.wage_used) if wage else "", "capped": s.capped,
            "local_average_wage": str(average), "amount": str(s.amount) if due else "0.00",
            "reason": "" if due else law.why_none(ground, part_time=part_time)}


CAP = "；乙方月工资高于当地上年度职工月平均工资（%(average)s元）三倍，按三倍数额支付、年限最高不超过十二年"
MONEY = ("乙方在甲方的工作年限自%(first)s起至最后工作日为%(service)s（按本平台记录，续订的合同连续计算）。"
         "依据劳动合同法第四十六条、第四十七条，甲方向乙方支付经济补偿%(months)s个月工资，月工资按"
         "%(basis)s计算%(cap)s，共计%(amount)s，于办结工作交接时一次性支付。")
ORIGINAL = "甲乙双方订立的劳动合同（编号%(no)s），期限为%(start)s至%(end)s。"
#: a term without an end date: what ends it, by kind (labels.open_end_words)
ORIGINAL_OPEN = "甲乙双方订立的劳动合同（编号%(no)s），自%(start)s起履行，合同期限：%(end)s。"
BASIS = "依据%(article)s：%(ground)s。"
LAST = "乙方的最后工作日为%(last)s，双方劳动关系自该日结束。"


def _clauses(contract: Contract, clean: dict, pay: dict) -> tuple[Clause, ...]:
    g = law.GROUNDS[clean["ground"]]
    t = contract.terms
    original, end = (ORIGINAL, cn_date(date.fromisoformat(t["term_end"]))) if t.get(
        "term_end") else (ORIGINAL_OPEN, labels.open_end_words(contract.template, t))
    last = cn_date(clean["last_working_day"])
    if pay["due"]:
        cap = CAP % {"average": pay["local_average_wage"]} if pay["capped"] else ""
        money = MONEY % {"first": pay["first_day"], "service": pay["service"],
                         "months": pay["months"], "basis": pay["wage_basis"], "cap": cap,
                         "amount": rmb(Decimal(pay["amount"]))}
    else:
        money = pay.get("reason") or law.NO_SEVERANCE
    start = cn_date(date.fromisoformat(t["term_start"]))
    return (
        Clause("原劳动合同", (original % {"no": contract.contract_no, "start": start, "end": end},)),
        Clause("解除（终止）依据", (BASIS % {"article": g.article, "ground": g.text},)),
        Clause("最后工作日", (LAST % {"last": last},)),
        Clause("经济补偿", (money,)),
        Clause("工作交接", (clean["handover"] or "乙方应当按照双方约定，于最后工作日前办结工作交接。",)),
        Clause("档案和社会保险关系转移", (TRANSFER,)),
        Clause("其他", ("本协议经甲方盖章、乙方签字后生效，与原劳动合同一并存档，保存不少于二年。",)),
    )


def terminate(p: Principal, contract_id: int, raw: dict, *, today: date | None = None,
              ip: str | None = None, user_agent: str | None = None) -> tuple[Contract, str]:
    """Draw up, seal and send the termination agreement of a contract in force; one
    transaction. The worker signs it through the texted link; its filing ends the contract.

    :param raw: ``ground`` (a key of :data:`app.domain.severance.GROUNDS`),
        ``last_working_day`` (ISO date), ``employer_proposed``, ``renewal_refused`` (bool),
        ``handover`` (text, optional).
    :returns: the termination document and its signing-link token (shown once).
    :raises NotFound: not the employer's contract. :raises Conflict: not in force, or a
        termination exists already. :raises ValidationFailed: naming the field; nothing written.
    """
    contract = chain.own_contract(p, contract_id)
    seen = contract.version  # what the check below saw; a termination sent meanwhile bumps it
    if not isinstance(raw, dict):
        raise ValidationFailed("请求体必须是 JSON 对象", code="malformed_json")
    existing = chain.documents_of(contract, "termination")
    if any(d.status != "draft" for d in existing):
        raise Conflict("该合同已有解除（终止）协议", code="termination_exists")
    for stale in existing:  # a draft left by a crash between its commit and the seal
        stale.status = "voided"
    clean = _clean(contract, raw, today or today_in_beijing())
    pay = compute(contract, clean)
    last = clean["last_working_day"].isoformat()
    terms = {**chain.terms_in_force(contract), "term_end": last, "ground": clean["ground"],
             "last_working_day": last, "severance": pay, "handover": clean["handover"],
             "employer_proposed": clean["employer_proposed"],
             "renewal_refused": clean["renewal_refused"]}
    doc = chain.new_document(p, contract, "termination", terms, _clauses(contract, clean, pay),
                             PREAMBLE)
    result = chain.seal_committed(doc)
    try:
        token = contracts._record_seal(doc, doc.current_document, result, p, ip=ip,
                                       user_agent=user_agent)
        # one winner when two terminations race: the one whose check saw an older version
        # of the contract than the other's committed bump loses (nothing of it is kept)
        if db.session.execute(update(Contract).where(
                Contract.id == contract_id, Contract.version == seen).values(
                version=Contract.version + 1)).rowcount != 1:
            raise StaleDataError("terminated meanwhile")
        audit.record(contract.id, p.actor, "contract.termination_sent",
                     document=doc.contract_no, ground=clean["ground"], last_working_day=last,
                     severance=pay["amount"])
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        _void_lost(doc.id)
        raise Conflict("合同刚刚被他人修改，请刷新页面", code="state_changed") from None
    return doc, token


def _void_lost(doc_id: int) -> None:
    """The draft of a termination that lost a race is voided (no SMS was queued for it)."""
    db.session.execute(update(Contract).where(Contract.id == doc_id, Contract.status == "draft")
                       .values(status="voided", version=Contract.version + 1))
    db.session.commit()


def on_filed(document: Contract) -> None:
    """Subscriber of ``document.filed``: a filed termination (inside the filing job's
    transaction) ends the contract on the last working day, its archive is kept two years
    from then, the certificate is queued. Other documents are not its business."""
    if document.document_kind != "termination":
        return
    doc = document
    original = doc.parent
    original.status = "terminated"
    original.ended_on = date.fromisoformat(doc.terms["last_working_day"])
    kept = filing.extend_retention(original)
    audit.record(original.id, "system", "contract.terminated", document=doc.contract_no,
                 last_working_day=doc.terms["last_working_day"], retain_until=kept.isoformat())
    jobs.enqueue("issue_certificate", {"termination_id": doc.id},
                 dedupe_key=f"certificate:{doc.id}")
