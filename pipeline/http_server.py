"""uvicorn, configured for `mlpipe serve`: strict HTTP/1.1 (h11), timeouts, a connection cap, workers.

uvicorn alone only times out a keep-alive connection after an answer: a client that connects and sends
nothing, or sends its request a byte at a time, holds its connection forever. `DeadlineH11Protocol`
adds the missing deadline: a whole request (headers and body) must arrive within `timeout` seconds of
the connection opening or of the previous answer, else the connection is closed.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import threading
import time
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors import Multiprocess

TIMEOUT_SECONDS = 5
MAX_CONNECTIONS = 1000  # per worker; beyond it uvicorn answers 503 at once instead of queueing
BACKLOG = 1024  # bursts of connections wait in the kernel instead of being reset
MAX_HEADER_BYTES = 64 * 1024
_RECEIVED = (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR)
_OUT_OF_RESOURCES = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
logger = logging.getLogger("uvicorn.error")


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol plus a request-read deadline (`timeout_keep_alive` seconds)."""

    _read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # asyncio sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP; ours come from accept() on
        # a socket made with proto 0. Without it, the answer's second write waits for a delayed ACK (40 ms).
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._arm_read_deadline()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state in _RECEIVED:
            self._cancel_read_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # starts the next cycle and handles pipelined data
        if not self.transport.is_closing() and self.conn.their_state not in _RECEIVED:
            self._arm_read_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_read_deadline()
        super().connection_lost(exc)

    def _arm_read_deadline(self) -> None:
        self._cancel_read_deadline()
        self._read_deadline = self.loop.call_later(self.timeout_keep_alive, self._read_timed_out)

    def _cancel_read_deadline(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _read_timed_out(self) -> None:
        self._read_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


class _AcceptOnceOutOfFiles:
    """The listening socket as asyncio's accept loop sees it: after one "out of files", "no more now".

    CPython 3.11's `_accept_connection` keeps calling accept() after EMFILE, up to `backlog` times per
    wake-up, logging a traceback and scheduling a retry each time: a full file table became a busy loop
    printing thousands of tracebacks. Raising BlockingIOError ends that round; asyncio retries in 1 s.
    """

    def __init__(self, sock: Any) -> None:
        self._sock = getattr(sock, "_sock", sock)  # retries hand the wrapper back
        self._out_of_files = False

    def accept(self) -> tuple[socket.socket, Any]:
        if self._out_of_files:
            raise BlockingIOError
        try:
            return self._sock.accept()  # type: ignore[no-any-return,unused-ignore]
        except OSError as error:
            self._out_of_files = error.errno in _OUT_OF_RESOURCES
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _ServingLoop(asyncio.SelectorEventLoop):
    """asyncio's loop with the accept fix above and a one-line, rate-limited "out of files" report."""

    _last_report = 0.0

    def _accept_connection(self, protocol_factory: Any, sock: Any, *args: Any, **kwargs: Any) -> None:
        accept = super()._accept_connection  # type: ignore[misc]
        accept(protocol_factory, _AcceptOnceOutOfFiles(sock), *args, **kwargs)

    def default_exception_handler(self, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if not (isinstance(error, OSError) and error.errno in _OUT_OF_RESOURCES):
            super().default_exception_handler(context)
        elif time.monotonic() - self._last_report > 10:
            self._last_report = time.monotonic()
            logger.warning("cannot accept connections: %s; raise `ulimit -n` or lower --timeout", error)


def event_loop() -> asyncio.AbstractEventLoop:
    """uvicorn's loop factory (`loop=`), also in worker processes."""
    return _ServingLoop()


def server_config(app: Any, workers: int, timeout: int, max_connections: int) -> uvicorn.Config:
    """`app` is the ASGI app, or with workers > 1 the factory's import string (each worker builds one)."""
    return uvicorn.Config(
        app,
        factory=isinstance(app, str),
        workers=workers,
        http=DeadlineH11Protocol,
        loop=f"{__name__}:event_loop",
        ws="none",
        lifespan="off",
        timeout_keep_alive=timeout,
        limit_concurrency=max_connections,
        backlog=BACKLOG,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        access_log=False,  # the handler logs what matters; access logs would cost latency
        log_level="warning",
        server_header=False,
    )


def bind(host: str, port: int) -> socket.socket:
    """The listening socket (OSError when the address is taken)."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(BACKLOG)  # connections queue from now on, before the event loop starts
    except OSError:
        listener.close()
        raise
    return listener


def run(
    listener: socket.socket, app: Any, *, factory: str, workers: int, timeout: int, max_connections: int
) -> None:
    """Serve `app` until interrupted, or with workers > 1 `factory()` in each of `workers` processes."""
    if workers == 1:
        uvicorn.Server(server_config(app, 1, timeout, max_connections)).run([listener])
        return
    Multiprocess(server_config(factory, workers, timeout, max_connections), sockets=[listener]).run()


class ThreadedServer:
    """`app` served on a thread, with the ThreadingHTTPServer calls tests use (serve_forever, shutdown)."""

    def __init__(self, address: tuple[str, int], app: Any, timeout: int, max_connections: int) -> None:
        self.socket = bind(*address)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self.server = uvicorn.Server(server_config(app, 1, timeout, max_connections))
        self._stopped = threading.Event()

    def serve_forever(self, poll_interval: float = 0.1) -> None:  # noqa: ARG002 (a test-facing signature)
        """`poll_interval` is accepted for compatibility; uvicorn checks for shutdown every 0.1 s."""
        try:
            self.server.run([self.socket])
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        self.server.should_exit = True
        self._stopped.wait(timeout=30)

    def server_close(self) -> None:
        self.socket.close()
