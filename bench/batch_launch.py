"""Batch launch in the production shape: a 1,000-row roster checked and launched through the
API (POST /api/v1/batches, then /launch), every row created, rendered, sealed and sent by
``flask jobs work`` processes (two) over PostgreSQL with the S3 server as the archive; next
to it, in the same run, the same number of contracts created and sent one by one through
the API (POST /contracts, POST /contracts/<id>/send), so the ratio is visible.

Prints the check time, launch-to-done time, rows/s, peak RSS per process and the one-by-one
figures; the last line is one JSON object. Target on this 2-core machine: ≤ 60 s.

Usage: python bench/batch_launch.py [-n 1000] [--database-url postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import Stack, peak_rss_mb  # noqa: E402
from bench.app_pipeline import payload, stats  # noqa: E402


def call(port: int, key: str, method: str, path: str, body: dict | None = None) -> tuple:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null")
    finally:
        conn.close()


def run_batch(stack: Stack, key: str, n: int) -> dict:
    rows = [payload(i) for i in range(n)]
    t0 = time.perf_counter()
    status, batch = call(stack.port, key, "POST", "/api/v1/batches", {"rows": rows})
    assert status == 201, (status, str(batch)[:2000])
    checked = time.perf_counter() - t0
    acks = [w["rule"] for w in batch["warnings"]]
    t1 = time.perf_counter()
    status, batch = call(stack.port, key, "POST", f"/api/v1/batches/{batch['id']}/launch",
                         {"acknowledged_rules": acks})
    assert status == 202, (status, batch)
    samples = []
    while batch["status"] != "done":
        time.sleep(1.0)
        status, batch = call(stack.port, key, "GET", f"/api/v1/batches/{batch['id']}")
        samples.append((round(time.perf_counter() - t1, 1), batch["done"], batch["failed"]))
        if time.perf_counter() - t1 > 1800:
            raise RuntimeError(f"batch not done after 30 min: {samples[-1]}")
    launched = time.perf_counter() - t1
    return {"check_s": checked, "launch_s": launched, "done": batch["done"],
            "failed": batch["failed"], "samples": samples,
            "reasons": [r["reason"] for r in batch["rows"] if r["reason"]][:3]}


def run_one_by_one(stack: Stack, key: str, n: int, offset: int) -> dict:
    times = []
    t0 = time.perf_counter()
    for i in range(offset, offset + n):
        t = time.perf_counter()
        status, body = call(stack.port, key, "POST", "/api/v1/contracts", payload(i))
        assert status == 201, (status, body)
        status, body = call(stack.port, key, "POST", f"/api/v1/contracts/{body['id']}/send", {})
        assert status == 200, (status, body)
        times.append(time.perf_counter() - t)
    return {"total_s": time.perf_counter() - t0, "per_contract": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        stack = Stack(Path(folder), args.database_url, web_workers=2, job_workers=2)
        try:
            key = stack.up()
            batch = run_batch(stack, key, args.n)
            rss = {role: [round(peak_rss_mb(pid)) for pid in pids]
                   for role, pids in stack.pids().items() if role != "s3"}
            single = run_one_by_one(stack, key, args.n, offset=args.n)
        finally:
            stack.down()
    rate = batch["done"] / batch["launch_s"]
    med, p95 = stats(single["per_contract"])
    ratio = single["total_s"] / batch["launch_s"]
    print(f"batch of {args.n} rows (2 job workers, PostgreSQL, S3 archive):")
    print(f"  check + store (POST /batches): {batch['check_s']:.1f} s")
    print(f"  launch to done: {batch['launch_s']:.1f} s = {rate:.1f} rows/s "
          f"(done {batch['done']}, failed {batch['failed']}; target ≤ 60 s)")
    print(f"  progress samples (s, done, failed): {batch['samples'][::max(1, len(batch['samples']) // 8)]}")
    if batch["reasons"]:
        print(f"  failure reasons: {batch['reasons']}")
    print(f"  peak RSS per process (MB): {rss}")
    print(f"one by one through the API ({args.n} × create + send, one client):")
    print(f"  total {single['total_s']:.1f} s = {args.n / single['total_s']:.1f} contracts/s; "
          f"per contract median {med * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    print(f"  batch is {ratio:.2f}x faster")
    print(json.dumps({"rows": args.n, "check_s": round(batch["check_s"], 2),
                      "launch_to_done_s": round(batch["launch_s"], 1),
                      "rows_per_s": round(rate, 1), "failed": batch["failed"],
                      "peak_rss_mb": rss, "one_by_one_s": round(single["total_s"], 1),
                      "one_by_one_ms": {"median": round(med * 1000), "p95": round(p95 * 1000)},
                      "ratio": round(ratio, 2), "target_s": 60}, ensure_ascii=False))


if __name__ == "__main__":
    main()
