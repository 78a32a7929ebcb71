"""The soak's clients: every request timed and recorded by type, the SMS outbox tailed for
links and codes, logged-in web sessions (CSRF included), and one function per kind of work
(launch, batch, signing, search, import, download). Used by ``bench/soak.py``.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import requests
from app_pipeline import SIGNATURE, payload
from signing_load import Outbox as CodeOutbox

PASSWORD = "Soak-Bench-7Kq!-2026"
USCC = "91110000600037341L"  # the employer _stack.Stack.up() creates
PROJECT = {  # as tests/app/project_helpers.py registers one
    "name": "星沙安置房一期", "region_code": "430121", "permit_no": "430121202609010101",
    "builder": "长沙县城市建设投资有限公司", "contract_amount": "38000000",
    "start_date": "2026-09-01", "planned_end": "2027-12-31", "officer_name": "刘专管",
    "officer_phone": "13700001111", "wage_bank_code": "102", "wage_account": "6222020200001234",
    "wage_account_holder": "湖南星城建设工程有限公司星沙安置房一期农民工工资专用账户",
    "deposit_kind": "cash", "deposit_amount": "760000", "pay_day": "15"}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Recorder:
    """Every request: (seconds since start, type, status, ms, ok)."""

    def __init__(self) -> None:
        self.start, self.rows, self.lock = time.monotonic(), [], threading.Lock()

    def call(self, kind: str, fn, expect=(200,)):
        """Run ``fn()`` (one HTTP request), record it; the response, or None on an exception."""
        t0 = time.monotonic()
        try:
            resp = fn()
            status, ok = str(resp.status_code), resp.status_code in expect
        except Exception as exc:  # noqa: BLE001 - recorded as an error of this type
            resp, status, ok = None, f"exception {type(exc).__name__}", False
        with self.lock:
            self.rows.append((t0 - self.start, kind, status, (time.monotonic() - t0) * 1000, ok))
        return resp if ok else None

    def fail(self, kind: str, why: str) -> None:
        """A step that failed without a request of its own (e.g. no SMS arrived)."""
        with self.lock:
            self.rows.append((time.monotonic() - self.start, kind, why, 0.0, False))


class Outbox(CodeOutbox):
    """The SMS file backend's outbox, tailed: the newest signing link and code per phone."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.links: dict[str, str] = {}

    def wait(self, box: str, phone: str, timeout: float = 60.0) -> str | None:
        """The newest ``box`` ("links" or "codes") entry for ``phone``, taken; None on timeout."""
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                self._read()
                found = getattr(self, box).pop(phone, None)
            if found:
                return found
            time.sleep(0.05)
        return None

    def _take(self, row: dict) -> None:
        super()._take(row)
        if m := re.search(r"/s/([A-Za-z0-9_-]+)", row["text"]):
            self.links[row["to"]] = m.group(1)


class Load:
    """Shared state of one soak: the servers, the recorder, the contracts waiting for their
    worker, the filed contracts to search and download, a counter of new workers."""

    def __init__(self, base: str, sign_base: str, key: str, outbox: Outbox, rec: Recorder,
                 project_id: int) -> None:
        self.base, self.sign_base, self.rec, self.outbox = base, sign_base, rec, outbox
        self.auth = {"Authorization": f"Bearer {key}"}
        self.project_id, self.to_sign = project_id, queue.Queue()
        self.people: dict[int, dict] = {}  # contract id → worker (name, ID number, phone)
        self.signed: dict[int, float] = {}  # contract id → time the sign answer came
        self.filed: list[tuple[int, str]] = []  # (contract id, filing number), newest first
        self.lock, self.next_i, self.turns = threading.Lock(), 0, {}
        self.achieved: dict[str, float] = {}  # kind → runs per minute

    def new_people(self, n: int) -> list[dict]:
        with self.lock:
            first, self.next_i = self.next_i, self.next_i + n
        return [payload(i) for i in range(first, first + n)]

    def turn(self, kind: str) -> int:
        """How many times ``kind`` ran before (to cycle through its variants)."""
        with self.lock:
            self.turns[kind] = self.turns.get(kind, -1) + 1
            return self.turns[kind]


