"""Signing journeys over HTTP against a running stack (as bench/signing_load.py drives them):
the employer's API key launches (creates, seals and sends) a contract; the worker proves who
they are with the code from the SMS outbox and signs. Every answer is kept, so that the end
state check can ask whether each failure named its problem.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import requests

from bench.app_pipeline import SIGNATURE, payload

TIMEOUT = 30.0  # seconds a phone waits for an answer
Answer = tuple[str, int, str, bytes]  # (what, status, content type, body)


class Api:
    """One employer's API key and the workers' phones (the outbox) on a stack."""

    def __init__(self, base: str, key: str, outbox: Path) -> None:
        self.base, self.outbox = base, outbox
        self.auth = {"Authorization": f"Bearer {key}"}
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._n = 0

    def _keep(self, what: str, resp: requests.Response) -> requests.Response:
        with self._lock:
            self.answers.append((what, resp.status_code, resp.headers.get("Content-Type", ""),
                                 resp.content))
        return resp

    def get(self, what: str, path: str) -> requests.Response:
        """GET ``path`` with the employer's key (kept among :attr:`answers`)."""
        return self._keep(what, requests.get(f"{self.base}{path}", headers=self.auth,
                                             timeout=TIMEOUT))

    def post(self, what: str, path: str, **kwargs) -> requests.Response:
        """POST ``path`` (kept among :attr:`answers`); a refused connection is an answer too
        (status 0), and so is no answer within :data:`TIMEOUT` seconds."""
        try:
            resp = requests.post(f"{self.base}{path}", timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            with self._lock:
                self.answers.append((what, 0, "", str(exc).encode()))
            raise
        return self._keep(what, resp)

    def launch(self) -> dict:
        """A new contract created and sent; what its worker needs to sign it."""
        with self._lock:
            self._n += 1
            i = self._n
        p = payload(7000 + i)
        made = self.post("create", "/api/v1/contracts", json=p, headers=self.auth)
        assert made.status_code == 201, made.text
        cid = made.json()["id"]
        sent = self.post("send", f"/api/v1/contracts/{cid}/send", headers=self.auth)
        assert sent.status_code == 200, sent.text
        return {"id": cid, "token": sent.json()["signing_url"].rsplit("/", 1)[1],
                "name": p["worker_name"], "id_number": p["worker_id_number"],
                "phone": p["worker_phone"]}

    def codes(self, phone: str) -> list[str]:
        """The one-time codes texted to ``phone`` so far, oldest first."""
        if not self.outbox.exists():
            return []
        rows = [json.loads(line) for line in self.outbox.read_text("utf-8").splitlines()]
        return [m.group(1) for r in rows
                if r["to"] == phone and (m := re.search(r"验证码为(\d{6})", r["text"]))]

    def code(self, phone: str, known: int, timeout: float = 15.0) -> str:
        """The code texted to ``phone`` after the ``known`` earlier ones (a job worker sends
        it: wait for it)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if len(sent := self.codes(phone)) > known:
                return sent[-1]
            time.sleep(0.05)
        raise AssertionError(f"no new code was texted to {phone} within {timeout} s")

    def verify(self, c: dict) -> bool:
        """Name + ID number, then the texted code: ``c["session"]`` on success."""
        url, known = f"/api/v1/sign/{c['token']}", len(self.codes(c["phone"]))
        r = self.post("otp", f"{url}/otp", json={"name": c["name"], "id_number": c["id_number"]})
        if r.status_code != 200:
            return False
        r = self.post("verify", f"{url}/verify", json={"code": self.code(c["phone"], known)})
        if r.status_code != 200:
            return False
        c["session"] = r.json()["session"]
        return True

    def sign(self, c: dict) -> requests.Response:
        """The worker's signature with the verified session."""
        return self.post("sign", f"/api/v1/sign/{c['token']}",
                         json={"session": c["session"], "signature": SIGNATURE, "consent": True})

    def journey(self, c: dict) -> bool:
        """Verify and sign; True when signed (a connection error counts as not signed)."""
        try:
            return self.verify(c) and self.sign(c).status_code == 200
        except requests.RequestException:
            return False
