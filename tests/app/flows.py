"""Reusable user journeys for the app tests (all through HTTP)."""

from __future__ import annotations

import base64
import io
import itertools
from datetime import date, timedelta

from PIL import Image, ImageDraw

from app.extensions import db
from app.models import Contract
from tests.conftest import WORKER, bearer, contract_payload, csrf_token


def signature_data_url(blank: bool = False) -> str:
    """A drawn signature as the phone's canvas would send it."""
    img = Image.new("RGBA", (600, 260), (255, 255, 255, 0))
    if not blank:
        draw = ImageDraw.Draw(img)
        draw.line([(60, 180), (160, 60), (240, 200), (330, 70), (420, 190), (540, 90)],
                  fill=(17, 17, 17, 255), width=8)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def api_create(client, key: str, **overrides) -> dict:
    resp = client.post("/api/v1/contracts", json=contract_payload(**overrides), headers=bearer(key))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def api_send(client, key: str, contract_id: int) -> str:
    """Seal and send; returns the link token as texted to the worker."""
    resp = client.post(f"/api/v1/contracts/{contract_id}/send", headers=bearer(key))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["signing_url"].rsplit("/", 1)[1]


def worker_session(client, outbox, token: str) -> str:
    """Name + ID number + SMS code -> a signing session."""
    resp = client.post(f"/api/v1/sign/{token}/otp",
                       json={"name": WORKER["name"], "id_number": WORKER["id_number"]})
    assert resp.status_code == 200, resp.get_json()
    code = outbox.last_code(WORKER["phone"])
    resp = client.post(f"/api/v1/sign/{token}/verify", json={"code": code})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["session"]


def worker_sign(client, token: str, session: str, **overrides):
    body = {"session": session, "signature": signature_data_url(), "consent": True}
    body.update(overrides)
    return client.post(f"/api/v1/sign/{token}", json=body)


def sent_contract(client, world, outbox) -> tuple[int, str]:
    """A contract created and sent through the API; returns (id, link token)."""
    created = api_create(client, world["api_key"])
    token = api_send(client, world["api_key"], created["id"])
    assert outbox.last_link_token(WORKER["phone"]) == token
    return created["id"], token


def search(client, **fields):
    """Search the archive as the auditor's form does (POST: ID numbers never go into URLs)."""
    token = csrf_token(client.get("/audit/").get_data(as_text=True))
    return client.post("/audit/", data={**fields, "csrf_token": token})


def _worker_ids():
    from app.domain.ids import id_with_check

    for n in itertools.count(1):
        yield id_with_check(f"43012119900101{n % 1000:03d}")


_WORKER_IDS = _worker_ids()


def in_force(client, world, end: date | None, *, status: str = "filed", key: str = "api_key",
             start: date | None = None, **terms) -> Contract:
    """A contract created through the API, then put into ``status`` (the signing flow is
    tested elsewhere); ``end`` None makes it open-ended (no end date in its terms). Each is
    another worker's (same name and phone) unless ``worker_id_number`` is given: one worker's
    contracts may not overlap."""
    start = start or (end or date(2027, 1, 1)) - timedelta(days=700)
    end_text = (end or start + timedelta(days=800)).isoformat()
    terms.setdefault("worker_id_number", next(_WORKER_IDS))
    created = api_create(client, world[key], term_start=start.isoformat(), term_end=end_text,
                         **{"probation_months": "0", **terms})
    contract = db.session.get(Contract, created["id"])
    contract.status = status
    if end is None:
        contract.terms = {**contract.terms, "term_end": ""}
    db.session.commit()
    return contract
