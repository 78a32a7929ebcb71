"""A private PostgreSQL cluster for the restart scenario.

The machine's shared server (127.0.0.1:5432) is used by every other test at the same time
and is never restarted; this cluster is initdb'ed into a temporary folder, listens on its own
loopback port and runs as the ``postgres`` OS user (the tests run as root, and PostgreSQL
refuses to run as root) via ``runuser -u postgres --``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.needs import need, need_tool


class PgCluster:
    """``start`` / ``restart`` / ``stop`` a throw-away cluster; :attr:`admin_url` to connect."""

    def __init__(self, port: int) -> None:
        need(os.geteuid() == 0, "the private PostgreSQL cluster is run via runuser (root only)")
        self.port = port
        self.bin = Path(need_tool("pg_ctl")).resolve().parent
        need_tool("runuser")
        self.base = Path(tempfile.mkdtemp(prefix="laborsign-pg-"))
        self.data = self.base / "data"
        shutil.chown(self.base, "postgres", "postgres")
        self.admin_url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def _run(self, *args: str, timeout: float = 60.0) -> str:
        out = subprocess.run(["runuser", "-u", "postgres", "--", *args], capture_output=True,
                             text=True, timeout=timeout, check=False, cwd=self.base)
        if out.returncode:
            raise RuntimeError(f"{' '.join(args)} failed: {out.stdout}\n{out.stderr}")
        return out.stdout

    def init(self) -> None:
        """initdb (trust authentication on loopback, no fsync: scratch data)."""
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.base}'\nfsync = off\n"
                       "synchronous_commit = off\nfull_page_writes = off\nmax_connections = 60\n")

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.base / "server.log"), "-w", "start")

    def restart(self) -> None:
        """Restart (fast shutdown: open sessions are cut, as in a failover or a crash
        recovery restart) and wait until it accepts connections again."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.base / "server.log"), "-m", "fast", "-w", "restart")

    def halt(self) -> None:
        """Stop the server (fast shutdown: open sessions are cut), keeping its data."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        """Stop the server (immediately) and delete its files."""
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                      "stop")
        except RuntimeError:
            pass
        shutil.rmtree(self.base, ignore_errors=True)