def web_login(base: str, username: str) -> tuple[requests.Session, dict]:
    """A logged-in browser session (not recorded: set-up) and its CSRF token holder."""
    http = requests.Session()
    page = http.get(f"{base}/login").text
    resp = http.post(f"{base}/login", data={"username": username, "password": PASSWORD,
                                            "csrf_token": CSRF.search(page).group(1)})
    if resp.status_code != 200 or "/login" in resp.url:
        raise RuntimeError(f"{username} cannot log in: {resp.status_code}")
    return http, {"token": CSRF.search(resp.text).group(1)}


def keep_token(csrf: dict, resp) -> None:
    """Keep the newest CSRF token a page carries (a session's tokens expire after an hour)."""
    if resp is not None and (m := CSRF.search(resp.text)):
        csrf["token"] = m.group(1)


def setup_users(stack) -> None:
    """An HR user of the employer and an auditor scoped to it."""
    stack.flask("user", "create", "soak_hr", "--role", "employer_hr", "--name", "张人事",
                "--org", USCC, "--phone", "13900000001", "--password", PASSWORD)
    stack.flask("user", "create", "soak_auditor", "--role", "auditor", "--name", "赵监察",
                "--employer", USCC, "--password", PASSWORD)


def create_project(base: str) -> int:
    """The construction project the batches and imports go into (HR registers it); its id."""
    http, csrf = web_login(base, "soak_hr")
    resp = http.post(f"{base}/projects", data={**PROJECT, "csrf_token": csrf["token"]},
                     allow_redirects=False)
    if resp.status_code != 302:
        raise RuntimeError(f"project not created: {resp.status_code}")
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])


# -- the kinds of work ----------------------------------------------------------------------
def launch(load: Load, http: requests.Session) -> None:
    """One contract through the API: create, then seal and send (the employer signs)."""
    p = load.new_people(1)[0]
    r = load.rec.call("launch_create", lambda: http.post(
        f"{load.base}/api/v1/contracts", json=p, headers=load.auth), (201,))
    if r is None:
        return
    cid = r.json()["id"]
    r = load.rec.call("launch_send", lambda: http.post(
        f"{load.base}/api/v1/contracts/{cid}/send", headers=load.auth))
    if r is not None:
        load.people[cid] = p
        load.to_sign.put((cid, r.json()["signing_url"].rsplit("/", 1)[1]))


def batch(load: Load, http: requests.Session, rows: int = 5, timeout: float = 120.0) -> None:
    """A small roster into the project through the API: check, launch, follow to the end; each
    row's worker then gets the link by SMS and goes to sign."""
    people = load.new_people(rows)
    r = load.rec.call("batch_create", lambda: http.post(
        f"{load.base}/api/v1/batches", headers=load.auth, json={
            "rows": people, "project_id": load.project_id, "project_team": "钢筋班"}), (201,))
    if r is None:
        return
    bid, rules = r.json()["id"], sorted({w["rule"] for w in r.json()["warnings"]})
    if load.rec.call("batch_launch", lambda: http.post(
            f"{load.base}/api/v1/batches/{bid}/launch", headers=load.auth,
            json={"acknowledged_rules": rules}), (202,)) is None:
        return
    end, body = time.time() + timeout, {}
    while time.time() < end:
        time.sleep(1.0)
        r = load.rec.call("batch_poll", lambda: http.get(
            f"{load.base}/api/v1/batches/{bid}", headers=load.auth))
        body = r.json() if r is not None else {}
        if body.get("status") == "done":
            break
    if body.get("status") != "done" or body.get("failed"):
        load.rec.fail("batch_poll", f"batch {body.get('status')} failed={body.get('failed')}")
    by_name = {p["worker_name"]: p for p in people}
    for row in body.get("rows", []):
        p = by_name.get(row["worker_name"])
        if row["contract_id"] and p:
            token = load.outbox.wait("links", p["worker_phone"])
            if token is None:
                load.rec.fail("batch_poll", "no signing link by SMS")
                continue
            load.people[row["contract_id"]] = p
            load.to_sign.put((row["contract_id"], token))


