"""A task root run as the Lambda Python base image runs it: AWS's Runtime Interface Emulator (RIE) starting
`python -m awslambdaric <handler>` in that folder, invoked over the emulator's HTTP endpoint.

The emulator binary comes out of the aws-sam-cli wheel and awslambdaric goes into its own folder (the
image's /var/runtime): `make install-dev` puts both under .tools/. The interpreter runs with `-S`: no
site-packages, only the standard library, the task root (cwd, first on sys.path as in Lambda), the
given extra folders and the runtime folder.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
RIE_BINARY = REPO_ROOT / ".tools" / "rie" / "aws-lambda-rie"
LAMBDA_RUNTIME = REPO_ROOT / ".tools" / "lambda-runtime"
DOCKERFILE = REPO_ROOT / "lambda_inference" / "Dockerfile"
INVOKE_PATH = "/2015-03-31/functions/function/invocations"
# The emulator starts the runtime on the first invoke and logs `INIT REPORT(durationMs: 881.6)` once the
# handler module is imported and the runtime asks for its first event, then `INVOKE RTDONE(..., duration:
# 1.58ms)` per event. Its Lambda-style `REPORT` line is no use here: in this release it says `Init
# Duration: 0.02 ms` and counts the init inside the first invoke's `Duration`.
INIT_REPORT = re.compile(r"INIT REPORT\(durationMs: ([0-9.]+)\)")
INVOKE_REPORT = re.compile(r"INVOKE RTDONE\(status: \w+, produced bytes: \d+, duration: ([0-9.]+)ms\)")
START_TIMEOUT_SECONDS = 10.0
INVOKE_TIMEOUT_SECONDS = 60.0


class EmulatorError(RuntimeError):
    """The emulator did not start or answer; the message holds its log."""


def dockerfile_handler(dockerfile: Path = DOCKERFILE) -> str:
    """The handler string of the image: the first word of the Dockerfile's last `CMD ["..."]`."""
    commands = [line for line in dockerfile.read_text().splitlines() if line.startswith("CMD ")]
    if not commands:
        raise EmulatorError(f"{dockerfile} has no CMD line; the Lambda base image needs the handler there")
    handler: str = json.loads(commands[-1].removeprefix("CMD "))[0]
    return handler


def dockerfile_environment(dockerfile: Path = DOCKERFILE) -> dict[str, str]:
    """The variables the image sets: every `ENV NAME=VALUE` line of the Dockerfile (one pair per line)."""
    lines = dockerfile.read_text().splitlines()
    pairs = [line.removeprefix("ENV ") for line in lines if line.startswith("ENV ")]
    return dict(pair.split("=", 1) for pair in pairs)


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports: every probe stays bound until all are picked."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def emulator_command(handler: str, port: int, api_port: int, pycache: Path | None) -> list[str]:
    """`aws-lambda-rie ... python -S -m awslambdaric HANDLER`, both of its listeners on loopback ports."""
    if not RIE_BINARY.is_file() or not (LAMBDA_RUNTIME / "awslambdaric").is_dir():
        raise EmulatorError(f"{RIE_BINARY} or {LAMBDA_RUNTIME} is missing; run `make install-dev`")
    python = [sys.executable, "-S"] + ([] if pycache is None else ["-X", f"pycache_prefix={pycache}"])
    return [
        str(RIE_BINARY),
        f"--runtime-interface-emulator-address=127.0.0.1:{port}",
        f"--runtime-api-address=127.0.0.1:{api_port}",
        *python,
        "-m",
        "awslambdaric",
        handler,
    ]


class RuntimeEmulator:
    """One emulator process (it runs one handler process at a time); a context manager that stops it."""

    def __init__(
        self,
        task_root: Path,
        handler: str,
        env: Mapping[str, str],
        *,
        extra_paths: Sequence[Path] = (),
        pycache: Path | None = None,
    ) -> None:
        self.port, api_port = free_ports(2)
        self.command = emulator_command(handler, self.port, api_port, pycache)
        self.url = f"http://127.0.0.1:{self.port}{INVOKE_PATH}"
        python_path = os.pathsep.join(str(path) for path in [*extra_paths, LAMBDA_RUNTIME])
        keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
        self.env = {**keep, **env, "PYTHONPATH": python_path}
        self.task_root = task_root
        self._log_dir = tempfile.TemporaryDirectory(prefix="rie-log-")
        self.log_path = Path(self._log_dir.name) / "emulator.log"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> RuntimeEmulator:
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                self.command, cwd=self.task_root, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopping it also stops the runtime
            )  # fmt: skip
        try:
            self._wait_until_listening()
        except EmulatorError:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        self._log_dir.cleanup()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise EmulatorError(f"the emulator exited ({self._process.returncode}):\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        raise EmulatorError(f"the emulator did not listen within {START_TIMEOUT_SECONDS} s:\n{self.log()}")

    def invoke(self, event: Any) -> tuple[int, Any]:
        """POST the event (JSON-encoded unless bytes); the HTTP status and the decoded answer."""
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        request = urllib.request.Request(self.url, data=body, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=INVOKE_TIMEOUT_SECONDS) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")
        except OSError as error:
            raise EmulatorError(f"invoking {self.url} failed ({error}):\n{self.log()}") from error

    def reports(self, invocations: int) -> tuple[float, list[float]]:
        """Init duration and the first `invocations` invoke durations (ms), as the emulator logged them."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            log = self.log()
            init, durations = INIT_REPORT.search(log), INVOKE_REPORT.findall(log)
            if init and len(durations) >= invocations:
                return float(init[1]), [float(ms) for ms in durations[:invocations]]
            time.sleep(0.02)
        raise EmulatorError(
            f"no INIT REPORT and {invocations} INVOKE RTDONE lines in the emulator log:\n{self.log()}"
        )
