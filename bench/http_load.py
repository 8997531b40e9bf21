"""Local HTTP serving through `mlpipe serve`: keep-alive client threads, bounded in time."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.isolated import BenchError
from bench.pipeline_runs import mlpipe_environment
from bench.serving import PASSENGER
from bench.stats import percentile, summarize
from pipeline.serve import HEALTH_PATH, PREDICT_PATH

HOST = "127.0.0.1"
STARTUP_TIMEOUT_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        connection.request("GET", HEALTH_PATH)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextmanager
def running_server(home: Path) -> Iterator[int]:
    """`mlpipe serve` on a free port with MLPIPE_HOME=home; yields the port once /healthz answers 200."""
    port = free_port()
    mlpipe = Path(sys.executable).with_name("mlpipe")
    server = subprocess.Popen(
        [str(mlpipe), "serve", "--port", str(port)],
        env=mlpipe_environment(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not _healthy(port):
            if server.poll() is not None or time.monotonic() > deadline:
                error = server.stderr.read().decode() if server.stderr and server.poll() is not None else ""
                raise BenchError(f"mlpipe serve did not become healthy on port {port}: {error[-2000:]}")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _client(port: int, body: bytes, deadline: float, latencies: list[float], errors: list[str]) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    headers = {"Content-Type": "application/json"}
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            connection.request("POST", PREDICT_PATH, body, headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"HTTP {response.status}")
                return
            latencies.append((time.perf_counter() - started) * 1000)
    except OSError as error:
        errors.append(str(error))
    finally:
        connection.close()


def load_level(port: int, concurrency: int, seconds: float) -> dict[str, float]:
    """Requests/s and p50/p99 latency (ms) with `concurrency` keep-alive clients for `seconds`."""
    body = json.dumps({"instances": [PASSENGER]}).encode()
    per_client: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[str] = []
    started = time.perf_counter()
    deadline = started + seconds
    threads = [
        threading.Thread(target=_client, args=(port, body, deadline, latencies, errors))
        for latencies in per_client
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise BenchError(f"HTTP load at concurrency {concurrency} failed: {errors[0]}")
    latencies = [value for client in per_client for value in client]
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
    }


def measure_http(
    home: Path, runs: int, seconds: float, levels: tuple[int, ...] = (1, 8, 64)
) -> dict[str, Any]:
    """`http_rps_cN`, `http_p50_ms_cN`, `http_p99_ms_cN` for each concurrency level N."""
    figures: dict[str, Any] = {}
    with running_server(home) as port:
        load_level(port, 1, min(1.0, seconds))  # warm-up: model load, first connections
        for level in levels:
            results = [load_level(port, level, seconds) for _ in range(runs)]
            for name in ("rps", "p50_ms", "p99_ms"):
                figures[f"http_{name}_c{level}"] = summarize([r[name] for r in results])
    return figures
