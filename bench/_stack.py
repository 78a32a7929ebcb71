"""The production shape on loopback, for benchmarks and the fault tests: a scratch PostgreSQL
database, moto_server in MinIO's place as the S3 archive, gunicorn serving the app (and an
optional separate signing pool), ``flask jobs work`` job workers and an optional
``flask schedule run`` scheduler — each a real process on this machine, torn down at the end.

The fault tests (``tests/faults``) import it as ``bench._stack``; the benchmark scripts as
``_stack``. Single processes can be stopped, killed, paused and started again by name
(``s3``, ``web``, ``sign``, ``jobs0``…, ``schedule``); ``env`` overrides any setting
(``JOBS_LEASE_SECONDS``, ``TSA_URL``, ``ARCHIVE_BACKEND``…). moto_server keeps its objects
in memory: stopping it loses them, so a test that needs "S3 is down, then back with its
objects" puts a proxy in front of it (``S3_ENDPOINT`` in ``env``) and stops that instead.
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
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A loopback port the kernel says is free now."""
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
            time.sleep(0.1)
        finally:
            conn.close()
    raise RuntimeError(f"nothing answers on port {port}{path}")


# One process does what `flask db upgrade`, `flask ca init` and creating an employer with an
# API key would do in three (each start of the app costs seconds of CPU). Works on older
# checkouts too (services before they were grouped by context).
_SETUP = """
import sys
from flask_migrate import upgrade
from app import create_app
from app.extensions import db
try:
    from app.services.accounts import accounts, apikeys
except ImportError:
    from app.services import accounts, apikeys
app = create_app()
with app.app_context():
    upgrade()
done = app.test_cli_runner().invoke(args=["ca", "init"])
if done.exit_code:
    sys.exit(f"flask ca init failed: {done.output} {done.exception!r}")
with app.app_context():
    org = accounts.add_organization(name="湖南星城建设工程有限公司", uscc="91110000600037341L",
                                    address="长沙县", legal_rep="李建国")
    key = apikeys.create_key(org, "load")
    db.session.commit()
    print(key)
"""


