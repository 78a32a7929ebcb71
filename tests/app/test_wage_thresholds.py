"""The county sets its wage-arrears thresholds in the app: a platform admin adds a setting for a
region prefix from a date (bad fields named and kept, history never overwritten), the most
specific prefix in force applies to a project, and the reconciliation flags by it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, WageThreshold
from app.services.standards import wage_thresholds
from tests.app.test_wage_reconciliation import october_of_one_worker
from tests.conftest import csrf_token, login

GOOD = {"region_prefix": "430121", "effective_from": "2026-12-01", "underpaid_percent": "2",
        "late_days": "3", "big_month": "40000", "big_year": "250000",
        "unpaid_share_percent": "5", "note": "县人社局2026年第3号通知"}


def _post(client, **values):
    page = client.get("/admin/wage-thresholds").get_data(as_text=True)
    return client.post("/admin/wage-thresholds",
                       data={"csrf_token": csrf_token(page), **GOOD, **values})


def test_the_admin_adds_thresholds_bad_fields_named_and_kept(client, world):
    login(client, "platform")
    page = client.get("/admin/wage-thresholds").get_data(as_text=True)
    assert 'id="defaults"' in page and "50000" in page  # the platform's defaults shown
    for values, field, text in (
            ({"region_prefix": "4301"}, None, None),  # a city prefix is fine: checked below
            ({"region_prefix": "43012"}, "region_prefix", "前2、4或6位"),
            ({"underpaid_percent": "0"}, "underpaid_percent", "应大于0且不超过100"),
            ({"underpaid_percent": "100.01"}, "underpaid_percent", "应大于0且不超过100"),
            ({"unpaid_share_percent": "abc"}, "unpaid_share_percent", "应大于0且不超过100"),
            ({"unpaid_share_percent": ""}, "unpaid_share_percent", "请填写"),
            ({"big_month": "0"}, "big_month", "应大于0"),
            ({"late_days": "32"}, "late_days", "0到31"),
            ({"big_year": "39999.99"}, "big_year", "不能低于单人单月发放上限"),
            ({"effective_from": "2026/12/01"}, "effective_from", "YYYY-MM-DD")):
        if field is None:
            continue
        resp = _post(client, **values)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422 and f'id="err-{field}"' in html and text in html, values
        assert f'value="{values[field]}"' in html  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(WageThreshold)) == 0
    db.session.rollback()
    for edge in ({"underpaid_percent": "100", "big_year": "40000"}, {"late_days": "0"}):
        resp = _post(client, **edge, effective_from=f"2026-12-0{2 + len(edge)}")
        assert resp.status_code == 302, edge  # 100% and equal limits are allowed
    assert _post(client).status_code == 302
    resp = _post(client, underpaid_percent="3")  # same prefix and date: never overwritten
    assert resp.status_code == 409 and "不能覆盖" in resp.get_data(as_text=True)
    page = client.get("/admin/wage-thresholds").get_data(as_text=True)
    assert page.count('data-prefix="430121"') == 3 and "县人社局2026年第3号通知" in page
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "wage_threshold.added").order_by(AuditEvent.id.desc()))
    assert event.details["underpaid_percent"] == "2.00" and event.details["late_days"] == 3
    login(client, "hr")
    assert client.get("/admin/wage-thresholds").status_code == 403


def test_the_most_specific_prefix_in_force_applies(app, world):
    from tests.app.project_helpers import principal

    admin = principal("platform")
    assert wage_thresholds.in_force("430121", date(2026, 12, 3)).row is None  # the defaults
    wage_thresholds.add_wage_threshold(admin, {**GOOD, "region_prefix": "43", "effective_from": "2026-01-01",
                                "underpaid_percent": "4"})
    wage_thresholds.add_wage_threshold(admin, {**GOOD, "effective_from": "2027-01-01"})
    found = wage_thresholds.in_force("430121", date(2026, 12, 31))
    assert found.row.region_prefix == "43" and found.thresholds.underpaid_share == Decimal(
        "0.04")
    found = wage_thresholds.in_force("430121", date(2027, 1, 1))  # from its first day
    assert found.row.region_prefix == "430121" and found.thresholds.late_days == 3
    assert found.thresholds.big_year == Decimal("250000")
    assert wage_thresholds.in_force("430102", date(2027, 1, 1)).row.region_prefix == "43"
    assert wage_thresholds.in_force("440101", date(2027, 1, 1)).row is None  # another province


def test_the_reconciliation_flags_by_the_countys_setting(client, world):
    project = october_of_one_worker(client, world, paid="5800", paid_on="2026-11-17")
    html = client.get(f"/projects/{project.id}/wages").get_data(as_text=True)
    assert 'data-flags="late"' in html and "（平台默认设置）" in html  # 2 days late; 3.3% short
    admin = client.application.test_client()
    login(admin, "platform")
    assert _post(admin).status_code == 302  # from December: October is judged as before
    html = client.get(f"/projects/{project.id}/wages").get_data(as_text=True)
    assert 'data-flags="late"' in html and "430121 地区自 2026-12-01 起的设置" in html
    assert _post(admin, effective_from="2026-10-01").status_code == 302  # in force in October
    html = client.get(f"/projects/{project.id}/wages").get_data(as_text=True)
    assert 'data-flags="underpaid"' in html and "少2%以上" in html  # 3 days' grace: not late
    assert 'data-late-days="3"' in html
