#!/usr/bin/env python
"""Signing under load: C simulated workers each doing one-time code → verify → sign, against
the production shape (gunicorn, PostgreSQL, the S3 server, separate job workers).

For each concurrency C it prints contracts/s, p50/p95/p99 per request type, errors by
status, CPU per contract (app processes), peak RSS per process, filing lag (sign answer →
filing archived) and the exactly-once check: one filing and one archived PDF per signed
contract, unique filing numbers. The last line is one JSON object of the figures.

Usage: .venv/bin/python bench/signing_load.py [-n 200] [-c 1,10,50] [--web-workers 2]
       [--job-workers 2] [--pg-admin-url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _stack import ROOT, Stack, cpu_seconds, peak_rss_mb  # noqa: E402
from app_pipeline import SIGNATURE, payload  # noqa: E402

MAX_N = 300
TYPES = ("otp", "verify", "sign")


class Outbox:
    """The SMS file backend's outbox, tailed: the newest one-time code per phone."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset, self.codes = path, 0, {}
        self.lock = threading.Lock()

    def code(self, phone: str, timeout: float = 30.0) -> str:
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                self._read()
                if phone in self.codes:
                    return self.codes.pop(phone)
            time.sleep(0.02)
        raise RuntimeError(f"no code for {phone}")

    def _read(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as fh:
            fh.seek(self.offset)
            data = fh.read()
        cut = data.rfind(b"\n") + 1
        self.offset += cut
        for line in data[:cut].splitlines():
            self._take(json.loads(line))

    def _take(self, row: dict) -> None:
        """Keep what one outbox line carries (here: its one-time code)."""
        if m := re.search(r"验证码为(\d{6})", row["text"]):
            self.codes[row["to"]] = m.group(1)


def prepare(base: str, key: str, first: int, n: int) -> list[dict]:
    """Create and send ``n`` contracts (not timed); returns what each worker needs."""
    auth, out = {"Authorization": f"Bearer {key}"}, []
    with requests.Session() as http:
        for i in range(first, first + n):
            p = payload(i)
            cid = http.post(f"{base}/api/v1/contracts", json=p, headers=auth).json()["id"]
            sent = http.post(f"{base}/api/v1/contracts/{cid}/send", headers=auth).json()
            out.append({"id": cid, "token": sent["signing_url"].rsplit("/", 1)[1], "name":
                        p["worker_name"], "id_number": p["worker_id_number"],
                        "phone": p["worker_phone"]})
    return out


def journey(http, base: str, sign_base: str, c: dict, outbox: Outbox, record,
            think: float) -> None:
    """One worker on a phone: code, verify, (read and draw for ``think`` seconds), sign."""
    url = f"{base}/api/v1/sign/{c['token']}"
    t = time.perf_counter()
    r = http.post(f"{url}/otp", json={"name": c["name"], "id_number": c["id_number"]})
    record("otp", t, r.status_code)
    if r.status_code != 200:
        return
    code = outbox.code(c["phone"])
    t = time.perf_counter()
    r = http.post(f"{url}/verify", json={"code": code})
    record("verify", t, r.status_code)
    if r.status_code != 200:
        return
    session = r.json()["session"]
    if think:  # people read and draw at their own pace: 0.5–1.5 × the mean think time
        time.sleep(think * (0.5 + c["pace"]))
    t = time.perf_counter()
    r = http.post(f"{sign_base}/api/v1/sign/{c['token']}",
                  json={"session": session, "signature": SIGNATURE, "consent": True})
    record("sign", t, r.status_code)
    if r.status_code == 200:
        c["signed_at"] = time.time()


def run_level(stack: Stack, base: str, contracts: list[dict], concurrency: int,
              think: float = 0.0) -> dict:
    """All ``contracts`` signed by ``concurrency`` simulated workers; the figures."""
    outbox, work = Outbox(stack.outbox), queue.Queue()
    pace = random.Random(concurrency)  # the same paces for every run of a level
    for c in contracts:
        c["pace"] = pace.random()
        work.put(c)
    times: dict[str, list[float]] = {t: [] for t in TYPES}
    statuses: Counter = Counter()
    lock = threading.Lock()

    def record(kind: str, start: float, status: int) -> None:
        with lock:
            times[kind].append((time.perf_counter() - start) * 1000)
            statuses[f"{kind} {status}"] += 1

    def worker(offset: float) -> None:
        time.sleep(offset)  # with think time, workers arrive spread over one think period
        with requests.Session() as http:
            while True:
                try:
                    c = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    journey(http, base, f"http://127.0.0.1:{stack.sign_port}", c, outbox,
                            record, think)
                except Exception as exc:  # noqa: BLE001 - counted as an error
                    with lock:
                        statuses[f"exception {type(exc).__name__}"] += 1

    roles = cpu_roles(stack)
    before = {role: sum(cpu_seconds(p) for p in pids) for role, pids in roles.items()}
    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(think * i / concurrency,))
               for i in range(concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - start
    lags = wait_filed(stack, contracts)
    signed = sum(1 for c in contracts if "signed_at" in c)
    roles = {**roles, "postgres": postgres_pids()}  # backends opened during the run count too
    spent = {role: max(0.0, sum(cpu_seconds(p) for p in pids) - before.get(role, 0.0))
             for role, pids in roles.items()}
    cpu = spent["web"] + spent["jobs"]
    return {
        "concurrency": concurrency, "contracts": len(contracts), "signed": signed,
        "contracts_per_s": round(signed / elapsed, 2),
        "latency_ms": {k: pct(v) for k, v in times.items()},
        "errors": {k: v for k, v in statuses.items() if not k.endswith(" 200")},
        "cpu_ms_per_contract": round(cpu * 1000 / max(signed, 1), 1),
        "cpu_ms_per_contract_by_process": {role: round(v * 1000 / max(signed, 1), 1)
                                           for role, v in spent.items()},
        "filing_lag_ms": pct(lags),
    }


def postgres_pids() -> list[int]:
    """Every PostgreSQL server process on this machine (the benchmark's backends among them)."""
    pids = []
    for status in Path("/proc").glob("[0-9]*/comm"):
        try:
            if status.read_text().strip() == "postgres":
                pids.append(int(status.parent.name))
        except OSError:
            continue
    return pids


def cpu_roles(stack: Stack) -> dict[str, list[int]]:
    """Process ids whose CPU time is counted: the app (web pools, job workers), the S3 server,
    PostgreSQL and this load generator."""
    pids = stack.pids()
    return {"web": pids.get("web-workers", []) + pids.get("sign-workers", []),
            "jobs": pids.get("jobs", []), "s3": pids.get("s3", []),
            "postgres": postgres_pids(), "load generator": [os.getpid()]}


def wait_filed(stack: Stack, contracts: list[dict], timeout: float = 300.0) -> list[float]:
    """Wait until every signed contract is filed; the lag from sign answer to archived_at."""
    ids = [c["id"] for c in contracts if "signed_at" in c]
    engine, end = stack.engine(), time.time() + timeout
    try:
        while time.time() < end:
            with engine.connect() as conn:
                rows = conn.execute(sa.text(
                    "SELECT contract_id, extract(epoch from archived_at) FROM filings "
                    "WHERE contract_id = ANY(:ids)"), {"ids": ids}).all()
            if len(rows) >= len(ids):
                break
            time.sleep(0.2)
    finally:
        engine.dispose()
    signed = {c["id"]: c["signed_at"] for c in contracts if "signed_at" in c}
    # archived_at is stored to the second: the lag is accurate to about one second
    return [max(0.0, (float(at) - signed[cid]) * 1000) for cid, at in rows]


def exactly_once(stack: Stack) -> dict:
    """One filing per signed contract, unique numbers, and for each filing its archived PDF
    (the contract's signed version) and its manifest in the S3 archive, no duplicates."""
    import boto3

    engine = stack.engine()
    with engine.connect() as conn:
        signed = conn.execute(sa.text(
            "SELECT count(*) FROM contracts WHERE status IN ('signed', 'filed')")).scalar()
        filings = conn.execute(sa.text("SELECT count(*), count(DISTINCT number), "
                                       "count(DISTINCT contract_id), count(DISTINCT pdf_key) "
                                       "FROM filings")).one()
        pdf_keys = set(conn.execute(sa.text("SELECT pdf_key FROM filings")).scalars())
        jobs = conn.execute(sa.text("SELECT status, count(*) FROM jobs GROUP BY status")).all()
    engine.dispose()
    s3 = boto3.client("s3", endpoint_url=f"http://{stack.env['S3_ENDPOINT']}",
                      aws_access_key_id="bench", aws_secret_access_key="bench-secret-key",
                      region_name="us-east-1")
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=stack.env["S3_BUCKET"]):
        keys += [o["Key"] for o in page.get("Contents", [])]
    manifests = [k for k in keys if k.startswith("filings/") and k.endswith("manifest.json")]
    archived = len(pdf_keys & set(keys))
    ok = signed == filings[0] == filings[1] == filings[2] == filings[3] == archived == len(
        manifests)
    return {"signed": signed, "filings": filings[0], "unique_numbers": filings[1],
            "unique_contracts": filings[2], "archived_pdfs": archived,
            "manifests": len(manifests), "ok": ok, "jobs": dict(jobs)}


