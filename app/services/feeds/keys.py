"""Feed keys ``lfk_<prefix>_<secret>`` of the systems that push records: one scoped to a
project (its attendance and its payments), or to a bank by its 3-digit code (payments from
the dedicated wage accounts it holds: projects whose 3- to 12-digit bank code starts with
it). Only a hash of the secret is stored (:mod:`app.services.platform.bearer_keys`, as for
the bureau's keys); created, listed and revoked by the platform operator
(``flask feed-key …``); each key's last use is noted (at most once a minute).
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import or_, select, update

from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import FeedKey, Project
from app.models.base import utcnow
from app.services.platform import bearer_keys

TAG = "lfk"
BANK = re.compile(r"\d{3}")
NAME_PROBLEM = "请填写名称（不超过 100 字）"
USE_NOTED = timedelta(minutes=1)  # a key's last use is written at most this often
SCOPE_PROBLEM = "请指定项目（--project）或银行代码（--bank，3 位数字），二者选一"


def create_key(name: str, actor: str, *, project_id: int | None = None,
               bank_code: str | None = None) -> tuple[FeedKey, str]:
    """A new key of the system ``name`` for the project ``project_id`` or the bank
    ``bank_code``; returns it and the whole key (shown once). Keys of the same name and scope
    are one sender: a replacement key keeps the sender's record ids.

    :raises ValidationFailed: no scope or both, a bank code that is not 3 digits, the name.
    :raises NotFound: no such project.
    """
    name, bank_code = (name or "").strip(), (bank_code or "").strip() or None
    fields = {}
    if (project_id is None) == (bank_code is None) or (bank_code and not BANK.fullmatch(
            bank_code)):
        fields["scope"] = SCOPE_PROBLEM
    if not name or len(name) > 100:
        fields["name"] = NAME_PROBLEM
    if fields:
        raise ValidationFailed("请检查标出的字段", fields=fields)
    if project_id is not None and db.session.get(Project, project_id) is None:
        raise NotFound("项目不存在", code="project_not_found")
    scope = f"project:{project_id}" if project_id is not None else f"bank:{bank_code}"
    key, whole = bearer_keys.create(FeedKey, TAG, actor, action="feed_key.created",
                                    id_field="feed_key_id", details={"name": name, "scope": scope},
                                    name=name, project_id=project_id, bank_code=bank_code,
                                    sender=f"{scope}:{name}")
    db.session.commit()
    return key, whole


def revoke_key(given: str, actor: str) -> FeedKey:
    """Revoke the key ``lfk_<prefix>_…`` (the whole key or its prefix).

    :raises NotFound: no such key.
    """
    key = bearer_keys.revoke(FeedKey, given, TAG, actor, action="feed_key.revoked",
                             id_field="feed_key_id", missing="feed_key_not_found")
    db.session.commit()
    return key


def all_keys() -> list[FeedKey]:
    """Every feed key, newest first (revoked ones included; never a secret)."""
    return list(db.session.scalars(select(FeedKey).order_by(FeedKey.id.desc())))


def authenticate(presented: str) -> FeedKey | None:
    """The live feed key matching ``presented``, or None."""
    return bearer_keys.find(FeedKey, presented, TAG)


def touch(key: FeedKey) -> None:
    """Note that ``key`` was used now — at most once a minute (the caller commits)."""
    now = utcnow()
    stale = now - USE_NOTED
    if key.last_used_at is None or key.last_used_at < stale:
        db.session.execute(update(FeedKey).where(
            FeedKey.id == key.id,
            or_(FeedKey.last_used_at.is_(None), FeedKey.last_used_at < stale))
            .values(last_used_at=now))
