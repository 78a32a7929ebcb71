"""A construction project as a general contractor registers it, for the project tests."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.platform.principal import of_user
from app.services.projects import projects

PROJECT = {
    "name": "星沙安置房一期", "region_code": "430121", "permit_no": "430121202609010101",
    "builder": "长沙县城市建设投资有限公司", "contract_amount": "38000000",
    "start_date": "2026-09-01", "planned_end": "2027-12-31", "officer_name": "刘专管",
    "officer_phone": "13700001111", "wage_bank_code": "102", "wage_account": "6222020200001234",
    "wage_account_holder": "湖南星城建设工程有限公司星沙安置房一期农民工工资专用账户",
    "deposit_kind": "cash", "deposit_amount": "760000", "pay_day": "15",
}


def principal(username: str):
    return of_user(db.session.scalar(select(User).where(User.username == username)))


def make_project(username: str = "hr", **overrides):
    """A project of ``username``'s employer as general contractor."""
    return projects.create(principal(username), {**PROJECT, **overrides})