def pct(values: list[float]) -> dict:
    if not values:
        return {}
    v = sorted(values)
    at = lambda q: round(v[min(len(v) - 1, int(len(v) * q))], 1)  # noqa: E731
    return {"p50": round(statistics.median(v), 1), "p95": at(0.95), "p99": at(0.99)}


def machine_speed() -> dict:
    """How fast this machine is, to compare runs on different machines: a pure-Python loop
    and RSA-2048 key generation (both single-threaded), in ms."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    start = time.perf_counter()
    total = 0
    for i in range(2_000_000):
        total += i
    loop = (time.perf_counter() - start) * 1000
    keys = []
    for _ in range(5):
        start = time.perf_counter()
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        keys.append((time.perf_counter() - start) * 1000)
    return {"python_loop_2m_ms": round(loop, 1), "rsa2048_keygen_ms": round(statistics.median(keys), 1)}


def report(levels: list[dict], once: dict, rss: dict) -> None:
    print(f"{'C':>3} {'signed':>6} {'contr/s':>8} {'cpu ms/c':>9} "
          + " ".join(f"{t + ' p50/p95/p99':>24}" for t in TYPES) + f" {'filing lag p50/p95':>20}")
    for r in levels:
        cols = " ".join(f"{'/'.join(str(r['latency_ms'][t].get(q, '-')) for q in ('p50', 'p95', 'p99')):>24}"
                        for t in TYPES)
        lag = r["filing_lag_ms"]
        print(f"{r['concurrency']:>3} {r['signed']:>6} {r['contracts_per_s']:>8} "
              f"{r['cpu_ms_per_contract']:>9} {cols} {lag.get('p50', '-'):>9}/{lag.get('p95', '-')}")
        print(f"    CPU ms per contract by process: {r['cpu_ms_per_contract_by_process']}")
        if r["errors"]:
            print(f"    errors: {r['errors']}")
    print(f"exactly once: {once}")
    print(f"peak RSS MB per process: {rss}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help=f"contracts per level (≤ {MAX_N})")
    parser.add_argument("-c", default="1,10,50", help="concurrency levels")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--sign-workers", type=int, default=0,
                        help="> 0: a separate gunicorn pool serves POST /api/v1/sign/<token> "
                             "(as nginx would route it); the others stay on the web pool")
    parser.add_argument("--root", default=str(ROOT),
                        help="the checkout whose app is served (e.g. a worktree of an older "
                             "commit, for a before/after run on the same machine)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a worker reads and draws between the code and signing "
                             "(each takes 0.5-1.5x; the workers arrive spread over one period)")
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    n = min(args.n, MAX_N)
    speed = machine_speed()
    levels = [int(c) for c in args.c.split(",")]
    with tempfile.TemporaryDirectory(prefix="signing-load-") as folder:
        stack = Stack(Path(folder), args.pg_admin_url, web_workers=args.web_workers,
                      job_workers=args.job_workers, worker_class=args.worker_class,
                      threads=args.threads, sign_workers=args.sign_workers, root=args.root)
        try:
            key = stack.up()
            base, results, first = f"http://127.0.0.1:{stack.port}", [], 0
            for c in levels:
                contracts = prepare(base, key, first, n)
                first += n
                results.append(run_level(stack, base, contracts, c, args.think))
            once = exactly_once(stack)
            rss = {role: [round(peak_rss_mb(p), 1) for p in pids]
                   for role, pids in stack.pids().items()}
        finally:
            stack.down()
    pool = f" + signing pool {args.sign_workers}" if args.sign_workers else ""
    print(f"signing load: {n} contracts per level, gunicorn {args.web_workers}{pool} x "
          f"{args.worker_class} ({args.threads} threads), {args.job_workers} job workers, "
          f"think {args.think} s, PostgreSQL, S3 (moto_server)")
    print(f"machine: {speed}")
    report(results, once, rss)
    print(json.dumps({"bench": "signing_load", "n": n, "web_workers": args.web_workers,
                      "worker_class": args.worker_class, "threads": args.threads,
                      "job_workers": args.job_workers, "sign_workers": args.sign_workers,
                      "think_s": args.think, "machine": speed, "root": args.root,
                      "levels": results, "exactly_once": once,
                      "peak_rss_mb": rss}, ensure_ascii=False))


if __name__ == "__main__":
    main()
