#!/usr/bin/env python
"""Soak: N minutes of mixed load on loopback against the production shape (gunicorn web pool
+ a separate signing pool + job workers on PostgreSQL + moto_server as S3).

The mix is fixed: each kind of work runs at its own pace (per minute, x ``--rate``), no
catch-up burst when it falls behind (the achieved rate is printed):
  launch 10/min  API: create + seal & send one contract
  batch  1/min   API: a 5-row roster into a construction project, launched, followed to done
  search 20/min  an auditor's search page (by name, ID number, filing number, employer in turn)
  import 4/min   HR's attendance / payroll upload (in turn) on the project page, then its wages page
  download 8/min a filed contract's evidence package, auditor PDF, API PDF (in turn)
  signing        every launched contract (and every batch row) is signed by its worker as soon
                 as it is sent: link page, code, verify, read, sign (2 worker threads).
Every request's type, status and latency is recorded. Figures: per type count, errors,
req/s, p50, p95; per role RSS and open fds sampled every 10 s with their growth after the
warm-up; CPU seconds per role; exactly-once filing check. Baseline in the same run: the first
window after the warm-up against the last window of the same length (same mix, same machine):
a soak asks whether the same load gets slower or bigger with time. Exit code: 1 on any error
(or a broken exactly-once check), 2 on growth after warm-up only, 0 otherwise.
The last line is one JSON object of all figures.

Usage: .venv/bin/python bench/soak.py [--minutes 30] [--warmup SECONDS] [--rate 1.0]
       [--web-workers 2] [--sign-workers 2] [--job-workers 2] [--root DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _soak_load as work  # noqa: E402
from _soak_stats import Sampler, archive_mb, by_type, error_kinds, grew  # noqa: E402
from _stack import ROOT, Stack  # noqa: E402
from signing_load import exactly_once, pct, wait_filed  # noqa: E402

MIX = {"launch": 10.0, "batch": 1.0, "search": 20.0, "import": 4.0, "download": 8.0}
SIGNERS = 2


def paced(kind: str, per_min: float, stop: threading.Event, action, achieved: dict,
          rec: work.Recorder) -> None:
    """Run ``action()`` ``per_min`` times a minute until ``stop``; late turns are not caught up.
    An exception of the generator's own (e.g. an answer without its expected field) is an
    error of ``kind``."""
    period, next_t, done = 60.0 / per_min, time.monotonic(), 0
    while not stop.is_set():
        if stop.wait(max(0.0, next_t - time.monotonic())):
            break
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - the generator must keep going
            rec.fail(kind, f"exception {type(exc).__name__}")
            print(f"{kind}: {type(exc).__name__}: {exc}", file=sys.stderr)
        done += 1
        next_t = max(next_t + period, time.monotonic())
    achieved[kind] = done


def signer(load: work.Load, stop: threading.Event) -> None:
    """A worker's phone: sign each sent contract as soon as it is queued, until ``stop``."""
    with requests.Session() as http:
        while not stop.is_set():
            try:
                cid, token = load.to_sign.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                work.sign(load, http, cid, token)
            except Exception as exc:  # noqa: BLE001
                load.rec.fail("sign", f"exception {type(exc).__name__}")


def follow_filings(load: work.Load, engine, stop: threading.Event) -> None:
    """Keep the newest filed contracts at hand for search and downloads (not a request)."""
    while not stop.wait(3.0):
        with engine.connect() as conn:
            load.filed = [tuple(r) for r in conn.execute(sa.text(
                "SELECT contract_id, number FROM filings ORDER BY id DESC LIMIT 50"))]


