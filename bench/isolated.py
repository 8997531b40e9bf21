"""Run a benchmark script in a fresh, isolated interpreter that sees only the folders it is given.

`python -I -S`: no user site, no PYTHON* variables, no site-packages of this virtualenv; the child
script puts its bundle folder first on sys.path itself, as the Lambda runtime does with the task root.
Bytecode is kept under `pycache` (`-X pycache_prefix`), so the bundles themselves are never written to;
`write_bytecode=False` adds `-B` to measure a start with nothing compiled (a read-only task root
whose .pyc files were stripped).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

CHILD_TIMEOUT_SECONDS = 600


class BenchError(RuntimeError):
    """A benchmark step failed; the message carries the child's error output."""


def interpreter_flags(*, pycache: Path, write_bytecode: bool) -> list[str]:
    """This interpreter, isolated, with its bytecode cache under `pycache`."""
    command = [sys.executable, "-I", "-S", "-X", f"pycache_prefix={pycache}"]
    return command if write_bytecode else [*command, "-B"]


def isolated_command(script: Path, args: Sequence[str], *, pycache: Path, write_bytecode: bool) -> list[str]:
    return [*interpreter_flags(pycache=pycache, write_bytecode=write_bytecode), str(script), *args]


def child_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """A small environment: what a Lambda container would have, plus the benchmark's own variables."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    return {**keep, **extra}


def run_isolated(
    script: Path,
    args: Sequence[str],
    *,
    pycache: Path,
    write_bytecode: bool = True,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run `script --result FILE ARGS...` isolated and return the JSON object it wrote to FILE."""
    with tempfile.TemporaryDirectory(prefix="bench-child-") as tmp:
        result_path = Path(tmp) / "result.json"
        command = isolated_command(
            script, ["--result", str(result_path), *args], pycache=pycache, write_bytecode=write_bytecode
        )
        completed = subprocess.run(
            command,
            env=child_environment(env or {}),
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_SECONDS,
            check=False,
        )
        if completed.returncode != 0 or not result_path.is_file():
            raise BenchError(
                f"{script.name} failed (exit {completed.returncode}): {completed.stderr.strip()[-3000:]}"
            )
        result: dict[str, Any] = json.loads(result_path.read_text())
        return result
