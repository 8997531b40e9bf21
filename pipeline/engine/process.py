"""Run a step's program as a subprocess, its output captured to the step's log file."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from pipeline.engine.errors import StepFailed

TAIL_LINES = 20
COMMAND_PREFIX = "$ "


def python3_shim(bin_dir: Path) -> Path:
    """A folder whose `python3` runs this interpreter; goes first on PATH for the step.

    A wrapper script rather than a symlink: a symlinked venv interpreter outside the venv folder does not
    find pyvenv.cfg and would start without the project's packages.
    """
    bin_dir.mkdir(parents=True, exist_ok=True)
    shim = bin_dir / "python3"
    # Quoted for sh: a checkout path holding `$(...)`, quotes or spaces must stay one literal word.
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n')
    shim.chmod(0o755)
    return bin_dir


def step_environment(bin_dir: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment plus `extra`, with the python3 shim first on PATH."""
    env = {**os.environ, **extra}
    env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", "")])
    # Unbuffered, so stdout and stderr keep their order in the shared log and the error is the last line.
    env["PYTHONUNBUFFERED"] = "1"
    return env


def log_tail(log_path: Path, lines: int = TAIL_LINES) -> str:
    """The last `lines` lines of a log file, without the command line it starts with."""
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    output = [line for line in text.rstrip().splitlines() if not line.startswith(COMMAND_PREFIX)]
    return "\n".join(output[-lines:])


def run_logged(command: list[str], *, step: str, log_path: Path, env: Mapping[str, str], cwd: Path) -> None:
    """Run `command`; on a non-zero exit raise StepFailed with the log's last lines."""
    with log_path.open("ab") as log:
        log.write(f"{COMMAND_PREFIX}{shlex.join(command)}\n".encode())
        log.flush()
        try:
            completed = subprocess.run(
                command, stdout=log, stderr=subprocess.STDOUT, env=dict(env), cwd=cwd, check=False
            )
        except OSError as error:
            raise StepFailed(step, f"cannot start {command[0]!r}: {error}") from error
    if completed.returncode != 0:
        raise StepFailed(
            step,
            f"its command exited with code {completed.returncode}",
            log_tail=log_tail(log_path),
            log_path=log_path,
        )