def run(stack: Stack, key: str, minutes: float, rate: float) -> tuple[work.Load, Sampler, float]:
    """The load for ``minutes``; the recorder, the sampler and the run's length in seconds."""
    base = f"http://127.0.0.1:{stack.port}"
    work.setup_users(stack)
    project = work.create_project(base)
    load = work.Load(base, f"http://127.0.0.1:{stack.sign_port}", key,
                     work.Outbox(stack.outbox), work.Recorder(), project)
    hr, auditor = work.web_login(base, "soak_hr"), work.web_login(base, "soak_auditor")
    auditor2 = work.web_login(base, "soak_auditor")
    api, api2, api3 = requests.Session(), requests.Session(), requests.Session()  # one a thread
    actions = {"launch": lambda: work.launch(load, api), "batch": lambda: work.batch(load, api2),
               "search": lambda: work.search(load, auditor),
               "import": lambda: work.import_file(load, hr),
               "download": lambda: work.download(load, auditor2, api3)}
    stop, achieved, engine = threading.Event(), {}, stack.engine()
    load.rec.start = time.monotonic()
    sampler = Sampler(stack, load.rec.start)
    sampler.sample()
    threads = [threading.Thread(target=paced, args=(k, MIX[k] * rate, stop, actions[k], achieved,
                                                      load.rec))
               for k in MIX]
    threads += [threading.Thread(target=signer, args=(load, stop)) for _ in range(SIGNERS)]
    threads.append(threading.Thread(target=follow_filings, args=(load, engine, stop)))
    try:
        for th in [*threads, sampler]:
            th.daemon = True
            th.start()
        stop.wait(minutes * 60)
    finally:
        stop.set()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - load.rec.start
    sampler.finish()
    engine.dispose()
    load.achieved = {k: round(v / elapsed * 60, 2) for k, v in achieved.items()}
    return load, sampler, elapsed


def figures(stack: Stack, load: work.Load, sampler: Sampler, elapsed: float, warmup: float,
            args) -> dict:
    """All figures of the run (the JSON line): per type, baseline windows, filing, processes."""
    rows = load.rec.rows
    window = min(warmup, (elapsed - warmup) / 2) if elapsed > warmup else elapsed / 2
    contracts = [{"id": cid, "signed_at": at} for cid, at in load.signed.items()]
    lags = wait_filed(stack, contracts)
    growth = sampler.growth(warmup)
    grown = {role: g for role, fig in growth.items() if (g := grew(role, fig))}
    total = by_type(rows, 0.0, elapsed + 1)
    return {
        "bench": "soak", "minutes": args.minutes, "elapsed_s": round(elapsed, 1),
        "warmup_s": round(warmup, 1), "rate": args.rate, "mix_per_min": MIX,
        "achieved_per_min": load.achieved, "signers": SIGNERS,
        "web_workers": args.web_workers, "sign_workers": args.sign_workers,
        "job_workers": args.job_workers, "by_type": total,
        "errors": total["all"]["errors"], "error_kinds": error_kinds(rows),
        "baseline": {"window_s": round(window, 1),
                     "first": by_type(rows, warmup, warmup + window),
                     "last": by_type(rows, elapsed - window, elapsed + 1),
                     "load_average": [sampler.load_average(warmup, warmup + window),
                                      sampler.load_average(elapsed - window, elapsed + 1)]},
        "contracts_sent": len(load.people), "contracts_signed": len(load.signed),
        "left_unsigned_at_end": load.to_sign.qsize(), "filing_lag_ms": pct(lags),
        "unfiled": len(contracts) - len(lags), "exactly_once": exactly_once(stack),
        "archive_mb": archive_mb(stack),
        "processes": growth, "growth": grown, "cpu_s": sampler.cpu_by_role(),
        "load_generator_cpu_s": round(sum(os.times()[:2]), 1),
    }


