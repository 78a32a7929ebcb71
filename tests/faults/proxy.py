"""A small TCP proxy in front of the S3 server, to fail it on purpose.

moto_server keeps its objects in memory, so stopping it would lose the archive; the app
talks to this proxy instead (its ``S3_ENDPOINT``), and the proxy can:

* :meth:`down` — close its port and reset every open connection (the S3 server is gone:
  connection refused), :meth:`up` — listen again on the same port;
* :meth:`stall` — keep connections open but pass no bytes (a hung server), :meth:`release`;
  :meth:`stall_on` stalls when a given request arrives (the client is inside that request);
* :meth:`trip` — go down the moment the n-th request whose request line contains a text
  arrives (that request is never delivered): a failure in the middle of a filing.

It records every request line it saw (:attr:`requests`), so a test can wait until a client
is inside a given upload.
"""

from __future__ import annotations

import select
import socket
import struct
import threading
import time


class TcpProxy:
    """Forward 127.0.0.1:``port`` to 127.0.0.1:``target``; see the module docstring."""

    def __init__(self, target: int, port: int) -> None:
        self.target, self.port = target, port
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._stalled = threading.Event()
        self._trip: tuple[str, int] | None = None
        self._stall_on: str | None = None
        self.up()

    # -- control --------------------------------------------------------------------
    def up(self) -> None:
        """Listen (again) on :attr:`port`."""
        if self._listener is not None:
            return
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def down(self) -> None:
        """Stop listening and reset every open connection."""
        with self._lock:
            sock, self._listener = self._listener, None
            conns, self._conns = list(self._conns), set()
        if sock is not None:
            sock.close()
        for conn in conns:
            _reset(conn)

    def stall(self) -> None:
        """Hold every byte from now on (connections stay open)."""
        self._stalled.set()

    def stall_on(self, text: str) -> None:
        """:meth:`stall` when a request line containing ``text`` arrives (that request is
        held too): the client is then inside that request."""
        self._stall_on = text

    def release(self) -> None:
        """Pass bytes again."""
        self._stalled.clear()

    def trip(self, text: str, nth: int) -> None:
        """Go :meth:`down` when the ``nth`` request line containing ``text`` arrives."""
        self._trip = (text, nth)

    def disarm(self) -> None:
        """Forget :meth:`trip` and :meth:`stall_on` that have not happened."""
        self._trip = self._stall_on = None

    def wait_for(self, text: str, count: int = 1, timeout: float = 30.0) -> None:
        """Wait until ``count`` request lines containing ``text`` were seen.

        :raises TimeoutError: they were not.
        """
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.seen(text) >= count:
                return
            time.sleep(0.02)
        raise TimeoutError(f"no request {text!r} within {timeout} s; saw {self.requests[-5:]}")

    def seen(self, text: str) -> int:
        """How many request lines containing ``text`` arrived."""
        with self._lock:
            return sum(text in line for line in self.requests)

    @property
    def is_up(self) -> bool:
        """Whether the proxy listens."""
        return self._listener is not None

    def close(self) -> None:
        """Shut down for good."""
        self.down()

    # -- forwarding -----------------------------------------------------------------
    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by down()
            try:
                server = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                _reset(client)
                continue
            server.settimeout(None)
            with self._lock:
                gone = self._listener is not listener  # down() came meanwhile
                if not gone:
                    self._conns.update((client, server))
            if gone:
                _reset(client)
                _reset(server)
                return
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, upstream: bool) -> None:
        try:
            while data := src.recv(65536):
                if upstream and not self._note(data):
                    self.down()
                    return
                if self._stalled.is_set() and not self._hold(src):
                    return  # the sender died while held: its bytes never arrive
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                _reset(sock)
            with self._lock:
                self._conns.difference_update((src, dst))

    def _hold(self, src: socket.socket) -> bool:
        """Wait while stalled; False when ``src`` closed meanwhile."""
        while self._stalled.is_set():
            readable, _, _ = select.select([src], [], [], 0.02)
            if readable and not src.recv(1, socket.MSG_PEEK):
                return False
        return True

    def _note(self, data: bytes) -> bool:
        """Record a request line; False when it trips the proxy."""
        head = data[:512].split(b"\r\n", 1)[0]
        if not head.endswith((b"HTTP/1.1", b"HTTP/1.0")):
            return True  # a body chunk
        line = head.decode("latin-1")
        with self._lock:
            self.requests.append(line)
            if self._stall_on and self._stall_on in line:
                self._stall_on = None
                self._stalled.set()
            trip = self._trip
            if trip and trip[0] in line and sum(trip[0] in r for r in self.requests) >= trip[1]:
                self._trip = None
                return False
        return True


def _reset(sock: socket.socket) -> None:
    """Close ``sock`` at once (RST, no lingering)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