def sign(load: Load, http: requests.Session, cid: int, token: str) -> None:
    """The worker on a phone: open the link, code, verify, read the contract, sign."""
    p, url = load.people[cid], f"{load.base}/api/v1/sign/{token}"
    if load.rec.call("sign_page", lambda: http.get(f"{load.base}/s/{token}")) is None:
        return
    if load.rec.call("sign_otp", lambda: http.post(f"{url}/otp", json={
            "name": p["worker_name"], "id_number": p["worker_id_number"]})) is None:
        return
    code = load.outbox.wait("codes", p["worker_phone"], timeout=30.0)
    if code is None:
        load.rec.fail("sign_otp", "no code by SMS")
        return
    r = load.rec.call("sign_verify", lambda: http.post(f"{url}/verify", json={"code": code}))
    if r is None:
        return
    session = r.json()["session"]
    head = {"X-Signing-Session": session}
    load.rec.call("sign_read", lambda: http.get(f"{url}/contract", headers=head))
    load.rec.call("sign_read", lambda: http.get(f"{url}/pdf", headers=head))
    r = load.rec.call("sign", lambda: http.post(f"{load.sign_base}/api/v1/sign/{token}", json={
        "session": session, "signature": SIGNATURE, "consent": True}))
    if r is not None:
        load.signed[cid] = time.time()


def search(load: Load, web: tuple[requests.Session, dict]) -> None:
    """An auditor's search (POSTed: an ID number never goes in a URL), by turns: a worker's
    name, an ID number, a filing number, the employer."""
    http, csrf = web
    turn, filed = load.turn("search"), list(load.filed[:50])
    cid, number = filed[turn % len(filed)] if filed else (None, "")
    p = load.people.get(cid) or payload(0)
    field, value = [("worker_name", p["worker_name"]), ("id_number", p["worker_id_number"]),
                    ("filing_number", number), ("employer", "星城建设")][turn % 4 if filed else 3]
    r = load.rec.call("search", lambda: http.post(f"{load.base}/audit/", data={
        field: value, "csrf_token": csrf["token"]}))
    keep_token(csrf, r)


def download(load: Load, web: tuple[requests.Session, dict], api: requests.Session) -> None:
    """A filed contract's signed PDF (auditor or API) or its evidence package, by turns."""
    http, _ = web
    turn, filed = load.turn("download"), list(load.filed[:50])
    if not filed:
        return
    cid, _number = filed[turn % len(filed)]
    kind, url, client, head = [
        ("download_evidence", f"/audit/contracts/{cid}/evidence.zip", http, {}),
        ("download_pdf", f"/audit/contracts/{cid}/pdf", http, {}),
        ("download_pdf", f"/api/v1/contracts/{cid}/pdf", api, load.auth)][turn % 3]
    load.rec.call(kind, lambda: client.get(f"{load.base}{url}", headers=head))


def _csv(header: list[str], rows: list[list]) -> bytes:
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


PAY_HEADER = ["身份证号码", "月份", "出勤天数", "应发金额", "实发金额", "收款账号", "收款银行",
              "收款户名", "付款账号", "发放日期"]


def import_file(load: Load, web: tuple[requests.Session, dict], crew: int = 10) -> None:
    """Attendance (one new day for the crew) and payroll (one month) by turns, as the site's
    HR uploads them on the project page; then the wages page it is sent to."""
    http, csrf = web
    turn, people = load.turn("import"), [payload(900_000 + n) for n in range(crew)]
    if turn % 2 == 0:
        day = date(2026, 9, 1) + timedelta(days=(turn // 2) % 90)
        kind, data = "attendance", _csv(["身份证号码", "方向", "时间"], [
            [p["worker_id_number"], d, f"{day:%Y-%m-%d} {h}"]
            for p in people for d, h in (("01", "07:58:00"), ("02", "17:58:00"))])
    else:
        month = date(2026, 9 + (turn // 2) % 3, 1)
        kind, data = "payroll", _csv(PAY_HEADER, [
            [p["worker_id_number"], f"{month:%Y-%m}", 20, "6000", "6000",
             f"621700000000{n:04d}", "建设银行", p["worker_name"], PROJECT["wage_account"],
             f"{month.year}-{month.month + 1:02d}-15"] for n, p in enumerate(people)])
    r = load.rec.call(f"import_{kind}", lambda: http.post(
        f"{load.base}/projects/{load.project_id}/import/{kind}",
        data={"csrf_token": csrf["token"]}, files={"file": (f"{kind}.csv", data, "text/csv")},
        allow_redirects=False), (302,))
    if r is not None:
        page = load.rec.call("wages_page", lambda: http.get(
            f"{load.base}{r.headers['Location']}" if r.headers["Location"].startswith("/")
            else r.headers["Location"]))
        keep_token(csrf, page)
