"""Adversarial HTTP against `mlpipe serve` (issue 18, item 4): bursts, idle and slow clients, smuggling.

The server runs as `mlpipe serve` in its own process (as a user runs it), so that its stderr can be
checked for tracebacks and its file-descriptor limit lowered. Raw sockets send what well-behaved
clients never would. The HTTP rules relied upon are RFC 9112's: section 6.3 (a Content-Length that is
not 1*DIGIT, or conflicting lengths, is an unrecoverable framing error: answer 400 and close) and
section 7.1 (chunked transfer coding).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import resource
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.serve import HEALTH_PATH, PREDICT_PATH
from tests.integration.serving.conftest import LocalBackend
from tests.unit.lambda_inference.fakes import GROUP, REPO_ROOT

HOST = "127.0.0.1"
TIMEOUT = 1  # `mlpipe serve --timeout`: seconds for a whole request; idle connections close after it
BODY = json.dumps({"instances": [{"Age": 22, "Sex": "female", "Pclass": 1}]}).encode()


@dataclass
class Served:
    port: int
    process: subprocess.Popen[bytes]

    def stderr_after_stop(self) -> str:
        self.process.terminate()
        _, err = self.process.communicate(timeout=30)
        return err.decode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _healthy(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=2)
        connection.request("GET", HEALTH_PATH)
        return connection.getresponse().status == 200
    except OSError:
        return False


@contextmanager
def serving(home: Path, *options: str, open_files: int | None = None) -> Iterator[Served]:
    """`mlpipe serve` (this checkout's code) on a free port, with `open_files` as its RLIMIT_NOFILE."""
    port = _free_port()

    def limit() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

    env = {**os.environ, "MLPIPE_HOME": str(home), "MLPIPE_BACKEND": "local", "MODEL_PACKAGE_GROUP": GROUP}
    code = "from pipeline.cli import main; main()"
    args = ["serve", "--port", str(port), "--timeout", str(TIMEOUT), *options]
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=limit,  # noqa: PLW1509 (no threads of ours run between fork and exec)
    )
    served = Served(port, process)
    try:
        deadline = time.monotonic() + 60
        while not _healthy(port):
            assert process.poll() is None, f"mlpipe serve died: {served.stderr_after_stop()[-2000:]}"
            assert time.monotonic() < deadline, "mlpipe serve did not become healthy in 60 s"
            time.sleep(0.1)
        yield served
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=30)


@pytest.fixture
def home(tmp_path: Path, model_archives) -> Path:
    LocalBackend(tmp_path / "home").register(model_archives[0])
    return tmp_path / "home"


def raw_exchange(port: int, request: bytes, wait: float = 5.0) -> bytes:
    """Send `request` bytes, then read everything the server sends until it closes or `wait` passes."""
    with socket.create_connection((HOST, port), timeout=wait) as client:
        client.sendall(request)
        received = b""
        try:
            while chunk := client.recv(65536):
                received += chunk
        except TimeoutError:
            pass
        return received


def statuses(received: bytes) -> list[int]:
    return [int(status) for status in re.findall(rb"HTTP/1\.1 (\d{3}) ", received)]