class Stack:
    """Start with :meth:`up`, stop with :meth:`down`; ``env`` is the app's environment.

    :param env: settings overriding the stack's defaults (e.g. ``JOBS_LEASE_SECONDS``).
    :param scheduler: also run ``flask schedule run``.
    :param port_source: where loopback ports come from (the tests pass their per-worker one).
    """

    def __init__(self, folder: Path, pg_admin_url: str, *, web_workers: int, job_workers: int,
                 worker_class: str = "sync", threads: int = 1, sign_workers: int = 0,
                 root: Path = ROOT, scheduler: bool = False, env: dict[str, str] | None = None,
                 port_source: Callable[[], int] = free_port) -> None:
        self.folder, self.pg_admin_url, self.root = Path(folder), pg_admin_url, Path(root)
        self.web_workers, self.job_workers = web_workers, job_workers
        self.worker_class, self.threads = worker_class, threads
        self.sign_workers = sign_workers  # > 0: a separate gunicorn pool for POST /sign/<token>
        self.scheduler = scheduler
        self.procs: dict[str, subprocess.Popen] = {}
        self.commands: dict[str, list[str]] = {}
        self.database = f"laborsign_load_{uuid.uuid4().hex[:8]}"
        self.port = port_source()
        self.sign_port = port_source() if sign_workers else self.port
        self.s3_port = port_source()
        self.outbox = self.folder / "sms.jsonl"
        self.env = {**os.environ,
                    "DATABASE_URL": pg_admin_url.rsplit("/", 1)[0] + f"/{self.database}",
                    "INSTANCE_DIR": str(folder), "PKI_DIR": str(self.folder / "pki"),
                    "SECRET_KEY": "bench-secret", "PII_KEY": "bench-pii-key",
                    "CA_KEY_PASSPHRASE": "bench-ca", "BASE_URL": f"http://127.0.0.1:{self.port}",
                    "ARCHIVE_BACKEND": "s3", "S3_ENDPOINT": f"127.0.0.1:{self.s3_port}",
                    "S3_ACCESS_KEY": "bench", "S3_SECRET_KEY": "bench-secret-key",
                    "S3_BUCKET": "laborsign-load", "S3_OBJECT_LOCK": "true",
                    "SMS_BACKEND": "file", "SMS_OUTBOX": str(self.outbox),
                    "JOBS_INLINE": "false", "SIGN_IDENTITY_LIMIT": "off", "OTP_RESEND_SECONDS": "0",
                    "LOGIN_RATE_LIMIT": "off", "LOGIN_ADDRESS_RATE_LIMIT": "off",
                    "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench-secret-key",
                    **(env or {})}

    # -- processes --------------------------------------------------------------------
    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(args, cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()  # the child holds its own descriptor
        self.procs[name], self.commands[name] = proc, args
        return proc

    def start(self, name: str) -> subprocess.Popen:
        """Start process ``name`` again with the command it was first started with (after
        :meth:`stop`); a running one is left alone."""
        proc = self.procs.get(name)
        if proc is not None and proc.poll() is None:
            return proc
        return self._start(name, self.commands[name])

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int | None:
        """Send ``sig`` to process ``name`` (its whole process group) and wait for it to end;
        returns its exit code. ``signal.SIGKILL`` is a crash: nothing is cleaned up."""
        proc = self.procs[name]
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=timeout)
        return proc.returncode

    def kill(self, name: str) -> int | None:
        """SIGKILL process ``name`` (a crash)."""
        return self.stop(name, signal.SIGKILL)

    def pause(self, name: str) -> None:
        """Freeze process ``name`` (SIGSTOP) until :meth:`resume`."""
        os.killpg(self.procs[name].pid, signal.SIGSTOP)

    def resume(self, name: str) -> None:
        """Let a paused process run on (SIGCONT)."""
        os.killpg(self.procs[name].pid, signal.SIGCONT)

    def alive(self, name: str) -> bool:
        """True while process ``name`` runs."""
        return name in self.procs and self.procs[name].poll() is None

    def job_names(self) -> list[str]:
        """The job workers' process names."""
        return [n for n in self.commands if n.startswith("jobs")]

    def add_job_worker(self) -> str:
        """Start one more ``flask jobs work`` process; returns its name."""
        name = f"jobs{len(self.job_names())}"
        self._start(name, [str(BIN / "flask"), "--app", "wsgi", "jobs", "work"])
        return name

    def flask(self, *args: str) -> str:
        """Run ``flask --app wsgi ARGS`` against the stack; its output.

        :raises RuntimeError: the command failed.
        """
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
        self.folder.mkdir(parents=True, exist_ok=True)
        self._start("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.s3_port)])
        wait_http(self.s3_port, "/moto-api/")
        if not self.alive("s3"):  # another program answered on its port
            raise RuntimeError(f"moto_server did not start:\n{self.log('s3')[-2000:]}")
        key = self._setup()
        # the app processes start side by side (each spends seconds importing the app)
        self._gunicorn("web", self.web_workers, self.port)
        if self.sign_workers:
            self._gunicorn("sign", self.sign_workers, self.sign_port)
        for _ in range(self.job_workers):
            self.add_job_worker()
        if self.scheduler:
            self._start("schedule", [str(BIN / "flask"), "--app", "wsgi", "schedule", "run"])
        self._listening("web", self.port)
        if self.sign_workers:
            self._listening("sign", self.sign_port)
        return key

    def _listening(self, name: str, port: int, timeout: float = 60.0) -> None:
        """Wait until gunicorn ``name`` itself listens on ``port`` (not another program that
        took the port first) and answers.

        :raises RuntimeError: it ended or did not listen in time.
        """
        end, line = time.time() + timeout, f"Listening at: http://127.0.0.1:{port}"
        while line not in self.log(name):
            if not self.alive(name) or time.time() > end:
                raise RuntimeError(f"{name} does not listen on {port}:\n{self.log(name)[-2000:]}")
            time.sleep(0.1)
        wait_http(port, "/healthz", timeout=timeout)

    def _setup(self) -> str:
        """Migrate, create the CA and an employer with its API key, in one process."""
        out = subprocess.run([sys.executable, "-c", _SETUP], cwd=self.root, env=self.env,
                             capture_output=True, text=True, check=False)
        if out.returncode:
            raise RuntimeError(f"stack setup failed:\n{out.stdout}\n{out.stderr}")
        return next(w for w in out.stdout.split() if w.startswith("lsk_"))

    def _gunicorn(self, name: str, workers: int, port: int) -> None:
        conf = self.root / "gunicorn.conf.py"
        self._start(name, [str(BIN / "gunicorn"), *(["-c", str(conf)] if conf.exists() else []),
                           "-w", str(workers), "-k", self.worker_class,
                           "--threads", str(self.threads), "-b", f"127.0.0.1:{port}",
                           "--access-logfile", "-", "wsgi:app"])

    def down(self) -> None:
        """Stop every process and drop the database."""
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGCONT)  # a paused process could not end
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        admin = sa.create_engine(self.pg_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
        admin.dispose()

    def log(self, name: str) -> str:
        """What process ``name`` wrote (stdout and stderr), over all its starts."""
        path = self.folder / f"{name}.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    # -- measurements -----------------------------------------------------------------
    def pids(self) -> dict[str, list[int]]:
        """Process ids by role: the gunicorn master's children are its workers."""
        roles: dict[str, list[int]] = {}
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                continue
            role = "jobs" if name.startswith("jobs") else name
            roles.setdefault(role, []).append(proc.pid)
            if name in ("web", "sign"):
                roles.setdefault(f"{name}-workers", []).extend(_children(proc.pid))
        return roles

    def engine(self, **kwargs) -> sa.Engine:
        """An engine on the stack's database (dispose it when done)."""
        return sa.create_engine(self.env["DATABASE_URL"], **kwargs)


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
    """``obj`` as one JSON line (Chinese kept readable)."""
    return json.dumps(obj, ensure_ascii=False)
