"""The termination certificate (解除或者终止劳动合同的证明, Labor Contract Law art. 50).

Issued by the ``issue_certificate`` job once the termination is filed: the employer's seal
only — the certificate is the employer's statement the law obliges it to give, so the worker
is not asked to sign it (a receipt signature would let the certificate wait on the worker
and is not required by art. 50; delivery is recorded instead: the SMS job and the audit
trail). Filed like a contract (own filing number and archive copy), in the contract's chain,
texted to the worker, who keeps it in their own space (the portal, /me).
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from app.domain import labels
from app.domain import severance as law
from app.domain.typed import Msg
from app.extensions import db
from app.models import Contract, SignatureEvent
from app.models.base import utcnow
from app.services.contracts import documents, invites
from app.services.lifecycle import chain
from app.services.platform import audit, counters, jobs, pki
from app.services.platform.principal import of_job
from signing import Clause
from signing.contract_text import cn_date

SMS_CERTIFICATE = ("【智慧星用工】%(employer)s已为您出具解除（终止）劳动合同证明书（编号%(number)s），"
                   "您可随时在 %(portal)s 凭姓名、身份证号和本手机号免费查看和下载。")
PREAMBLE = "兹证明："


TERM = "乙方与甲方订立的劳动合同（编号%(no)s）期限为%(start)s至%(end)s。"
#: a term without an end date: what ends it, by kind (labels.open_end_words)
OPEN_TERM = "乙方与甲方订立的劳动合同（编号%(no)s）自%(start)s起履行，合同期限：%(end)s。"
POST = "乙方在甲方担任%(post)s岗位工作。"
ENDED = "双方劳动合同于%(last)s解除（终止），依据%(article)s：%(ground)s（协议编号%(no)s）。"
YEARS = "乙方在甲方的工作年限自%(first)s起共计%(service)s。"


def _clauses(original: Contract, termination: Contract) -> tuple[Clause, ...]:
    t, g = original.terms, law.GROUNDS[termination.terms["ground"]]
    term, end = (TERM, cn_date(date.fromisoformat(t["term_end"]))) if t.get("term_end") else (
        OPEN_TERM, labels.open_end_words(original.template, t))
    pay = termination.terms["severance"]
    last = cn_date(date.fromisoformat(termination.terms["last_working_day"]))
    return (
        Clause("劳动合同期限", (term % {"no": original.contract_no, "end": end, "start": cn_date(
            date.fromisoformat(t["term_start"]))},)),
        Clause("工作岗位", (POST % {"post": termination.terms.get("post", "")},)),
        Clause("解除或者终止", (ENDED % {"last": last, "article": g.article, "ground": g.text,
                                       "no": termination.contract_no},)),
        Clause("工作年限", (YEARS % {"first": pay["first_day"], "service": pay["service"]},)),
        Clause("其他", ("甲方将在十五日内为乙方办理档案和社会保险关系转移手续。本证明由甲方出具，"
                       "与原劳动合同一并存档，保存不少于二年。",)),
    )


def issue_certificate(payload: dict) -> None:
    """The ``issue_certificate`` job: seal, record and queue the filing of the certificate
    of a filed termination. Idempotent: a retry finds the certificate issued."""
    termination = db.session.get(Contract, payload["termination_id"])
    original = termination.parent
    if chain.documents_of(original, "certificate"):
        return
    p = of_job(original.organization_id, "certificate")
    doc = chain.new_document(p, original, "certificate",
                             {**termination.terms, "termination_id": termination.id},
                             _clauses(original, termination), PREAMBLE)
    result = chain.seal_committed(doc)
    now = utcnow()
    documents.add_version(doc, "sealed", result.pdf)
    org = original.organization
    db.session.add(SignatureEvent(
        contract_id=doc.id, party="employer", signer_name=org.name, user_id=None,
        identity_method="platform_job", identity_evidence={"actor": p.actor},
        certificate_serial=result.certificate_serial,
        certificate_sha256=pki.certificate_sha256(result.certificate_pem),
        ip=None, user_agent="", sha256_before=result.sha256_before,
        sha256_after=result.sha256_after, signed_at=result.signed_at))
    doc.status, doc.sent_at, doc.signed_at = "signed", now, now
    number = f"{org.region_code}-{now:%Y}-{counters.next_value('filing'):06d}"
    jobs.enqueue("file_contract", {"contract_id": doc.id, "filing_number": number},
                 dedupe_key=f"file:{doc.id}")
    audit.record(doc.id, p.actor, "certificate.issued", termination=termination.contract_no)
    audit.record(original.id, p.actor, "contract.certificate_issued", document=doc.contract_no)
    invites.queue_sms(original, Msg(SMS_CERTIFICATE, employer=org.name, number=doc.contract_no,
                                        portal=f"{current_app.config['BASE_URL']}/me/"))


def certificate_of(original: Contract) -> Contract | None:
    """The certificate issued for ``original``, if any."""
    return db.session.scalar(select(Contract).where(
        Contract.parent_id == original.id, Contract.document_kind == "certificate"))
