"""Workers are told where they keep their contracts once signing links expire: the portal."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.app.portal_helpers import portal_sign_in, signed_with
from tests.conftest import WORKER


def test_the_filing_sms_sends_the_worker_to_their_own_space(client, world, outbox):
    signed_with(client, outbox, world["api_key"])
    text = outbox.messages(WORKER["phone"])[-1]["text"]
    assert "完成用工备案" in text and "/s/" not in text, text
    url = next(word for word in text.replace("，", " ").split() if "/me/" in word)
    path = urlsplit(url).path
    assert path == "/me/"
    # The address in the SMS is the portal: it asks for the sign-in, then lists the contract.
    first = client.get(path)
    assert first.status_code == 302 and first.headers["Location"].endswith("/me/login")
    portal_sign_in(client, outbox)
    assert world["org"].name in client.get(path).get_data(as_text=True)


def test_the_signing_pages_lead_to_the_workers_own_space(client, world, outbox):
    signed_with(client, outbox, world["api_key"])
    token = outbox.last_link_token(WORKER["phone"])
    for url in (f"/s/{token}", "/s/no-such-link-token"):
        html = client.get(url).get_data(as_text=True)
        assert 'href="/me/login"' in html and "我的合同" in html, url
    english = client.get(f"/s/{token}?lang=en").get_data(as_text=True)
    assert "My contracts" in english and "Signing links expire" in english
