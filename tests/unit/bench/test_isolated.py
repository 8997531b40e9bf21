from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.isolated import child_environment, isolated_command


def test_child_runs_isolated_without_site_packages_and_with_its_own_bytecode_cache(tmp_path: Path) -> None:
    command = isolated_command(Path("probe.py"), ["--x"], pycache=tmp_path, write_bytecode=True)
    assert command == [sys.executable, "-I", "-S", "-X", f"pycache_prefix={tmp_path}", "probe.py", "--x"]


def test_without_bytecode_the_child_writes_none(tmp_path: Path) -> None:
    command = isolated_command(Path("probe.py"), [], pycache=tmp_path, write_bytecode=False)
    assert "-B" in command
    assert command.index("-B") < command.index("probe.py")


def test_child_environment_keeps_only_the_basics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/bin")
    monkeypatch.setenv("MODEL_VERSION", "3")
    env = child_environment({"MLPIPE_HOME": "home"})
    assert env["PATH"] == "/bin"
    assert env["MLPIPE_HOME"] == "home"
    assert "MODEL_VERSION" not in env
