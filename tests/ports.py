"""Loopback ports for servers the tests start, a separate range for each test process.

Under pytest-xdist every worker (``gw0``, ``gw1``, …) takes ports from its own block above
:data:`BASE`, so that two workers never race for the same port between finding it free and a
server (moto_server, gunicorn, nginx) binding it. The blocks share the ports between
:data:`BASE` and :data:`TOP`, below the kernel's ephemeral range (32768 and up: outgoing
connections take those), however many workers there are. Within one worker the ports are
handed out in turn, each checked free by binding it.
"""

from __future__ import annotations

import itertools
import os
import socket

BASE, TOP = 21000, 32000
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_INDEX = int(_WORKER[2:]) if _WORKER.startswith("gw") and _WORKER[2:].isdigit() else 0
_COUNT = max(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1), _INDEX + 1)
BLOCK = min(1000, (TOP - BASE) // _COUNT)
FIRST = BASE + _INDEX * BLOCK
_next = itertools.cycle(range(FIRST, FIRST + BLOCK))


def free_port() -> int:
    """A TCP port on 127.0.0.1, in this worker's range, that was free a moment ago."""
    for _ in range(BLOCK):
        port = next(_next)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {FIRST}..{FIRST + BLOCK - 1}")
