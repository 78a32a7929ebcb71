"""The production shape for benchmarks: a scratch PostgreSQL database, moto_server as the S3
archive, gunicorn serving the app and ``flask jobs work`` job workers, each a real process
on this machine, all torn down at the end.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(port: int, path: str, timeout: float = 30.0) -> None:
    """Wait until ``GET path`` answers on ``port``."""
    end = time.time() + timeout
    while time.time() < end:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    raise RuntimeError(f"nothing answers on port {port}{path}")


class Stack:
    """Start with :meth:`up`, stop with :meth:`down`; ``env`` is the app's environment."""

    def __init__(self, folder: Path, pg_admin_url: str, *, web_workers: int, job_workers: int,
                 worker_class: str = "sync", threads: int = 1, sign_workers: int = 0,
                 root: Path = ROOT) -> None:
        self.folder, self.pg_admin_url, self.root = folder, pg_admin_url, Path(root)
        self.web_workers, self.job_workers = web_workers, job_workers
        self.worker_class, self.threads = worker_class, threads
        self.sign_workers = sign_workers  # > 0: a separate gunicorn pool for POST /sign/<token>
        self.procs: dict[str, subprocess.Popen] = {}
        self.database = f"laborsign_load_{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        self.sign_port = free_port() if sign_workers else self.port
        self.s3_port = free_port()
        self.outbox = folder / "sms.jsonl"
        self.env = {**os.environ,
                    "DATABASE_URL": pg_admin_url.rsplit("/", 1)[0] + f"/{self.database}",
                    "INSTANCE_DIR": str(folder), "PKI_DIR": str(folder / "pki"),
                    "SECRET_KEY": "bench-secret", "PII_KEY": "bench-pii-key",
                    "CA_KEY_PASSPHRASE": "bench-ca", "BASE_URL": f"http://127.0.0.1:{self.port}",
                    "ARCHIVE_BACKEND": "s3", "S3_ENDPOINT": f"127.0.0.1:{self.s3_port}",
                    "S3_ACCESS_KEY": "bench", "S3_SECRET_KEY": "bench-secret-key",
                    "S3_BUCKET": "laborsign-load", "S3_OBJECT_LOCK": "true",
                    "SMS_BACKEND": "file", "SMS_OUTBOX": str(self.outbox),
                    "JOBS_INLINE": "false", "SIGN_IDENTITY_LIMIT": "off", "OTP_RESEND_SECONDS": "0",
                    "LOGIN_RATE_LIMIT": "off", "LOGIN_ADDRESS_RATE_LIMIT": "off",
                    "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench-secret-key"}

    # -- processes --------------------------------------------------------------------
    def _start(self, name: str, args: list[str], **kwargs) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(args, cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, **kwargs)
        self.procs[name] = proc
        return proc

    def flask(self, *args: str) -> str:
        out = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=self.root, env=self.env,
                             capture_output=True, text=True, check=False)
        if out.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
        return out.stdout

    def up(self) -> str:
        """Create everything; returns an employer API key."""
        admin = sa.create_engine(self.pg_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{self.database}"'))
        admin.dispose()
        moto = BIN / "moto_server"
        self._start("s3", [str(moto), "-H", "127.0.0.1", "-p", str(self.s3_port)])
        wait_http(self.s3_port, "/moto-api/")
        self.flask("db", "upgrade")
        self.flask("ca", "init")
        key = self._employer_key()
        self._gunicorn("web", self.web_workers, self.port)
        if self.sign_workers:
            self._gunicorn("sign", self.sign_workers, self.sign_port)
            wait_http(self.sign_port, "/healthz")
        for i in range(self.job_workers):
            self._start(f"jobs{i}", [str(BIN / "flask"), "--app", "wsgi", "jobs", "work"])
        wait_http(self.port, "/healthz")
        return key

    def _employer_key(self) -> str:
        """An employer and its API key, through the services (works on older checkouts too)."""
        script = ("from app import create_app\nfrom app.extensions import db\n"
                  "try:\n    from app.services.accounts import accounts, apikeys\n"
                  "except ImportError:  # before the services were grouped by context\n"
                  "    from app.services import accounts, apikeys\napp = create_app()\n"
                  "with app.app_context():\n"
                  "    org = accounts.add_organization(name='湖南星城建设工程有限公司', "
                  "uscc='91110000600037341L', address='长沙县', legal_rep='李建国')\n"
                  "    key = apikeys.create_key(org, 'load')\n    db.session.commit()\n"
                  "    print(key)\n")
        out = subprocess.run([sys.executable, "-c", script], cwd=self.root, env=self.env,
                             capture_output=True, text=True, check=True)
        return next(w for w in out.stdout.split() if w.startswith("lsk_"))

    def _gunicorn(self, name: str, workers: int, port: int) -> None:
        conf = self.root / "gunicorn.conf.py"
        self._start(name, [str(BIN / "gunicorn"), *(["-c", str(conf)] if conf.exists() else []),
                           "-w", str(workers), "-k", self.worker_class,
                           "--threads", str(self.threads), "-b", f"127.0.0.1:{port}",
                           "--access-logfile", "-", "wsgi:app"])

    def down(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        admin = sa.create_engine(self.pg_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
        admin.dispose()

    # -- measurements -----------------------------------------------------------------
    def pids(self) -> dict[str, list[int]]:
        """Process ids by role: the gunicorn master's children are its workers."""
        roles: dict[str, list[int]] = {}
        for name, proc in self.procs.items():
            role = "jobs" if name.startswith("jobs") else name
            roles.setdefault(role, []).append(proc.pid)
            if name in ("web", "sign"):
                roles.setdefault(f"{name}-workers", []).extend(_children(proc.pid))
        return roles

    def engine(self):
        return sa.create_engine(self.env["DATABASE_URL"])


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process (0 when gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size (VmHWM) of a live process in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)
