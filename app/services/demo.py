"""The embedded default's demo data (``flask seed-demo``): an employer with its admin and HR
user, an auditor, a platform admin, an API key and one contract sent to a worker.

Safe to run again: earlier unsigned demo contracts are voided, and after a signed one the new
contract's term follows it (without a second probation), so the rules accept it every time.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.domain.ids import uscc_with_check
from app.extensions import db
from app.models import Contract, Organization
from app.services.accounts import accounts, apikeys
from app.services.contracts import contracts
from app.services.lifecycle import lifecycle
from app.services.platform import jobs
from app.services.platform.principal import Principal, of_user

PASSWORD = "demo12345"
WORKER = {"name": "张三", "id_number": "360426199101010071", "phone": "13800138000"}


def seed_demo() -> dict:
    """Create the demo accounts and send one contract; returns the API key, the signing
    link's token and the contract number (the command prints them)."""
    org = accounts.add_organization(
        name="湖南星城建设工程有限公司", uscc=uscc_with_check("91430121MA4L8X2Q7"),
        address="湖南省长沙县星沙街道开元东路1号", legal_rep="李建国")
    hr = accounts.add_user(username="hr", password=PASSWORD, role="employer_hr",
                           display_name="王人事", organization=org)
    accounts.add_user(username="admin", password=PASSWORD, role="employer_admin",
                      display_name="李管理", organization=org, phone="13900139000")
    accounts.add_user(username="platform", password=PASSWORD, role="platform_admin",
                      display_name="平台管理员")
    accounts.add_user(username="auditor", password=PASSWORD, role="auditor",
                      display_name="赵监察", jurisdiction="430121")
    key = apikeys.create_key(org, "demo")
    db.session.commit()
    start, probation = _demo_term(of_user(hr), org)
    contract = contracts.create_contract(of_user(hr), {
        "worker_name": WORKER["name"], "worker_id_number": WORKER["id_number"],
        "worker_phone": WORKER["phone"], "worker_address": "江西省德安县",
        "term_start": start.isoformat(),
        "term_end": (start + timedelta(days=365 * 2)).isoformat(), "probation_months": probation,
        "probation_wage": "4800", "post": "钢筋工", "work_location": "长沙县星沙产业园三期工地",
        "hours_system": "standard", "monthly_wage": "6000", "pay_day": "15",
        "social_insurance": "依法参加养老、医疗、失业、工伤、生育保险",
        "labor_protection": "提供安全帽、安全带、防护鞋，进行岗前安全培训",
    })
    contract, token = contracts.send_contract(of_user(hr), contract.id,
                                              user_agent="flask seed-demo")
    jobs.run_pending()
    return {"api_key": key, "token": token, "contract_no": contract.contract_no}


def _demo_term(hr: Principal, org: Organization) -> tuple[date, str]:
    """Start date and probation of a new demo contract that the rules accept on a re-run."""
    start, probation = date.today(), "2"
    for c in db.session.scalars(select(Contract).where(Contract.organization_id == org.id,
                                                      Contract.document_kind == "contract")):
        if c.status in ("draft", "sent"):
            lifecycle.void_contract(hr, c.id, reason="重新生成演示数据")
        elif c.status in ("signed", "filed"):
            start = max(start, date.fromisoformat(c.terms["term_end"]) + timedelta(days=1))
            probation = "0"
    return start, probation
