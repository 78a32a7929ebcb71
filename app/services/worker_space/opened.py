"""Who opened the worker's contracts: the access log's entries (auditors' and platform
admins' views, downloads, verification reports and evidence packages) about the documents the
worker sees in their space, shown as the role and office acting — not the official's account
(:func:`app.services.platform.access_views.reader`). A read, no transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.domain.typed import Msg
from app.errors import Forbidden
from app.extensions import db
from app.models import Contract
from app.models.access_log import AccessLogEntry
from app.services.platform import scope
from app.services.platform.access_views import reader
from app.services.platform.principal import Principal


@dataclass(frozen=True)
class Opened:
    """One time someone opened one of the worker's documents."""

    at: datetime
    reader: Msg
    action: str
    contract_id: int
    contract_no: str


def who_opened(p: Principal, limit: int = 200) -> list[Opened]:
    """Who opened the documents ``p`` (a worker in their own space) sees, newest first."""
    if not p.is_person:
        raise Forbidden("您没有权限访问此页面")
    rows = db.session.execute(
        select(AccessLogEntry, Contract.contract_no)
        .join(Contract, Contract.id == AccessLogEntry.contract_id)
        .where(scope.contract_filter(p))
        .order_by(AccessLogEntry.seq.desc()).limit(limit))
    return [Opened(e.at, reader(e), e.action, e.contract_id, no) for e, no in rows]
