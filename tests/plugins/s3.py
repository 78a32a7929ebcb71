"""A live moto_server S3 endpoint for the tests (owned by the archive work).

Fixtures:

* ``s3_server`` (session): starts ``moto_server`` on a free loopback port and yields an
  :class:`S3Server` (``endpoint`` "127.0.0.1:PORT", ``url``, ``access_key``,
  ``secret_key``, ``region``). Stopped at the end of the session. If it cannot start the
  requesting tests are skipped, or fail when ``CI=true``.
* ``s3_bucket`` (function): a fresh unique bucket name (not created).

The AWS credentials are set only in the server's environment, never in this process.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from tests.needs import need
from tests.ports import free_port

__all__ = ["S3Server"]

_START_TIMEOUT = 15.0
_ACCESS_KEY = "testing"
_SECRET_KEY = "testing"


@dataclass(frozen=True)
class S3Server:
    """Where the test S3 server listens and how to log in."""

    endpoint: str
    url: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"


def _command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("moto_server")
    if script.exists():
        return [str(script), "-H", "127.0.0.1", "-p", str(port)]
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1.0)
    try:
        conn.request("GET", "/moto-api/")
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _unavailable(reason: str) -> NoReturn:
    need(False, f"moto_server unavailable: {reason}")
    raise AssertionError("unreachable")


def _start(log_path: Path) -> tuple[subprocess.Popen[bytes], int] | str:
    """Start moto_server; return the process and port, or the reason it failed."""
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID=_ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=_SECRET_KEY,
        AWS_DEFAULT_REGION="us-east-1",
    )
    reason = "not started"
    for _attempt in range(3):  # the free port may be taken before the server binds it
        port = free_port()
        with open(log_path, "ab") as log:
            try:
                proc = subprocess.Popen(
                    _command(port),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                )
            except OSError as exc:
                return f"cannot run {_command(port)[0]}: {exc}"
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            if _answers(port):
                return proc, port
            time.sleep(0.1)
        _stop(proc)
        tail = log_path.read_text("utf-8", "replace")[-800:]
        reason = f"no answer on port {port} (exit code {proc.returncode}); log tail: {tail}"
    return reason


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A running moto_server (S3 API, object lock enforced) on 127.0.0.1."""
    log_path = tmp_path_factory.mktemp("moto") / "moto_server.log"
    started = _start(log_path)
    if isinstance(started, str):
        _unavailable(started)
        return
    proc, port = started
    try:
        yield S3Server(
            endpoint=f"127.0.0.1:{port}",
            url=f"http://127.0.0.1:{port}",
            access_key=_ACCESS_KEY,
            secret_key=_SECRET_KEY,
        )
    finally:
        _stop(proc)


@pytest.fixture
def s3_bucket() -> str:
    """A fresh, valid, unique S3 bucket name (the bucket is not created)."""
    return f"test-{uuid.uuid4().hex[:20]}"