def report(f: dict) -> None:
    """The figures as tables for people."""
    print(f"soak: {f['elapsed_s']} s, warm-up {f['warmup_s']} s, rate x{f['rate']}; "
          f"web {f['web_workers']} + sign {f['sign_workers']} gunicorn workers, "
          f"{f['job_workers']} job workers, PostgreSQL, S3 (moto_server)")
    print(f"mix per minute: {f['mix_per_min']} (achieved {f['achieved_per_min']}), "
          f"signing {f['signers']} threads")
    first, last = f["baseline"]["first"], f["baseline"]["last"]
    print(f"\n{'type':<18}{'count':>7}{'errors':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
          f"   | baseline window {f['baseline']['window_s']} s: p50/p95 first → last "
          f"(machine load {' → '.join(map(str, f['baseline']['load_average']))})")
    for kind, s in f["by_type"].items():
        a, b = first.get(kind, {}), last.get(kind, {})
        print(f"{kind:<18}{s['count']:>7}{s['errors']:>7}{s['req_per_s']:>8}{s['p50']!s:>9}"
              f"{s['p95']!s:>9}   | {a.get('p50')}/{a.get('p95')} → {b.get('p50')}/{b.get('p95')}"
              f"  ({a.get('count', 0)} → {b.get('count', 0)} req)")
    print(f"\ncontracts sent {f['contracts_sent']}, signed {f['contracts_signed']} "
          f"({f['left_unsigned_at_end']} left in the queue at the end), filing lag {f['filing_lag_ms']}, "
          f"unfiled {f['unfiled']}; exactly once: {f['exactly_once']}")
    print(f"\n{'role':<14}{'procs':>6}{'RSS MB start→end':>20}{'/10min':>9}{'fds start→end':>16}"
          f"{'/10min':>9}{'CPU s':>8}{'private MB start→end':>24}{'/10min':>9}")
    for role, g in f["processes"].items():
        r, d = g["rss_mb"], g["fds"]
        print(f"{role:<14}{g['processes'][1]:>6}{r['start']:>11}→{r['end']:<8}{r['per_10min']:>9}"
              f"{d['start']:>8.0f}→{d['end']:<7.0f}{d['per_10min']:>9}{f['cpu_s'].get(role, 0):>8}"
              f"{g['anon_mb']['start']:>15}→{g['anon_mb']['end']:<8}{g['anon_mb']['per_10min']:>9}")
    print(f"load generator CPU s: {f['load_generator_cpu_s']}; S3 archive holds "
          f"{f['archive_mb']} MB (moto_server keeps it in memory: its RSS grows with it)")
    print(f"\nERRORS: {f['errors']} {f['error_kinds'] or ''}")
    print(f"GROWTH after warm-up: {f['growth'] or 'none'}")


def main() -> int:
    """Start the stack, soak it, tear it down, print the figures; the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=None,
                        help="seconds excluded from growth (default: the first 20 %% of the run)")
    parser.add_argument("--rate", type=float, default=1.0, help="multiplies every pace of the mix")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--sign-workers", type=int, default=2)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--root", default=str(ROOT),
                        help="the checkout whose app is served (e.g. a `git archive` snapshot)")
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    warmup = args.warmup if args.warmup is not None else args.minutes * 60 * 0.2
    with tempfile.TemporaryDirectory(prefix="soak-") as folder:
        stack = Stack(Path(folder), args.pg_admin_url, web_workers=args.web_workers,
                      job_workers=args.job_workers, sign_workers=args.sign_workers,
                      root=args.root)
        try:
            key = stack.up()
            load, sampler, elapsed = run(stack, key, args.minutes, args.rate)
            f = figures(stack, load, sampler, elapsed, warmup, args)
        finally:
            stack.down()
    report(f)
    code = 1 if f["errors"] or not f["exactly_once"]["ok"] else 2 if f["growth"] else 0
    print(f"exit code {code}: " + {0: "0 errors, no growth after warm-up",
                                   1: "errors (or exactly-once broken)",
                                   2: "growth after warm-up"}[code])
    print(json.dumps({**f, "exit_code": code}, ensure_ascii=False))
    return code


if __name__ == "__main__":
    sys.exit(main())
