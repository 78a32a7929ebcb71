"""Keys of the labor bureau's systems (人社系统接口密钥), each scoped to a region-code prefix.

``lbk_<prefix>_<secret>``: only a SHA-256 of the secret is stored, as for employers' keys
(:class:`app.models.ApiKey`); a bureau key reads the filings of its region and nothing else.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class BureauKey(db.Model):
    """A bureau system's key: reads the filings export of employers under ``region_prefix``."""

    __tablename__ = "bureau_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_prefix: Mapped[str] = mapped_column(String(6))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
