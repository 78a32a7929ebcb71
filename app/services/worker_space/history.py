"""The worker's signing history: when they signed what, with which employer (and the
certificates employers issued them), newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.domain.typed import Msg
from app.extensions import db
from app.models import Contract, SignatureEvent
from app.services.platform import scope
from app.services.platform.principal import Principal
from app.services.worker_space.documents import RENEWAL, title_of

SIGNED = "您签署了%(employer)s的《%(title)s》（编号 %(no)s）"
ISSUED = "%(employer)s为您出具了《%(title)s》（编号 %(no)s）"


@dataclass(frozen=True)
class Entry:
    """One line of the history."""

    at: datetime
    text: Msg
    contract_id: int


def signing_history(p: Principal) -> list[Entry]:
    """The worker's own signatures on the documents they see, and the certificates (signed
    by the employer alone) they received."""
    rows = db.session.execute(
        select(SignatureEvent, Contract).join(Contract, Contract.id == SignatureEvent.contract_id)
        .where(scope.contract_filter(p)).order_by(SignatureEvent.signed_at.desc(),
                                                  SignatureEvent.id.desc()))
    out = []
    for event, c in rows:
        title = Msg(RENEWAL if c.renewal_of_id else title_of(c))
        params = {"employer": c.organization.name, "title": title, "no": c.contract_no}
        if event.party == "worker":
            out.append(Entry(event.signed_at, Msg(SIGNED, **params), c.id))
        elif c.document_kind == "certificate":
            out.append(Entry(event.signed_at, Msg(ISSUED, **params), c.id))
    return out
