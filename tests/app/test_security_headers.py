"""Security headers on every answer: HTML, JSON, static files, downloads and error pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.app.flows import api_create, sent_contract
from tests.conftest import bearer, login

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _common(resp) -> None:
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]


def _html_csp(resp) -> dict[str, str]:
    assert resp.mimetype == "text/html"
    policy = dict(part.strip().split(" ", 1) for part in
                  resp.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["base-uri"] == "'none'"
    assert "unsafe-inline" not in resp.headers["Content-Security-Policy"]
    return policy


def test_html_pages_have_a_strict_csp_and_are_not_cached(client, world, outbox):
    login_page = client.get("/login")
    _common(login_page)
    _html_csp(login_page)
    assert "no-store" in login_page.headers["Cache-Control"]
    assert "Strict-Transport-Security" not in login_page.headers  # plain http

    _, token = sent_contract(client, world, outbox)
    signing = client.get(f"/s/{token}")
    assert signing.status_code == 200
    _common(signing)
    _html_csp(signing)
    assert "no-store" in signing.headers["Cache-Control"]

    login(client, "hr")
    page = client.get("/employer/contracts")
    assert page.status_code == 200
    _common(page)
    assert "no-store" in page.headers["Cache-Control"]


def test_json_answers_downloads_and_errors(client, world):
    created = api_create(client, world["api_key"])
    answer = client.get(f"/api/v1/contracts/{created['id']}", headers=bearer(world["api_key"]))
    _common(answer)
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "no-store" in answer.headers["Cache-Control"]

    pdf = client.get(f"/api/v1/contracts/{created['id']}/pdf", headers=bearer(world["api_key"]))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    _common(pdf)
    assert pdf.headers["Content-Security-Policy"] == "frame-ancestors 'none'"  # viewers work
    assert "no-store" in pdf.headers["Cache-Control"]

    missing_json = client.get("/api/v1/contracts/999999", headers=bearer(world["api_key"]))
    assert missing_json.status_code == 404
    _common(missing_json)
    missing_page = client.get("/no-such-page")
    assert missing_page.status_code == 404 and missing_page.mimetype == "text/html"
    _common(missing_page)
    _html_csp(missing_page)


def test_static_files_get_the_headers_but_stay_cacheable(client):
    with client.get("/static/sign.js") as js:
        assert js.status_code == 200
        _common(js)
        assert "no-store" not in js.headers.get("Cache-Control", "")


def test_hsts_only_behind_tls(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_is_httponly_and_lax_on_plain_http(client):
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


@pytest.fixture
def https_app(tmp_path):
    from app import create_app
    from config import TestConfig

    return create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                       "BASE_URL": "https://laborsign.example.cn", "INSTANCE_DIR": str(tmp_path),
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                       "SESSION_COOKIE_SECURE": None, "REMEMBER_COOKIE_SECURE": None})


def test_https_base_url_makes_cookies_secure_and_sends_hsts(https_app):
    resp = https_app.test_client().get("/login", base_url="https://laborsign.example.cn")
    assert "Secure" in resp.headers["Set-Cookie"] and "HttpOnly" in resp.headers["Set-Cookie"]
    # TLS ends at nginx: the public URL is https even when the app sees plain http.
    plain = https_app.test_client().get("/login")
    assert plain.headers["Strict-Transport-Security"].startswith("max-age=")


def test_templates_have_no_inline_script_style_or_handlers():
    for path in TEMPLATES.rglob("*.html"):
        html = path.read_text("utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"<style\b", html), path
        assert not re.search(r"\sstyle\s*=", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert "javascript:" not in html, path
