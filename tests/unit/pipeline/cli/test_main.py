"""`mlpipe`'s entry point: a bug is one escaped error line and exit 1; MLPIPE_DEBUG=1 shows the traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

import pipeline.cli.cloud
from pipeline.cli import main
from pipeline.engine.errors import StepFailed


def run_main(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, error: Exception) -> int:
    """`mlpipe status` (local backend) with the function it calls raising `error`; returns the exit code."""

    def broken(*_args: object) -> None:
        raise error

    monkeypatch.setattr(pipeline.cli.cloud, "local_status", broken)
    monkeypatch.setattr("sys.argv", ["mlpipe", "status"])
    monkeypatch.setenv("MLPIPE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("MLPIPE_BACKEND", raising=False)
    with pytest.raises(SystemExit) as exited:
        main()
    return int(exited.value.code or 0)


def test_an_unexpected_exception_is_one_escaped_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MLPIPE_DEBUG", raising=False)

    code = run_main(monkeypatch, tmp_path, KeyError("stacks\nforged: line\x1b[31m"))

    err = capsys.readouterr().err
    assert code == 1
    assert err == "error: internal error: KeyError: 'stacks\\nforged: line\\x1b[31m'; please report it\n"
    assert "Traceback" not in err


def test_a_failed_steps_log_is_named_under_the_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MLPIPE_DEBUG", raising=False)
    log = tmp_path / "Train.log"

    code = run_main(monkeypatch, tmp_path, StepFailed("Train", "exit 137", log_tail="oom", log_path=log))

    lines = capsys.readouterr().err.splitlines()
    assert code == 1
    assert lines[0].startswith("error: internal error: StepFailed: step Train failed: exit 137\\n---")
    assert lines[1:] == [f"log: {log}"]


def test_mlpipe_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MLPIPE_DEBUG", "1")

    with pytest.raises(KeyError, match="stacks"):
        run_main(monkeypatch, tmp_path, KeyError("stacks"))
