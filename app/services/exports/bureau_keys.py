"""Bureau system keys: ``lbk_<prefix>_<secret>``, scoped to a region-code prefix; only a
hash of the secret is stored (as for employers' keys, :mod:`app.services.accounts.apikeys`).
Created and revoked by the platform operator (``flask bureau-key create|revoke``).
"""

from __future__ import annotations

import re

from app.errors import ValidationFailed
from app.extensions import db
from app.models.bureau import BureauKey
from app.services.platform import bearer_keys
from app.services.platform.access_log import BUREAU_SYSTEM
from app.services.platform.principal import Principal

REGION = re.compile(r"\d{2,6}")


def create_key(region: str, name: str, actor: str) -> tuple[BureauKey, str]:
    """A new key for the bureau system ``name`` reading ``region``; returns it and the secret
    (shown once).

    :raises ValidationFailed: the region is not 2–6 digits, or the name is empty or too long.
    """
    region, name = (region or "").strip(), (name or "").strip()
    fields = {}
    if not REGION.fullmatch(region):
        fields["region"] = "地区代码应为 2 到 6 位数字"
    if not name or len(name) > 100:
        fields["name"] = "请填写名称（不超过 100 字）"
    if fields:
        raise ValidationFailed("请检查标出的字段", fields=fields)
    key, whole = bearer_keys.create(BureauKey, "lbk", actor, action="bureau_key.created",
                                    id_field="bureau_key_id",
                                    details={"name": name, "region": region},
                                    name=name, region_prefix=region)
    db.session.commit()
    return key, whole


def revoke_key(prefix: str, actor: str) -> BureauKey:
    """Revoke the key ``lbk_<prefix>_…`` (the whole key may be given).

    :raises NotFound: no such key.
    """
    key = bearer_keys.revoke(BureauKey, prefix, "lbk", actor, action="bureau_key.revoked",
                             id_field="bureau_key_id", missing="bureau_key_not_found")
    db.session.commit()
    return key


def authenticate(presented: str) -> BureauKey | None:
    """The live bureau key matching ``presented``, or None."""
    return bearer_keys.find(BureauKey, presented, "lbk")


def principal_of(key: BureauKey) -> Principal:
    """The principal of a live bureau key: reads its region's filings export only."""
    return Principal(kind="api_key", actor=f"bureau:{key.id}", role=BUREAU_SYSTEM,
                     jurisdiction=key.region_prefix)
