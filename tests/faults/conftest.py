"""Fixtures of the fault suite: the production shape on loopback (bench/_stack.py), with a
proxy in front of the S3 server so that S3 can go away and come back with its objects.

``s3_stack`` (session) is shared by the S3 scenarios (1 and 2: mark them
``xdist_group("faults_s3")`` so that ``--dist loadgroup`` runs them on one worker and the
stack starts once). Its job lease is 3 s, so a killed worker's job is taken over quickly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench._stack import Stack
from tests.conftest import PG_ADMIN_URL
from tests.faults import end_state
from tests.faults.flows import Api
from tests.faults.proxy import TcpProxy
from tests.needs import need
from tests.ports import free_port

LEASE_SECONDS = "3"


@dataclass
class FaultStack:
    """A running stack, its S3 proxy (None: the app talks to the S3 server itself), the
    employer's API, an engine on its database and its archive (reached directly)."""

    stack: Stack
    proxy: TcpProxy | None
    api: Api
    engine: sa.Engine
    store: object

    def check(self, **kwargs) -> end_state.EndState:
        """The end state now (see :func:`tests.faults.end_state.check`)."""
        return end_state.check(self.engine, self.store, **kwargs)

    def scalar(self, sql: str, **params):
        """One value from the stack's database."""
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def rows(self, sql: str, **params) -> list:
        """Rows from the stack's database."""
        with self.engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params))


class Supervisor:
    """Start processes of a stack again when they end, as the compose file's ``restart:
    unless-stopped`` does in a deployment; :attr:`restarts` names each restart."""

    def __init__(self, stack: Stack, names: list[str]) -> None:
        self.stack, self.names, self.restarts = stack, names, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            for name in self.names:
                if not self.stack.alive(name):
                    self.restarts.append(name)
                    self.stack.start(name)

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()
        self._thread.join()


def wait_until(ok: Callable[[], object], timeout: float, what: str, every: float = 0.1):
    """Poll ``ok()`` until it is truthy; its value.

    :raises AssertionError: ``what`` did not happen within ``timeout`` seconds.
    """
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if value := ok():
            return value
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout} s")


def reachable(url: str) -> None:
    """Fail (in CI) or skip when PostgreSQL at ``url`` does not answer."""
    try:
        engine = sa.create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        need(False, f"PostgreSQL not reachable at {url}: {exc}")


def open_stack(folder: Path, admin_url: str, *, proxy: bool, **kwargs) -> FaultStack:
    """Start a stack on ``admin_url``'s server (``kwargs`` go to :class:`Stack`); with
    ``proxy`` the app reaches S3 through a :class:`TcpProxy`."""
    from archive import open_store

    # PYTHONFAULTHANDLER: a hung process dumps its threads' stacks on SIGABRT (to its log)
    env = {"JOBS_LEASE_SECONDS": LEASE_SECONDS, "PYTHONFAULTHANDLER": "1",
           **kwargs.pop("env", {})}
    stack = Stack(folder, admin_url, port_source=free_port, env=env, **kwargs)
    front = TcpProxy(stack.s3_port, free_port()) if proxy else None
    if front is not None:
        stack.env["S3_ENDPOINT"] = f"127.0.0.1:{front.port}"
    try:
        key = stack.up()
    except Exception:
        stack.down()
        if front is not None:
            front.close()
        raise
    direct = {**stack.env, "S3_ENDPOINT": f"127.0.0.1:{stack.s3_port}"}
    return FaultStack(stack, front, Api(f"http://127.0.0.1:{stack.port}", key, stack.outbox),
                      stack.engine(), open_store(direct))


def close_stack(fs: FaultStack) -> None:
    """Stop everything :func:`open_stack` started."""
    fs.engine.dispose()
    fs.stack.down()
    if fs.proxy is not None:
        fs.proxy.close()


@pytest.fixture(scope="session")
def s3_stack(tmp_path_factory) -> Iterator[FaultStack]:
    """gunicorn (1 worker), 2 job workers, moto_server behind a proxy, on the shared
    PostgreSQL server (a scratch database)."""
    reachable(PG_ADMIN_URL)
    fs = open_stack(tmp_path_factory.mktemp("faults-s3"), PG_ADMIN_URL, proxy=True,
                    web_workers=1, job_workers=2)
    try:
        yield fs
    finally:
        close_stack(fs)
