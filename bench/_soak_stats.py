"""The soak's measurements: RSS, open file descriptors and CPU of every process by role,
sampled every few seconds; and the figures (percentiles, windows, growth slopes).
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from _stack import cpu_seconds


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """A memory figure of a live process in MB (0 when gone): resident set size (VmRSS) or
    its private part, without shared memory and mapped files (RssAnon)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def open_fds(pid: int) -> int:
    """Open file descriptors of a live process (0 when gone)."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


class Sampler(threading.Thread):
    """Every ``every`` seconds, per role: summed RSS (MB), summed open fds, process count.
    Roles are the stack's (web, web-workers, sign, sign-workers, jobs, s3) plus ``postgres``:
    the server backends connected to the soak's own database (from pg_stat_activity)."""

    def __init__(self, stack, start: float, every: float = 10.0) -> None:
        super().__init__(daemon=True)
        self.stack, self.t0, self.every = stack, start, every
        self.samples: list[tuple] = []  # t, role, rss, fds, n, anon
        self.load: list[tuple[float, float]] = []  # t, 1-minute load average of the machine
        self.cpu: dict[int, tuple[str, float, float]] = {}  # pid → role, first, last seen
        self.pids_seen: dict[str, set[int]] = {}
        self.stop = threading.Event()
        self.engine = sa.create_engine(stack.env["DATABASE_URL"], pool_size=1)

    def roles(self) -> dict[str, list[int]]:
        roles = dict(self.stack.pids())
        try:
            with self.engine.connect() as conn:
                roles["postgres"] = list(conn.execute(sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()")).scalars())
        except sa.exc.SQLAlchemyError:
            pass
        return roles

    def sample(self) -> None:
        """One sample of every role (and the machine's load average)."""
        t = time.monotonic() - self.t0
        self.load.append((t, os.getloadavg()[0]))
        for role, pids in self.roles().items():
            self.pids_seen.setdefault(role, set()).update(pids)
            self.samples.append((t, role, sum(rss_mb(p) for p in pids),
                                 sum(open_fds(p) for p in pids), len(pids),
                                 sum(rss_mb(p, "RssAnon") for p in pids)))
            for p in pids:  # a process started during the run: all its CPU counts
                cpu = cpu_seconds(p)
                first = self.cpu.get(p, (role, cpu if t < self.every else 0.0, 0.0))[1]
                self.cpu[p] = (role, first, max(cpu, self.cpu.get(p, (role, 0, 0))[2]))

    def run(self) -> None:
        while not self.stop.wait(self.every):
            self.sample()

    def finish(self) -> None:
        self.stop.set()
        self.join()
        self.sample()
        self.engine.dispose()

    def load_average(self, since: float, until: float) -> float | None:
        """The machine's mean 1-minute load average in [since, until) (other work counts)."""
        values = [v for t, v in self.load if since <= t < until]
        return round(statistics.fmean(values), 2) if values else None

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds spent during the run per role (processes that ended count up to their
        last sample)."""
        out: dict[str, float] = {}
        for role, first, last in self.cpu.values():
            out[role] = round(out.get(role, 0.0) + last - first, 1)
        return out

    def growth(self, warmup: float) -> dict[str, dict]:
        """Per role after the warm-up: RSS and fds at start and end, slope per 10 minutes
        (least squares), process count, every pid the role had."""
        out = {}
        for role in sorted({s[1] for s in self.samples}):
            rows = [s for s in self.samples if s[1] == role and s[0] >= warmup]
            if len(rows) < 2:
                continue
            ts = [r[0] / 600 for r in rows]
            fig = {"samples": len(rows), "processes": [rows[0][4], rows[-1][4]],
                   "pids_seen": len(self.pids_seen.get(role, ()))}
            for name, col in (("rss_mb", 2), ("fds", 3), ("anon_mb", 5)):
                ys = [float(r[col]) for r in rows]
                slope = statistics.linear_regression(ts, ys).slope if len(set(ts)) > 1 else 0.0
                fig[name] = {"start": round(ys[0], 1), "end": round(ys[-1], 1),
                             "max": round(max(ys), 1), "per_10min": round(slope, 2)}
            fig["series"] = [[round(r[0]), round(r[2], 1), r[3], round(r[5], 1)]  # t, MB, fds,
                             for r in rows]  # private MB
            out[role] = fig
        return out


def archive_mb(stack) -> float:
    """Bytes stored in the S3 archive (every object version), in MB."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=f"http://{stack.env['S3_ENDPOINT']}",
                      aws_access_key_id="bench", aws_secret_access_key="bench-secret-key",
                      region_name="us-east-1")
    total = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=stack.env["S3_BUCKET"]):
        total += sum(v["Size"] for v in page.get("Versions", []))
    return round(total / 2**20, 1)


def grew(role: str, fig: dict) -> list[str]:
    """What of a role's figures counts as growth after warm-up: RSS up by more than 10 % and
    10 MB, or open fds up by more than 5 (end against start, with a rising slope). PostgreSQL
    backends are judged by their number and private memory (RssAnon): their RSS counts the
    shared buffers they touch and their fds are PostgreSQL's own file cache (up to
    max_files_per_process), both of which fill up by design. The S3 stand-in (moto_server) is
    judged by its fds only: it keeps every object in memory, so its RSS grows with the archive
    (printed beside it)."""
    rss, fds = fig["rss_mb"], fig["fds"]
    if role == "s3":  # moto_server holds every stored object in memory: its RSS is the archive
        return [f"fds {fds['start']:.0f}→{fds['end']:.0f}"] if fds["end"] - fds["start"] > 5 else []
    if role == "postgres":
        n, anon = fig["processes"], fig["anon_mb"]
        out = [f"backends {n[0]}→{n[1]}"] if n[1] - n[0] > 2 else []
        if anon["end"] - anon["start"] > max(10.0, 0.1 * anon["start"]) and anon["per_10min"] > 0:
            out.append(f"private memory {anon['start']}→{anon['end']} MB")
        return out
    out = []
    if rss["end"] - rss["start"] > max(10.0, 0.1 * rss["start"]) and rss["per_10min"] > 0:
        out.append(f"RSS {rss['start']}→{rss['end']} MB")
    if fds["end"] - fds["start"] > 5 and fds["per_10min"] > 0:
        out.append(f"fds {fds['start']:.0f}→{fds['end']:.0f}")
    return out


def pct(values: list[float]) -> dict:
    """Median and 95th percentile (ms)."""
    if not values:
        return {"p50": None, "p95": None}
    v = sorted(values)
    return {"p50": round(statistics.median(v), 1), "p95": round(v[min(len(v) - 1,
                                                                       int(len(v) * 0.95))], 1)}


def by_type(rows: list[tuple], since: float, until: float) -> dict[str, dict]:
    """Per request type within [since, until): count, errors, req/s, p50, p95; and "all"."""
    span = max(until - since, 1e-9)
    chosen = [r for r in rows if since <= r[0] < until]
    out = {}
    for kind in sorted({r[1] for r in chosen}) + ["all"]:
        mine = [r for r in chosen if kind in ("all", r[1])]
        out[kind] = {"count": len(mine), "errors": sum(1 for r in mine if not r[4]),
                     "req_per_s": round(len(mine) / span, 3),
                     **pct([r[3] for r in mine if r[4]])}
    return out


def error_kinds(rows: list[tuple]) -> dict[str, int]:
    """Errors by "type status" (an unexpected status or an exception)."""
    out: dict[str, int] = {}
    for r in rows:
        if not r[4]:
            out[f"{r[1]} {r[2]}"] = out.get(f"{r[1]} {r[2]}", 0) + 1
    return out
