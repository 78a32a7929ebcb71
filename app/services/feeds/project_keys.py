"""A project's feed keys managed on its page by the general contractor's administrator: the
site devices' keys (project scope only; bank keys stay with the platform operator's CLI).
Creation and revocation reuse :mod:`.keys` (same audit records as ``flask feed-key``)."""

from __future__ import annotations

from sqlalchemy import select

from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import FeedKey
from app.services.feeds import keys
from app.services.platform.principal import Principal
from app.services.projects import projects

NOT_ADMIN = "只有总承包单位的管理员可以管理考勤推送密钥"
KEY_PROBLEM = "请选择要吊销的密钥"


def _admin_of(p: Principal, project_id: int) -> None:
    """:raises NotFound: ``p`` cannot see the project. :raises Forbidden: not its general
    contractor's employer_admin."""
    projects.managed(p, project_id)
    if not p.is_employer_admin:
        raise Forbidden(NOT_ADMIN, code="not_employer_admin")


def project_keys(p: Principal, project_id: int) -> list[FeedKey]:
    """The project's feed keys, newest first (revoked ones included; never a secret).

    :raises NotFound: / :raises Forbidden: as :func:`create_project_key`.
    """
    _admin_of(p, project_id)
    return list(db.session.scalars(select(FeedKey).where(FeedKey.project_id == project_id)
                                   .order_by(FeedKey.id.desc())))


def create_project_key(p: Principal, project_id: int, name: str | None) -> tuple[FeedKey, str]:
    """A new key of the site system ``name`` for the project; returns it and the whole key
    (shown once).

    :raises NotFound: a project ``p`` cannot see.
    :raises Forbidden: ``p`` is not the general contractor's employer_admin.
    :raises ValidationFailed: the name (1–100 characters).
    """
    _admin_of(p, project_id)
    return keys.create_key(name or "", p.actor, project_id=project_id)


def revoke_project_key(p: Principal, project_id: int, key_id: object) -> FeedKey:
    """Revoke the project's key ``key_id``: it stops working at once (again: no change).

    :raises NotFound: a project ``p`` cannot see, or a key not of this project.
    :raises Forbidden: ``p`` is not the general contractor's employer_admin.
    :raises ValidationFailed: no key given.
    """
    _admin_of(p, project_id)
    try:
        wanted = int(str(key_id))
    except ValueError:
        raise ValidationFailed(KEY_PROBLEM, fields={"key_id": KEY_PROBLEM}) from None
    key = db.session.scalar(select(FeedKey).where(FeedKey.id == wanted,
                                                  FeedKey.project_id == project_id))
    if key is None:
        raise NotFound("接口密钥不存在", code="feed_key_not_found")
    return keys.revoke_key(key.prefix, p.actor)
