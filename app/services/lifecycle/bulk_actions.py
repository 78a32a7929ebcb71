"""Actions on contracts selected in the list: seal and send drafts, remind (a new link texted)
or void with one reason. Each contract goes through its own use case and transaction — its
own event certificate and seal, its own trail — so one that cannot be done is reported with
its reason and never stops the others."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.typed import Msg
from app.errors import AppError, ValidationFailed
from app.extensions import db
from app.models import Contract
from app.services.contracts import contracts
from app.services.lifecycle import lifecycle
from app.services.platform.principal import Principal

ACTIONS = {"send": "盖章并发送", "remind": "重新发送签署链接（催签）", "void": "作废"}
MAX_SELECTED = 50
INVALID = "批量操作有误，请检查标出的项目"
NO_ACTION = "请选择要执行的操作"
NONE_SELECTED = "请至少勾选一份合同"
TOO_MANY = "一次最多处理%(limit)s份合同"
NOT_FOUND_LABEL = "#%(id)s"


@dataclass
class Outcome:
    """What a bulk action did: the contract numbers done, and (number, reason) not done."""

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def _ids(raw: object) -> list[int]:
    if not isinstance(raw, list | tuple) or not raw:
        raise ValidationFailed(INVALID, fields={"ids": Msg(NONE_SELECTED)})
    ids = []
    for value in raw:
        text = value.strip() if isinstance(value, str) else ""
        if isinstance(value, int) and not isinstance(value, bool):
            ids.append(value)
        elif text.isascii() and text.isdigit() and 0 < int(text) <= 2**31 - 1:
            ids.append(int(text))
        else:
            raise ValidationFailed(INVALID, fields={"ids": Msg(NONE_SELECTED)})
    ids = list(dict.fromkeys(ids))
    if len(ids) > MAX_SELECTED:
        raise ValidationFailed(INVALID, fields={"ids": Msg(TOO_MANY, limit=MAX_SELECTED)})
    return ids


def apply(p: Principal, action: object, raw_ids: object, *, reason: object = None,
          ip: str | None = None, user_agent: str | None = None) -> Outcome:
    """Do ``action`` (``send``, ``remind`` or ``void``) on each selected contract of ``p``.

    :raises ValidationFailed: no or unknown action, nothing or too much selected, or (void)
        no reason — before anything is done.
    """
    if action not in ACTIONS:
        raise ValidationFailed(INVALID, fields={"action": Msg(NO_ACTION)})
    ids = _ids(raw_ids)
    text = lifecycle.clean_reason(reason) if action == "void" else ""
    outcome = Outcome()
    for contract_id in ids:
        contract = db.session.get(Contract, contract_id)
        label = contract.contract_no if contract is not None and \
            contract.organization_id == p.organization_id else Msg(NOT_FOUND_LABEL, id=contract_id)
        try:
            if action == "send":
                contracts.send_contract(p, contract_id, ip=ip, user_agent=user_agent)
            elif action == "remind":
                lifecycle.resend_link(p, contract_id)
            else:
                lifecycle.void_contract(p, contract_id, reason=text, ip=ip,
                                        user_agent=user_agent)
            outcome.done.append(str(label))
        except AppError as exc:
            db.session.rollback()
            outcome.failed.append((str(label), exc.message))
    return outcome
