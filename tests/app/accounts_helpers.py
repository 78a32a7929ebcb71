"""Helpers for the account tests: forms posted through HTTP with their CSRF token."""

from __future__ import annotations

import re

from tests.conftest import csrf_token

LINK_RE = re.compile(r"/password/(set|reset)/([A-Za-z0-9_-]+)")
STRONG = "Ruby-Tea-Lantern-42"


def post_form(client, page: str, url: str | None = None, data: dict | None = None,
              address: str | None = None):
    """GET ``page`` for its CSRF token, then POST ``data`` to ``url`` (default: ``page``)."""
    environ = {"REMOTE_ADDR": address} if address else {}
    html = client.get(page, environ_base=environ).get_data(as_text=True)
    body = {**(data or {}), "csrf_token": csrf_token(html)}
    return client.post(url or page, data=body, environ_base=environ)


def login_from(client, username: str, password: str = "pw-123456", address: str = "127.0.0.1"):
    """Log in through the form from client address ``address``."""
    return post_form(client, "/login", data={"username": username, "password": password},
                     address=address)


def last_link(outbox, phone: str) -> tuple[str, str]:
    """(kind, token) of the last one-time link texted to ``phone``."""
    for row in reversed(outbox.messages(phone)):
        if m := LINK_RE.search(row["text"]):
            return m.group(1), m.group(2)
    raise AssertionError(f"no one-time link was sent to {phone}")


def logged_in(client) -> bool:
    """True when the client's session cookie still opens a page that needs a login."""
    resp = client.get("/account/password")
    return resp.status_code == 200
