"""Chinese first, English available: the worker's path and its errors in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.app.flows import sent_contract
from tests.conftest import WORKER

CJK = re.compile(r"[\u4e00-\u9fff]")
CATALOG = Path(__file__).resolve().parents[2] / "app" / "translations" / "en" / "LC_MESSAGES"


def _visible_text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_signing_page_is_chinese_by_default_and_english_on_request(client, world, outbox):
    _, token = sent_contract(client, world, outbox)
    zh = client.get(f"/s/{token}").get_data(as_text=True)
    assert "签署劳动合同" in zh and 'lang="zh-CN"' in zh
    en = client.get(f"/s/{token}?lang=en")
    html = en.get_data(as_text=True)
    assert "Sign your labor contract" in html and 'lang="en"' in html
    # Only data (the employer's name) and the language switch stay Chinese.
    leftover = _visible_text(html).replace(world["org"].name, "").replace("中文", "")
    assert not CJK.search(leftover), CJK.findall(leftover)
    assert "lang=en" in en.headers["Set-Cookie"]
    # The choice sticks through the cookie.
    assert "Sign your labor contract" in client.get(f"/s/{token}").get_data(as_text=True)


def test_api_errors_follow_accept_language(client, world, outbox):
    _, token = sent_contract(client, world, outbox)
    body = {"name": WORKER["name"], "id_number": "11010519491231002X"}
    zh = client.post(f"/api/v1/sign/{token}/otp", json=body).get_json()
    assert zh["message"] == "姓名或身份证号码与合同不符"
    en = client.post(f"/api/v1/sign/{token}/otp", json=body,
                     headers={"Accept-Language": "en"}).get_json()
    assert en["message"] == "Name or ID number does not match the contract"
    assert en["fields"]["id_number"] == "Name or ID number differs from those in the contract"
    assert en["error"] == zh["error"] == "identity_mismatch"
    client.post(f"/api/v1/sign/{token}/otp", json={"name": WORKER["name"],
                                                   "id_number": WORKER["id_number"]})
    wrong = client.post(f"/api/v1/sign/{token}/verify", json={"code": "abc"},
                        headers={"Accept-Language": "en-US,en;q=0.9"}).get_json()
    assert wrong["message"] == "Wrong code, 4 tries left"


def test_login_page_in_english(client):
    html = client.get("/login?lang=en").get_data(as_text=True)
    assert "Log in" in html and "Username" in html and "Password" in html


def test_compiled_catalog_matches_its_source():
    def plain(value):  # a plural entry (ngettext): the .mo reader gives lists, the .po tuples
        return tuple(value) if isinstance(value, list | tuple) else value

    with (CATALOG / "messages.po").open("rb") as fh:
        source = {plain(m.id): plain(m.string) for m in read_po(fh) if m.id}
    with (CATALOG / "messages.mo").open("rb") as fh:
        compiled = {plain(m.id): plain(m.string) for m in read_mo(fh) if m.id}
    assert source == compiled and all(source.values())
    assert all(all(s) for s in source.values() if isinstance(s, tuple))  # every plural form


def test_every_marked_string_has_an_english_translation():
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    root = CATALOG.parents[3]
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "Msg": None}
    found = {msg[2] if isinstance(msg[2], str) else msg[2][0]
             for folder, method in (("app", "python"), ("templates", "jinja2"))
             for msg in extract_from_dir(root / folder, [("**.py", method), ("**.html", method)],
                                         keywords=keywords)}
    with (CATALOG / "messages.po").open("rb") as fh:  # a plural entry by its singular
        translated = {m.id if isinstance(m.id, str) else m.id[0]
                      for m in read_po(fh) if m.id and m.string}
    assert found and not (found - translated), sorted(found - translated)


def test_no_user_facing_text_is_an_f_string():
    """Message ids are constant strings with named placeholders (``Msg``, gettext), so that
    they can be translated; only the operator's console output (CLI) may format freely."""
    import ast

    root = CATALOG.parents[3] / "app"
    found = []
    for path in root.rglob("*.py"):
        if path.relative_to(root).parts[0] == "cli":  # the operator's console (app/cli/)
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.JoinedStr) and CJK.search("".join(
                    v.value for v in node.values if isinstance(v, ast.Constant))):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not found, found


def test_rate_limit_messages_in_english(client, world, outbox, monkeypatch):
    from app.services.platform import ratelimit

    assert ratelimit.parse_limit("20/minute").describe_zh() == "每分钟 20 次"
    _, token = sent_contract(client, world, outbox)
    monkeypatch.setitem(client.application.config, "SIGN_IDENTITY_LIMIT", "1/minute")
    body = {"name": WORKER["name"], "id_number": WORKER["id_number"]}
    headers = {"Accept-Language": "en"}
    answers = [client.post(f"/api/v1/sign/{token}/otp", json=body, headers=headers)
               for _ in range(2)]
    assert answers[-1].status_code == 429
    message = answers[-1].get_json()["message"]
    assert "1 per minute" in message and not CJK.search(message), message


def test_public_verify_page_in_english(client):
    html = client.get("/verify?lang=en").get_data(as_text=True)
    assert "Verify an e-signed contract" in html
    assert not CJK.search(_visible_text(html).replace("中文", ""))


def test_employer_pages_in_english(client, world):
    from app.domain.terms import FIELD_LABELS, HOURS_SYSTEMS
    from tests.conftest import login

    with (CATALOG / "messages.po").open("rb") as fh:
        translated = {m.id for m in read_po(fh) if m.id and m.string}
    assert set(FIELD_LABELS.values()) | set(HOURS_SYSTEMS.values()) <= translated
    login(client, "hr")
    html = client.get("/employer/contracts/new?lang=en").get_data(as_text=True)
    assert "New labor contract (fixed term)" in html and "Working-hours system" in html
    leftover = _visible_text(html).replace(world["org"].name, "").replace("中文", "")
    leftover = leftover.replace("王人事", "")  # the HR user's display name
    assert not CJK.search(leftover), CJK.findall(leftover)


def test_auditor_contract_page_in_english(client, world, outbox):
    from tests.app.flows import worker_session, worker_sign
    from tests.conftest import login

    contract_id, token = sent_contract(client, world, outbox)
    worker_sign(client, token, worker_session(client, outbox, token))
    login(client, "auditor")
    html = client.get(f"/audit/contracts/{contract_id}?lang=en").get_data(as_text=True)
    assert "Verification result" in html and "Audit trail" in html and "filed automatically" in html
    assert "Beijing time" in html and "北京时间" not in html
