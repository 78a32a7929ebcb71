"""The county employment register (用工信息库): its numbers on a small known dataset, the
employers with workers seen in attendance or payroll without a contract, scoping, the
workbook, the page in both languages, and its statement count."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from app import pii
from app.domain.ids import uscc_with_check
from app.extensions import db
from app.models import AttendanceDay, Contract, PayRecord, User, Worker
from app.services import bureau
from app.services.accounts import accounts
from app.services.platform.principal import of_user
from tests.app.project_helpers import make_project
from tests.conftest import login

DAY = "2027-03-15"
IDS = {n: f"3604261991010{n:03d}1" for n in range(1, 40)}  # not checked here: keyed hashes only


def _worker(n: int) -> Worker:
    found = db.session.scalar(select(Worker).where(Worker.id_hash == pii.keyed_hash(IDS[n])))
    if found:
        return found
    w = Worker(id_hash=pii.keyed_hash(IDS[n]), id_number_enc=pii.encrypt(IDS[n]),
               id_masked=IDS[n][:4] + "*" * 10 + IDS[n][-4:])
    db.session.add(w)
    db.session.flush()
    return w


def _contract(org, n: int, start: str, end: str, status: str = "filed", **extra) -> Contract:
    c = Contract(contract_no=f"T{org.id}-{n}-{start}-{status}", organization_id=org.id,
                 worker_id=_worker(n).id, worker_name=f"工人{n}",
                 worker_phone_enc=pii.encrypt("13800138000"), worker_phone_masked="138****8000",
                 terms={"term_start": start, "term_end": end}, status=status, **extra)
    db.session.add(c)
    db.session.flush()
    return c


def _seen(project, n: int, day: str | None = None, month: str | None = None) -> None:
    h, masked = pii.keyed_hash(IDS[n]), IDS[n][:4] + "**"
    if day:
        db.session.add(AttendanceDay(project_id=project.id, id_hash=h, id_masked=masked,
                                     day=date.fromisoformat(day), events=[], minutes=480))
    if month:
        db.session.add(PayRecord(project_id=project.id, id_hash=h, id_masked=masked, month=month,
                                 gross="6000", net="6000", account_hash="a", account_masked="a",
                                 bank="b", holder="h", paying_account_hash="p",
                                 row_hash=f"{project.id}-{n}-{month}"))


@pytest.fixture
def county(world):
    """Employer A (430121) with a known register on 2027-03-15, B (430102) with one worker,
    a project of A with workers seen without a contract, and an unscoped auditor."""
    a, b = world["org"], world["other"]
    _contract(a, 1, DAY, "2028-03-14")  # first day of term is the day: in service, a hire
    _contract(a, 2, "2026-03-16", DAY)  # last day is the day: in service, ending, leaver
    _contract(a, 3, "2026-01-01", "2027-03-14")  # ended the day before: a leaver
    _contract(a, 4, "2027-03-16", "2028-03-15")  # starts the day after: nothing yet
    _contract(a, 5, "2026-06-01", "2028-05-31", "terminated",
              ended_on=date(2027, 1, 20))  # a hire in June, a leaver in January
    _contract(a, 6, "2027-01-01", "2028-12-31", "sent")  # never signed: nothing
    _contract(a, 7, "2026-04-15", "2027-04-14")  # ends on day + 30: ending
    _contract(a, 8, "2025-01-01", "2027-04-15")  # ends on day + 31: not ending
    _contract(a, 9, "2024-01-01", "")  # open-ended: in service
    _contract(a, 9, "2024-02-01", "", template="part_time")  # a second one: counted once
    old = _contract(a, 10, "2026-01-01", "2027-02-28")  # renewed: not a leaver
    _contract(a, 10, "2027-03-01", "2030-02-28", renewal_of_id=old.id)  # not a hire
    _contract(b, 20, "2026-01-01", "2028-01-01")
    _contract(b, 21, "2026-01-01", "2028-01-01")  # worker 21 works on A's site for B
    accounts.add_user(username="unscoped", password="pw-123456", role="auditor",
                      display_name="无范围")
    db.session.commit()
    project = make_project()
    _seen(project, 1, day="2027-03-10")  # c1 covers part of March: covered
    _seen(project, 3, day="2027-03-20")  # c3 covers part of March: covered
    _seen(project, 8, month="2027-03")  # covered
    _seen(project, 30, day="2027-02-03", month="2027-02")  # no contract at all
    _seen(project, 30, day="2027-02-04")  # the same worker-month again
    _seen(project, 21, day="2027-03-01")  # a contract, but with B (not on the project)
    db.session.commit()
    return world | {"project": project}


def _p(username: str):
    return of_user(db.session.scalar(select(User).where(User.username == username)))


def test_numbers_on_a_known_dataset(county):
    view = bureau.register_view(_p("auditor"), {"day": DAY})
    [a] = view.register.employers
    assert (a.name, a.in_service, a.ending) == ("湖南星城建设工程有限公司", 6, 2)
    assert a.hires == {"2027-03": 1, "2026-04": 1, "2026-06": 1}
    assert a.leavers == {"2027-03": 2, "2027-01": 1}
    assert view.register.months[0] == "2026-04" and view.register.months[-1] == "2027-03"
    assert view.register.by_region() == [{"region_code": "430121", "employers": 1,
                                          "in_service": 6, "hires": 3, "leavers": 3,
                                          "ending": 2}]
    # a day later: worker 2's contract is over, worker 4's begins; worker 8's ends on day + 30
    later = bureau.register_view(_p("auditor"), {"day": "2027-03-16"}).register.employers[0]
    assert (later.in_service, later.ending) == (6, 2)


def test_workers_seen_without_a_contract(county):
    [found] = bureau.register_view(_p("auditor"), {"day": DAY}).unfiled
    assert (found.employer, found.project) == ("湖南星城建设工程有限公司", "星沙安置房一期")
    assert (found.workers, found.worker_months) == (2, 2)
    assert (found.first_month, found.last_month) == ("2027-02", "2027-03")


def test_scoped_like_auditors(county):
    other = bureau.register_view(_p("auditor2"), {"day": DAY})
    assert [(e.name, e.in_service) for e in other.register.employers] == [
        ("长沙另一家劳务有限公司", 2)]
    assert other.unfiled == []  # A's site is outside 430102
    nobody = bureau.register_view(_p("unscoped"), {"day": DAY})
    assert nobody.register.employers == [] and nobody.unfiled == []
    everything = bureau.register_view(_p("platform"), {"day": DAY})
    assert len(everything.register.employers) == 2
    narrowed = bureau.register_view(_p("platform"), {"day": DAY, "region": "430102"})
    assert [e.region_code for e in narrowed.register.employers] == ["430102"]


def test_a_few_statements_whatever_the_number_of_employers(county):
    platform = _p("platform")

    def statements() -> list[str]:
        seen: list[str] = []

        def listener(conn, cursor, statement, *args):
            seen.append(statement.split()[0])

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            bureau.register_view(platform, {"day": DAY})
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return seen

    statements()  # the access log's chain head is created by the first read
    few = statements()
    for i in range(5):
        org = accounts.add_organization(name=f"新增单位{i}", uscc=uscc_with_check(f"9143012100000000{i}"),
                                        address="长沙县", legal_rep="某")
        db.session.flush()
        _contract(org, 31 + i, "2026-05-01", "2028-05-01")
    db.session.commit()
    more = statements()
    assert len(more) == len(few) and more.count("SELECT") <= 5, more  # 4 reads + log head
    assert len(bureau.register_view(platform, {"day": DAY}).register.employers) == 7


def test_xlsx_opens_and_escapes_text(county, ctx):
    evil = accounts.add_organization(name="=HYPERLINK(\"http://x\",\"点我\")",
                                     uscc=uscc_with_check("91430121000000019"), address="长沙县",
                                     legal_rep="某")
    db.session.commit()
    with ctx.test_request_context():  # headers in the reader's language (zh_CN here)
        data, mimetype, name = bureau.register_file(_p("auditor"), {"day": DAY})
    assert name == f"employment-register-{DAY}.xlsx" and mimetype.endswith("sheet")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["用人单位", "按地区", "每月入职离职", "无合同用工"]
    rows = list(book["用人单位"].iter_rows(values_only=True))
    assert rows[0][:4] == ("用人单位", "统一社会信用代码", "地区代码", "在职人数")
    names = {r[0]: r for r in rows[1:]}
    assert names["湖南星城建设工程有限公司"][3] == 6
    assert "'" + evil.name in names  # stays text: never run as a formula
    assert list(book["无合同用工"].iter_rows(values_only=True))[1][4] == 2


def test_bad_input_names_the_field(county):
    from app.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as bad:
        bureau.register_view(_p("auditor"), {"day": "2027-13-01", "region": "43a"})
    assert set(bad.value.fields) == {"day", "region"}


def test_page_json_and_export_in_both_languages(county, client):
    login(client, "auditor")
    page = client.get(f"/bureau/register?day={DAY}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "全县用工信息库" in html
    assert 'data-total="in_service">6<' in html and "<svg" in html
    assert 'data-employer="' in html and "星沙安置房一期" in html
    en = client.get(f"/bureau/register?day={DAY}&lang=en").get_data(as_text=True)
    assert "County employment register" in en and "Workers in service" in en
    bad = client.get("/bureau/register?day=15/03/2027")
    assert bad.status_code == 422 and 'id="err-day"' in bad.get_data(as_text=True)
    data = client.get(f"/bureau/register.json?day={DAY}").get_json()
    assert data["totals"]["in_service"] == 6 and data["without_contract"][0]["workers"] == 2
    xlsx = client.get(f"/bureau/register.xlsx?day={DAY}")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    from app.models.access_log import AccessLogEntry

    logged = db.session.scalars(select(AccessLogEntry).where(
        AccessLogEntry.action == "register").order_by(AccessLogEntry.seq)).all()
    assert [e.criteria["format"] for e in logged] == ["view", "view", "view", "xlsx"]
    assert logged[-1].count == 1 and logged[-1].criteria["day"] == DAY


def test_a_day_out_of_range_is_a_field_error_not_a_500(county, client):
    login(client, "auditor")
    for path in ("/bureau/register", "/bureau/register.json", "/bureau/register.xlsx"):
        answer = client.get(f"{path}?day=9999-12-31")
        assert answer.status_code == 422, (path, answer.status_code)
    page = client.get("/bureau/register?day=9999-12-31").get_data(as_text=True)
    assert 'id="err-day"' in page and "统计日期应在1900-01-01至2999-12-31之间" in page
