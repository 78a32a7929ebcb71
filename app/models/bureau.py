"""Keys of the labor bureau's systems (人社系统接口密钥), each scoped to a region-code prefix.

``lbk_<prefix>_<secret>``: only a SHA-256 of the secret is stored, as for employers' keys
(:class:`app.models.ApiKey`); a bureau key reads the filings of its region and nothing else.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import SystemKeyColumns


class BureauKey(SystemKeyColumns, db.Model):
    """A bureau system's key: reads the filings export of employers under ``region_prefix``."""

    __tablename__ = "bureau_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_prefix: Mapped[str] = mapped_column(String(6))
