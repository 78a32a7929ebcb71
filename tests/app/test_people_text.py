"""What people read: names instead of actor ids, Beijing times to the minute, words instead of
audit actions, risk grades and rule ids, in Chinese and in English; document numbers by the
Beijing date; the part-time term on the contract list; the county's warning list reached from
the menu and naming its workers."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from app.domain import labels
from app.extensions import db
from app.models import ApiKey, Contract, User
from tests.app.flows import api_create, in_force, sent_contract, worker_session, worker_sign
from tests.app.project_helpers import make_project, principal
from tests.conftest import WORKER, bearer, contract_payload, csrf_token, login

CJK = re.compile(r"[\u4e00-\u9fff]")
LATE = {"term_start": "2026-10-01", "term_end": "2028-09-30"}  # a month late: a warning
LATE_RULE = "LCL82.written_within_month"
RAW_ACTOR = re.compile(r"\b(user|api|worker|person):\d+")


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style).*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_acknowledgement_names_the_person_and_the_beijing_minute(client, world, monkeypatch):
    from app.services.contracts import rules

    # acknowledged at 22:22 UTC on 6 December: 06:22 on 7 December in Beijing
    monkeypatch.setattr(rules, "utcnow", lambda: datetime(2026, 12, 6, 22, 22, 4, 273291, UTC))
    login(client, "hr")
    form = {**contract_payload(**LATE), "ack": LATE_RULE,
            "csrf_token": csrf_token(client.get("/employer/contracts/new").get_data(as_text=True))}
    assert client.post("/employer/contracts/new", data=form).status_code == 302
    contract = db.session.scalars(select(Contract)).one()
    zh = _visible(client.get(f"/employer/contracts/{contract.id}").get_data(as_text=True))
    assert "已确认：王人事，2026-12-07 06:22 北京时间" in zh, zh
    assert "用工一个月内订立书面劳动合同（二倍工资）" in zh  # the rule's title, not its id
    assert LATE_RULE not in zh and not RAW_ACTOR.search(zh) and "T22:22" not in zh
    en = _visible(client.get(f"/employer/contracts/{contract.id}?lang=en").get_data(as_text=True))
    assert "Acknowledged by 王人事 at 2026-12-07 06:22 Beijing time" in en
    assert "Written contract within a month of starting work (double pay)" in en
    assert LATE_RULE not in en


def test_an_api_acknowledgement_names_the_key(client, world):
    created = api_create(client, world["api_key"], acknowledged_rules=[LATE_RULE], **LATE)
    login(client, "hr")
    html = _visible(client.get(f"/employer/contracts/{created['id']}").get_data(as_text=True))
    assert "已确认：接口密钥“tests”，" in html and not RAW_ACTOR.search(html)


def _trail(html: str) -> dict[str, str]:
    return dict(re.findall(r'<li data-action="([^"]+)">(.*?)</li>', html))


def test_the_audit_trail_reads_as_words_with_names(client, world, outbox):
    from app.services.platform import audit

    contract_id, token = sent_contract(client, world, outbox)
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    # actions the table does not know yet still read as words, never as their ids
    audit.record(contract_id, "system", "contract.something_new")
    audit.record(contract_id, "person:3", "elsewhere.unheard_of")
    db.session.commit()
    login(client, "auditor")
    html = client.get(f"/audit/contracts/{contract_id}").get_data(as_text=True)
    trail = _trail(html)
    assert {"contract.created", "contract.sealed", "contract.sent", "otp.sent", "otp.verified",
            "contract.signed", "contract.filed"} <= set(trail)
    assert "创建合同" in trail["contract.created"] and "接口密钥“tests”" in trail["contract.created"]
    assert "劳动者签署" in trail["contract.signed"] and f"劳动者 {WORKER['name']}" in trail[
        "contract.signed"]
    assert "自动备案归档" in trail["contract.filed"] and "系统（自动）" in trail["contract.filed"]
    assert "合同的其他操作" in trail["contract.something_new"]
    assert "其他操作" in trail["elsewhere.unheard_of"]
    assert "劳动者本人（个人空间）" in trail["elsewhere.unheard_of"]
    for action, line in trail.items():
        assert action not in line and not RAW_ACTOR.search(line) and "system" not in line
    assert "合同 HT" in _visible(html)

    english = client.get(f"/audit/contracts/{contract_id}?lang=en").get_data(as_text=True)
    for action, line in _trail(english).items():
        words = line.replace(WORKER["name"], "")  # the worker's name stays as written
        assert not CJK.search(words) and action not in words, line
    assert "Contract HT" in english and "Contracts HT" not in english


def test_every_recorded_action_has_words():
    """Every action the code records (literal ids, and the ones it builds) has its words."""
    from pathlib import Path

    from app.services.accounts.registration import ACTIONS as ORGANIZATION_ACTIONS

    root = Path(__file__).resolve().parents[2] / "app"
    literal = set()
    for path in root.rglob("*.py"):
        text = path.read_text("utf-8")
        literal |= set(re.findall(r"audit\.record\([^\"]*?\"([a-z_]+\.[a-z_]+)\"", text, re.S))
    built = ({f"organization.{a}" for a in ORGANIZATION_ACTIONS}
             | {"password.set", "password.reset", "minimum_wage.added", "wage_threshold.added"}
             | {f"{kind}.filed" for kind in ("contract", "amendment", "termination",
                                              "certificate")})
    assert len(literal) > 40
    assert sorted((literal | built) - set(labels.ACTIONS)) == []


def test_every_rule_has_a_title_in_both_languages():
    from babel.messages.pofile import read_po

    from app.domain.rules import RULES
    from tests.app.test_i18n import CATALOG

    assert sorted(set(RULES) - set(labels.RULE_TITLES)) == []
    with (CATALOG / "messages.po").open("rb") as fh:
        english = {m.id: m.string for m in read_po(fh) if m.id}
    assert all(english.get(title) for title in labels.RULE_TITLES.values())
    assert labels.rule_title("LCL99.not_a_rule") == "劳动法规则"


def test_actors_in_words(ctx, world):
    from app.services.platform.actors import describe

    hr = db.session.scalar(select(User).where(User.username == "hr"))
    assert describe(f"user:{hr.id}") == "王人事"
    assert describe("user:99999") == "已删除的用户"
    key = db.session.scalar(select(ApiKey).where(ApiKey.organization_id == world["org"].id))
    assert describe(f"api:{key.id}") == "接口密钥“tests”"
    assert describe("worker:12", "张三") == "劳动者 张三" and describe("worker:12") == "劳动者"
    assert describe("system") == "系统（自动）" and describe("cli") == "平台运维（命令行）"
    assert describe("person:4") == "劳动者本人（个人空间）"
    for odd in ("user:abc", "api:", "nobody", "", None, "user:" + "9" * 40):
        assert not RAW_ACTOR.search(describe(odd)) and describe(odd)


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_project_pages_show_grades_in_words_and_the_uploader_by_name(client, world):
    from app.services.projects import project_archive

    project = make_project()
    project_archive.upload(principal("hr"), project.id, "notice_board", "", "告示牌.png", _png())
    db.session.commit()
    login(client, "hr")
    detail = client.get(f"/projects/{project.id}").get_data(as_text=True)
    shown = _visible(detail)
    assert "王人事" in shown and not RAW_ACTOR.search(shown)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d 北京时间", shown)
    auditor = client.application.test_client()
    login(auditor, "auditor")
    for page in (detail, auditor.get("/projects/county").get_data(as_text=True)):
        badges = re.findall(r'class="status grade-(\w+)"[^>]*>([^<]+)<', page)
        assert badges
        for grade, text in badges:
            assert text == labels.GRADES[grade] and grade not in text
    english = auditor.get("/projects/county?lang=en").get_data(as_text=True)
    for grade, text in re.findall(r'class="status grade-(\w+)"[^>]*>([^<]+)<', english):
        assert not CJK.search(text) and text != grade and f"({grade})" in text


def test_document_numbers_follow_the_beijing_date(client, world, monkeypatch):
    from app.domain.beijing import beijing_date, document_number
    from app.services.contracts import contracts

    last_utc = datetime(2026, 12, 6, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Beijing
    assert document_number("HT", 7, last_utc) == "HT20261206000007"
    assert document_number("HT", 7, last_utc + timedelta(seconds=1)) == "HT20261207000007"
    assert beijing_date(datetime(2026, 12, 31, 16, 0)).isoformat() == "2027-01-01"  # naive = UTC

    monkeypatch.setattr(contracts, "utcnow", lambda: datetime(2026, 12, 6, 23, 30, tzinfo=UTC))
    created = api_create(client, world["api_key"])
    assert created["contract_no"].startswith("HT20261207"), created["contract_no"]


def test_renewal_and_amendment_numbers_follow_the_beijing_date(client, world, monkeypatch):
    from app.domain.expiry import today_in_beijing
    from app.services.lifecycle import chain, renewal

    late_evening = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    monkeypatch.setattr(renewal, "utcnow", lambda: late_evening)
    monkeypatch.setattr(chain, "utcnow", lambda: late_evening)
    original = in_force(client, world, today_in_beijing() + timedelta(days=20))
    login(client, "hr")
    page = client.get("/employer/contracts/expiring").get_data(as_text=True)
    resp = client.post(f"/employer/contracts/{original.id}/renew",
                       data={"csrf_token": csrf_token(page)})
    assert resp.status_code == 302
    draft = db.session.scalar(select(Contract).where(Contract.renewal_of_id == original.id))
    assert draft.contract_no.startswith("HT20261207"), draft.contract_no
    amended = client.post(f"/api/v1/contracts/{original.id}/amendments",
                          headers=bearer(world["api_key"]),
                          json={"changes": {"post": "木工"}, "effective_from": "2026-12-20"})
    assert amended.status_code == 201, amended.get_json()
    assert amended.get_json()["contract_no"].startswith("BG20261207")


def test_the_filing_number_takes_the_beijing_year(client, world, outbox, monkeypatch):
    from app.services.worker_signing import worker_signing

    record = worker_signing._record_signature

    def on_new_years_eve(contract, doc, result, challenge, link, ip, user_agent, now):
        # 16:30 UTC on 31 December is 00:30 on 1 January in Beijing
        new_year = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
        return record(contract, doc, result, challenge, link, ip, user_agent, new_year)

    monkeypatch.setattr(worker_signing, "_record_signature", on_new_years_eve)
    _, token = sent_contract(client, world, outbox)
    signed = worker_sign(client, token, worker_session(client, outbox, token))
    assert signed.status_code == 200, signed.get_json()
    assert "-2027-" in signed.get_json()["filing_number"], signed.get_json()


def test_a_part_time_contract_is_not_listed_as_open_ended(client, world):
    from app.domain.ids import id_with_check
    from tests.app.test_templates_flow import KINDS, PARTIES

    ids = {}
    for kind in ("part_time", "open_ended", "project_based", "construction_simple"):
        fields, _ = KINDS[kind]
        number = id_with_check(f"43012119850101{len(ids) + 501:03d}")  # one worker each
        body = {**PARTIES, **fields, "template": kind, "worker_id_number": number}
        resp = client.post("/api/v1/contracts", json=body, headers=bearer(world["api_key"]))
        assert resp.status_code == 201, resp.get_json()
        ids[kind] = resp.get_json()["contract_no"]
    login(client, "hr")
    html = client.get("/employer/contracts").get_data(as_text=True)
    terms = dict(re.findall(r'>(HT\d+)</a></td>.*?<td class="term">([^<]*)</td>', html, re.S))
    assert "非全日制（无需约定终止日期）" in terms[ids["part_time"]]
    assert "无固定期限" not in terms[ids["part_time"]]
    assert "无固定期限" in terms[ids["open_ended"]]
    assert "三期主体结构钢筋绑扎" in terms[ids["project_based"]]
    assert "至本人承担的工程完工时" in terms[ids["construction_simple"]]
    english = client.get("/employer/contracts?lang=en").get_data(as_text=True)
    terms = dict(re.findall(r'>(HT\d+)</a></td>.*?<td class="term">([^<]*)</td>', english, re.S))
    assert "part-time (no end date needed)" in terms[ids["part_time"]]
    assert "open-ended" not in terms[ids["part_time"]].lower()


def _found(html: str) -> set[str]:
    return set(re.findall(r'/audit/contracts/\d+">([A-Z]{2}\d+)</a>', html))


def test_auditors_find_workers_by_part_of_the_name_within_their_scope(client, world):
    from tests.app.flows import search

    end = datetime(2028, 6, 30).date()
    mine = {name: in_force(client, world, end, worker_name=name).contract_no
            for name in ("李四", "王李四光", "欧阳娜娜", "张三")}
    theirs = in_force(client, world, end, key="api_key_other", worker_name="李四").contract_no
    login(client, "auditor")

    def found(part: str) -> set[str]:
        resp = search(client, worker_name=part)
        assert resp.status_code == 200, part
        return _found(resp.get_data(as_text=True))

    assert found("李") == {mine["李四"]}  # a surname: names that begin with it, in scope only
    assert found("李四") == {mine["李四"]}
    assert found("李四光") == {mine["王李四光"]}  # three characters: anywhere in the name
    assert found("欧阳") == {mine["欧阳娜娜"]}
    assert theirs not in found("李四") and found("四") == set()
    for typed in ("%", "_", "李%", "李_", "\\", "/", "李/", "%四%", "__"):  # plain characters
        assert found(typed) == set(), typed
    html = search(client, worker_name="李").get_data(as_text=True)
    assert "找到 1 份合同" in html
    english = client.post("/audit/?lang=en", data={
        "worker_name": "李", "csrf_token": csrf_token(client.get("/audit/").get_data(
            as_text=True))}).get_data(as_text=True)
    assert "1 contract found" in english and "1 contracts" not in english


@pytest.mark.postgresql_only
def test_postgresql_serves_name_parts_from_an_index(client, world):
    """Both patterns the search asks for can be answered from an index (sequential scans
    switched off: the table is too small for the planner to want an index on its own)."""
    from sqlalchemy import text
    from sqlalchemy.dialects import postgresql

    from app.services.filing.search import name_matches

    assert client.application.db_backend == "postgresql"
    for part, index in (("李", "ix_contracts_worker_name_prefix"),
                        ("李四光", "ix_contracts_worker_name_trgm")):
        query = select(Contract.id).where(name_matches(part)).compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(db.session.scalars(text(f"EXPLAIN {query}")))
        db.session.rollback()
        assert index in plan, plan


def test_the_county_warning_list_is_linked_and_names_its_workers(client, world):
    from tests.app.test_wage_reconciliation import (
        PAY_HEADER,
        PEOPLE,
        _attendance,
        _contract,
        _csv,
        _import,
        _pay,
    )

    for n in (1, 2, 3):  # worker 4 has no contract, worker 5 not even a pay record
        _contract(client, world, n)
    project = make_project()
    login(client, "hr")
    assert _import(client, project.id, "attendance", _attendance({1: 20, 2: 20, 3: 10, 4: 5,
                                                                  5: 3})).status_code == 302
    payroll = _csv(PAY_HEADER, [_pay(1, "6000", "2026-11-15"), _pay(2, "5000", "2026-11-20"),
                                _pay(4, "1500", "2026-11-15", holder="工人4")])
    assert _import(client, project.id, "payroll", payroll).status_code == 302
    page = client.get(f"/projects/{project.id}/wages").get_data(as_text=True)
    assert client.post(f"/projects/{project.id}/wages/reconcile",
                       data={"csrf_token": csrf_token(page)}).status_code == 302
    db.session.rollback()

    auditor = client.application.test_client()
    login(auditor, "auditor")
    menu = auditor.get("/audit/").get_data(as_text=True)
    assert 'href="/projects/warnings"' in menu  # in the auditor's menu
    county = auditor.get("/projects/county").get_data(as_text=True)
    assert re.search(r'<a [^>]*href="/projects/warnings"', county.split("</header>", 1)[1])
    html = auditor.get("/projects/warnings").get_data(as_text=True)
    cells = re.findall(r'<td class="worker">(.*?)</td>', html, re.S)
    shown = [_visible(c).strip() for c in cells]

    def masked(n: int) -> str:
        return PEOPLE[n][1][:4] + "*" * 10 + PEOPLE[n][1][-4:]

    for n in (2, 3):  # flagged, with a contract on the project: the name on the contract
        assert any(s.startswith(PEOPLE[n][0]) and masked(n) in s for s in shown), shown
    assert any("工人4" in s and "工资卡户名" in s and masked(4) in s for s in shown), shown
    assert any("姓名未登记" in s and masked(5) in s for s in shown), shown
    assert PEOPLE[2][1] not in html  # the ID number itself stays masked
    hr_menu = client.get("/employer/contracts").get_data(as_text=True)
    assert 'href="/projects/warnings"' not in hr_menu  # employers have no such list


def test_english_pages_leave_no_chinese_in_the_grounds_and_the_reading_title(
        client, world, outbox):
    filed = in_force(client, world, datetime(2028, 6, 30).date())
    login(client, "hr")
    html = client.get(f"/employer/contracts/{filed.id}?lang=en").get_data(as_text=True)
    grounds = re.search(r'<select name="ground">(.*?)</select>', html, re.S).group(1)
    options = re.findall(r"<option [^>]*>([^<]+)</option>", grounds)
    assert len(options) == 11 and not CJK.search(" ".join(options)), options
    assert "Labor Contract Law art. 36 Ended by agreement between employer and worker" in options
    assert "Contract HT" in html and "Contracts HT" not in html

    client = client.application.test_client()  # the worker's phone: no language cookie
    _, token = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, token)
    english = {"X-Signing-Session": session, "Accept-Language": "en"}
    shown = client.get(f"/api/v1/sign/{token}/contract", headers=english).get_json()
    assert shown["title"] == "Fixed-term labor contract"  # the reading step's title
    chinese = client.get(f"/api/v1/sign/{token}/contract",
                         headers={"X-Signing-Session": session, "Accept-Language": "zh-CN"})
    assert chinese.get_json()["title"] == "劳动合同（固定期限）"
    assert worker_sign(client, token, session).status_code == 200
    documents = client.get(f"/api/v1/sign/{token}/documents", headers=english).get_json()
    assert documents["documents"] and not any(CJK.search(d["title"])
                                              for d in documents["documents"])
