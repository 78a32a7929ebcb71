"""Edges found in review: a batch makes its contracts on the batch's own template; rows whose
job gave up can be retried; malformed input is a clear 422, never a 500; a month still in its
pay window raises no project flag; flags that no longer hold are resolved; a roster without
its header row does not echo personal data."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Batch, BatchRow, Contract, Job, WageFlag
from app.services.batches import batches
from app.services.platform import jobs
from app.services.projects import reconcile
from tests.app.project_helpers import PROJECT, make_project, principal
from tests.app.roster_helpers import person
from tests.app.test_templates_flow import KINDS
from tests.app.test_wage_reconciliation import PAY_HEADER, _attendance, _csv, _import, _pay
from tests.conftest import bearer, contract_payload, csrf_token, login


def test_a_construction_roster_makes_construction_contracts(client, world):
    key = bearer(world["api_key"])
    fields = KINDS["construction_simple"][0]
    rows = [{**contract_payload(**person(i)), **fields} for i in range(2)]
    for row in rows:
        row.pop("term_end"), row.pop("monthly_wage"), row.pop("probation_months"), \
            row.pop("probation_wage")
    batch = client.post("/api/v1/batches", json={"rows": rows, "template": "construction_simple"},
                        headers=key).get_json()
    assert batch["status"] == "ready", batch
    client.post(f"/api/v1/batches/{batch['id']}/launch", headers=key)
    done = client.get(f"/api/v1/batches/{batch['id']}", headers=key).get_json()
    assert (done["done"], done["failed"]) == (2, 0), done
    made = db.session.scalars(select(Contract)).all()
    assert {c.template for c in made} == {"construction_simple"}
    assert {c.terms["project_name"] for c in made} == {fields["project_name"]}


def test_rows_whose_job_gave_up_can_be_retried(world):
    from app.services.batches import batch_check

    p = principal("hr")
    batch = batch_check.from_rows(p, "fixed_term", [contract_payload(**person(0))])
    batches.launch(p, batch.id)
    row = db.session.scalar(select(BatchRow))
    db.session.get(Job, row.job_id).status = "failed"  # the queue's last attempt failed
    db.session.commit()
    assert batches.retry(p, batch.id) == 1
    jobs.run_pending(limit=10)
    assert db.session.scalar(select(BatchRow)).status == "done"
    assert db.session.scalar(select(Batch)).status == "done"


@pytest.mark.parametrize("url", ["http://[::1", "http://example.com:99999/h",
                                 "http://example.com:abc/h"])
def test_unparseable_webhook_urls_are_named(client, world, url):
    login(client, "admin")
    page = client.get("/account/webhooks").get_data(as_text=True)
    resp = client.post("/account/webhooks", data={"csrf_token": csrf_token(page), "url": url,
                                                  "events": ["contract.sent"]})
    assert resp.status_code == 422 and 'id="err-url"' in resp.get_data(as_text=True)


def test_template_choices_with_unicode_digits_are_unknown(client, world):
    resp = client.post("/api/v1/batches", json={"rows": [contract_payload()], "template": "²"},
                       headers=bearer(world["api_key"]))
    assert resp.status_code == 422 and "template" in resp.get_json()["fields"]


def test_a_workbook_with_broken_xml_is_refused(client, world):
    from tests.app.roster_helpers import row, xlsx
    from tests.app.test_batches import upload

    good = zipfile.ZipFile(io.BytesIO(xlsx([row(0)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in good.infolist():
            data = good.read(item)
            z.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml")
                       else data)
    login(client, "hr")
    resp = upload(client, out.getvalue())
    assert resp.status_code == 422 and "不是有效的 XLSX 或 CSV" in resp.get_data(as_text=True)


def test_implausible_years_are_named(client, world):
    login(client, "hr")
    page = client.get("/projects").get_data(as_text=True)
    resp = client.post("/projects", data={"csrf_token": csrf_token(page),
                                          **{**PROJECT, "planned_end": "9999-12-31"}})
    assert resp.status_code == 422 and 'id="err-planned_end"' in resp.get_data(as_text=True)
    project = make_project()
    resp = _import(client, project.id, "payroll", _csv(PAY_HEADER, [
        [*_pay(1, "6000", "2026-11-15")[:1], "0000-01", *_pay(1, "6000", "2026-11-15")[2:]]]))
    assert resp.status_code == 422 and "月份格式应为" in resp.get_data(as_text=True)
    assert client.get(f"/projects/{project.id}/wages").status_code == 200


def test_this_months_attendance_raises_no_project_flag_and_paid_flags_resolve(client, world):
    project = make_project()
    login(client, "hr")
    _import(client, project.id, "attendance", _attendance({1: 10}))
    items = reconcile.lines(project, date(2026, 11, 20))  # October's pay window still open
    assert reconcile.project_flags(project, items, date(2026, 11, 20)) == {}
    assert set(reconcile.project_flags(project, items, date(2026, 12, 1))["2026-10"]) == {
        "paid_ratio", "unpaid_share"}
    reconcile.run(project, date(2026, 12, 3))
    assert db.session.scalar(select(WageFlag).where(WageFlag.flag == "unpaid")).resolved_at \
        is None
    _import(client, project.id, "payroll", _csv(PAY_HEADER, [_pay(1, "3000", "2026-12-01")]))
    reconcile.run(project, date(2026, 12, 3))
    unpaid = db.session.scalar(select(WageFlag).where(WageFlag.flag == "unpaid"))
    assert unpaid.resolved_at is not None  # paid now: no longer on the warning list
    auditor = client.application.test_client()
    login(auditor, "auditor")
    html = auditor.get("/projects/warnings").get_data(as_text=True)
    assert 'data-flag="unpaid"' not in html and 'data-flag="late"' in html


def test_a_roster_without_its_header_does_not_echo_the_first_workers_data(client, world):
    from tests.app.roster_helpers import csv_bytes, row
    from tests.app.test_batches import upload

    login(client, "hr")
    data = csv_bytes([row(0)]).split(b"\r\n", 1)[1]  # the header row left out
    html = upload(client, data, "r.csv").get_data(as_text=True)
    assert "未知的列" in html and person(0)["worker_id_number"] not in html
    assert person(0)["worker_phone"] not in html
