"""A project's feed keys on its page: the general contractor's administrator creates a site
device's key (shown once, then pushes attendance), sees the list without any secret and
revokes a key (it gets 401 at once); HR staff are refused, another employer sees nothing."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.domain.ids import id_with_check
from app.extensions import db
from app.models import AuditEvent, FeedKey
from tests.app.project_helpers import make_project
from tests.conftest import bearer, csrf_token, login

ID1 = id_with_check("43012119800101001")
URL = "/api/v1/feeds/attendance"
RECORD = {"records": [{"recordId": "g-1", "idCardNumber": ID1, "workDate": "2026-10-04",
                       "workHours": 8}]}


def _page(client, project_id: int) -> str:
    return client.get(f"/projects/{project_id}").get_data(as_text=True)


def test_the_admin_creates_lists_and_revokes_a_project_s_feed_key(client, world):
    project = make_project()
    login(client, "admin")
    page = _page(client, project.id)
    assert "考勤推送密钥" in page and 'id="feed-key-form"' in page

    resp = client.post(f"/projects/{project.id}/feed-keys",
                       data={"csrf_token": csrf_token(page), "name": "1号门闸机"})
    assert resp.status_code == 201 and resp.headers["Cache-Control"] == "no-store"
    whole = re.search(r'id="new-secret">(lfk_[^<]+)<', resp.get_data(as_text=True)).group(1)
    assert "只显示这一次" in resp.get_data(as_text=True)
    assert client.post(URL, json=RECORD, headers=bearer(whole)).status_code == 200

    page = _page(client, project.id)  # listed: name and prefix, never the secret
    key = db.session.scalar(select(FeedKey))
    assert key.project_id == project.id and key.bank_code is None
    assert "1号门闸机" in page and f"lfk_{key.prefix}_…" in page
    assert whole not in page and whole.split("_", 2)[2] not in page
    actors = dict(db.session.execute(select(AuditEvent.action, AuditEvent.actor)).all())
    assert actors["feed_key.created"].startswith("user:")  # recorded like the CLI's
    db.session.rollback()

    resp = client.post(f"/projects/{project.id}/feed-keys/revoke",
                       data={"csrf_token": csrf_token(page), "key_id": str(key.id)})
    assert resp.status_code == 302
    assert client.post(URL, json=RECORD, headers=bearer(whole)).status_code == 401
    assert "已吊销" in _page(client, project.id)


def test_an_empty_name_is_named_hr_is_refused_another_employer_sees_nothing(client, world):
    project = make_project()
    login(client, "admin")
    page = _page(client, project.id)
    resp = client.post(f"/projects/{project.id}/feed-keys",
                       data={"csrf_token": csrf_token(page), "name": "  "})
    assert resp.status_code == 422 and 'id="err-name"' in resp.get_data(as_text=True)
    long = "闸" * 101
    resp = client.post(f"/projects/{project.id}/feed-keys",
                       data={"csrf_token": csrf_token(page), "name": long})
    assert resp.status_code == 422 and long in resp.get_data(as_text=True)  # kept in the form
    assert db.session.scalar(select(FeedKey)) is None
    db.session.rollback()

    hr = client.application.test_client()
    login(hr, "hr")
    page = _page(hr, project.id)
    assert 'id="feed-key-form"' not in page  # HR staff see no card
    resp = hr.post(f"/projects/{project.id}/feed-keys",
                   data={"csrf_token": csrf_token(page), "name": "闸机"})
    assert resp.status_code == 403

    other = client.application.test_client()
    login(other, "admin2")
    token = csrf_token(other.get("/projects").get_data(as_text=True))
    resp = other.post(f"/projects/{project.id}/feed-keys",
                      data={"csrf_token": token, "name": "闸机"})
    assert resp.status_code == 404
    mine = make_project("hr2", name="另一个项目", permit_no="430121202609010102")
    page = _page(other, mine.id)
    resp = other.post(f"/projects/{mine.id}/feed-keys",
                      data={"csrf_token": csrf_token(page), "name": "闸机"})
    assert resp.status_code == 201
    key = db.session.scalar(select(FeedKey))
    db.session.rollback()
    # a key of another project, named on this project's form: 404, still live
    resp = client.post(f"/projects/{project.id}/feed-keys/revoke",
                       data={"csrf_token": csrf_token(_page(client, project.id)),
                             "key_id": str(key.id)})
    assert resp.status_code == 404
    assert db.session.get(FeedKey, key.id).revoked_at is None