def post_once(port: int) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("POST", PREDICT_PATH, BODY, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow
def test_ten_bursts_of_64_simultaneous_connections_are_all_answered(home: Path) -> None:
    """The old server listened with a backlog of 5: 63 timeouts and 72 resets out of 640."""
    answers: list[int | str] = []
    with serving(home) as served:
        for _ in range(10):
            barrier = threading.Barrier(64)

            def client(barrier: threading.Barrier = barrier) -> None:
                barrier.wait()
                try:
                    answers.append(post_once(served.port))
                except OSError as error:
                    answers.append(repr(error))

            threads = [threading.Thread(target=client) for _ in range(64)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

    assert answers.count(200) == 640, [answer for answer in answers if answer != 200][:5]


@pytest.mark.slow
def test_256_idle_sockets_under_a_256_file_limit_neither_block_a_new_client_nor_spin(home: Path) -> None:
    """Idle connections are closed after --timeout, so the accept loop gets descriptors back; while it
    has none, asyncio retries accept() after a second instead of spinning (the old server: 100% CPU)."""
    with serving(home, open_files=256) as served:
        idle = [socket.create_connection((HOST, served.port), timeout=10) for _ in range(256)]
        cpu_before, started = cpu_seconds(served.process.pid), time.monotonic()

        status = post_once(served.port)

        waited = time.monotonic() - started
        busy = (cpu_seconds(served.process.pid) - cpu_before) / waited
        for sock in idle:
            sock.settimeout(10)
            assert sock.recv(1) == b"", "an idle connection was not closed by the server"
            sock.close()
        served.stderr_after_stop()

    assert status == 200
    assert waited < TIMEOUT + 6
    assert busy < 0.5, f"the server used {busy:.0%} of a core while clients waited"


def test_a_slow_client_is_cut_off_and_others_are_served_meanwhile(home: Path) -> None:
    """Slowloris: a request sent a byte every 0.1 s never completes; the server closes it after --timeout."""
    request = b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
    with serving(home) as served, socket.create_connection((HOST, served.port), timeout=10) as slow:
        started, closed_after = time.monotonic(), None
        for sent, byte in enumerate(request):
            try:
                slow.sendall(bytes([byte]))
            except OSError:
                closed_after = time.monotonic() - started
                break
            if sent == 3:
                assert post_once(served.port) == 200  # the slow one holds nobody up
            time.sleep(0.1)
        if closed_after is None:  # the whole request went out (only if it took under --timeout)
            slow.settimeout(TIMEOUT + 3)
            assert slow.recv(65536).startswith(b"HTTP/1.1 200")
            pytest.fail("the request was sent completely: make it slower than --timeout")

    assert TIMEOUT <= closed_after < TIMEOUT + 2


@pytest.mark.parametrize(
    "lengths",
    [
        [b"+44"],  # int() accepts a sign; RFC 9112's Content-Length is 1*DIGIT
        [b"44", b"2"],  # conflicting duplicates: which one frames the body is exactly request smuggling
        [b"44, 2"],
        [b"-1"],
        [b"0x2c"],
    ],
)
def test_a_malformed_content_length_is_refused_with_400_and_the_connection_closed(home: Path, lengths):
    """What follows would otherwise be parsed as a second request (smuggled past any front proxy)."""
    smuggled = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    headers = b"".join(b"Content-Length: %s\r\n" % length for length in lengths)
    request = b"POST /predict HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n" + BODY + smuggled
    with serving(home) as served:
        received = raw_exchange(served.port, request)
        stderr = served.stderr_after_stop()

    assert statuses(received) == [400]  # one answer, then the connection closed: nothing smuggled
    assert "Traceback" not in stderr


def test_a_chunked_body_is_the_request_body_not_the_next_request(home: Path) -> None:
    """The old server ignored Transfer-Encoding and read the chunks as a new request line."""
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(BODY), BODY)
    one = b"POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
    request = one + one.replace(b"HTTP/1.1\r\n", b"HTTP/1.1\r\nConnection: close\r\n", 1)
    with serving(home) as served:
        received = raw_exchange(served.port, request)

    assert statuses(received) == [200, 200]
    answers = [json.loads(part.split(b"\r\n\r\n", 1)[1]) for part in received.split(b"HTTP/1.1 ")[1:]]
    assert [answer["predictions"] for answer in answers] == [[1], [1]]


def test_an_oversized_chunked_body_is_refused_without_buffering_it(home: Path) -> None:
    chunk = b"x" * 1024 * 1024
    with serving(home) as served, socket.create_connection((HOST, served.port), timeout=10) as client:
        client.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            for _ in range(8):  # 8 MiB against a 6 MiB cap
                client.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass  # the server answered and closed while we were still sending
        answer = b""
        with contextlib.suppress(ConnectionResetError):  # closed with our unread bytes: RST after it
            while chunk := client.recv(65536):
                answer += chunk

    assert answer.startswith(b"HTTP/1.1 413")
    assert b"payload_too_large" in answer


def test_a_client_reset_prints_no_traceback_and_the_server_keeps_serving(home: Path) -> None:
    """Resets (RST, SO_LINGER 0) mid-headers, mid-body, and before reading the answer."""
    partials = [b"POST /predict HTTP/1.1\r\nHo", b"POST /predict HTTP/1.1\r\nContent-Length: 99\r\n\r\n{"]
    full = b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
    with serving(home) as served:
        for request in [*partials, full] * 5:
            client = socket.create_connection((HOST, served.port), timeout=5)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.sendall(request)
            time.sleep(0.02)
            client.close()
        time.sleep(0.3)
        assert post_once(served.port) == 200
        stderr = served.stderr_after_stop()

    assert "Traceback" not in stderr
    assert "Error" not in stderr, stderr[-2000:]
