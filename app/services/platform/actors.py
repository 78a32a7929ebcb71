"""Who an actor is, in words: the audit trail, acknowledgements and uploads record actors as
``user:3``, ``api:7``, ``worker:12``, ``person:4``, ``system``; people read names.

A read, no transaction. The names are those of whoever acted on a record the reader already
sees (the employer's staff and keys, the worker of the contract, the platform), looked up
through the session's identity map, so a page of a hundred events costs one query per actor.
"""

from __future__ import annotations

from app.domain.typed import Msg
from app.extensions import db
from app.models import ApiKey, User

WORDS = {
    "system": Msg("系统（自动）"),
    "cli": Msg("平台运维（命令行）"),
    "anonymous": Msg("未登录的访问者"),
}


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 12 else None


def describe(actor: str | None, worker_name: str | None = None) -> str | Msg:
    """``actor`` in words: a user's display name (else username) as a plain ``str``, or a
    translatable :class:`Msg`: an API key's name, the worker (``worker_name``: their name as
    given on the contract being shown), the platform. Never the raw id: an unknown or
    removed one gets a generic word."""
    kind, _, ident = (actor or "").partition(":")
    number = _number(ident)
    if kind == "user" and number is not None:
        user = db.session.get(User, number)
        if user is not None:
            return user.display_name or user.username
        return Msg("已删除的用户")
    if kind == "api" and number is not None:
        key = db.session.get(ApiKey, number)
        return Msg("接口密钥“%(name)s”", name=key.name) if key is not None else Msg("接口调用")
    if kind == "worker":
        return Msg("劳动者 %(name)s", name=worker_name) if worker_name else Msg("劳动者")
    if kind == "person":
        return Msg("劳动者本人（个人空间）")
    if actor in WORDS:
        return WORDS[actor]
    return Msg("其他参与方")
