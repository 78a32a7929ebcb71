"""Times come back in UTC whatever the PostgreSQL session's time zone: the hash chains
(audit events, access log) hash what was written, so a county server set to Asia/Shanghai
must not turn every entry into a false tamper alarm."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import AccessLogEntry
from app.services.platform import access_chain, access_log
from app.services.platform.principal import Principal

AUDITOR = Principal(kind="user", actor="user:9", role="auditor", user_id=9, jurisdiction="4301")


@pytest.mark.postgresql_only
def test_a_shanghai_session_reads_utc_and_the_chain_still_verifies(ctx):
    access_log.record(AUDITOR, "search", criteria={"name": "李"}, count=3)
    db.session.commit()
    db.session.execute(text("SET TIME ZONE 'Asia/Shanghai'"))
    try:
        db.session.expire_all()
        entry = db.session.query(AccessLogEntry).one()
        assert entry.at.utcoffset().total_seconds() == 0
        assert entry.at.tzinfo == UTC
        assert entry.at <= datetime.now(UTC)
        assert access_chain.verify().ok
    finally:
        db.session.execute(text("SET TIME ZONE 'UTC'"))
