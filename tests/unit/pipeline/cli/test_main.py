"""`mlpipe`'s entry point: a bug is one escaped error line and exit 1; MLPIPE_DEBUG=1 shows the traceback."""

from __future__ import annotations

import subprocess
import sys
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


def test_every_command_is_registered_by_the_module_main_imports_for_it() -> None:
    """main() imports one module per command (COMMAND_MODULES); the table must name every top-level command
    and group, and the module that really registers it, or that command would not exist at run time."""
    from typer.main import get_command

    from pipeline.cli import COMMAND_MODULES
    from pipeline.cli.commands import app

    registered = set(get_command(app).commands)  # type: ignore[attr-defined]
    assert registered == set(COMMAND_MODULES)
    for command, module in COMMAND_MODULES.items():
        code = (
            "import sys; from typer.main import get_command; from pipeline.cli import app; "
            f"import pipeline.cli.{module}; sys.exit(0 if {command!r} in get_command(app).commands else 3)"
        )
        assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0, (command, module)


def test_mlpipe_run_starts_without_boto3_numpy_or_uvicorn() -> None:
    """A cached re-run is mostly start-up (issue 17): `mlpipe run` imports only its own module."""
    code = (
        "import sys; sys.argv = ['mlpipe', 'run', '--help']; from pipeline.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({'boto3', 'botocore.session', 'numpy', 'uvicorn', 'pandas'} & set(sys.modules))\n"
        "print('HEAVY', heavy)"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in completed.stdout, completed.stdout[-500:]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "--train", "x.csv"], {"run"}),
        (["--help"], None),  # every module: the help lists every command
        (["models", "list"], {"models"}),
        (["nonsense"], None),  # Typer names the unknown command among all the real ones
    ],
)
def test_register_commands_imports_the_named_commands_module_or_all(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: set[str] | None
) -> None:
    import pipeline.cli as cli

    imported: list[str] = []
    monkeypatch.setattr(cli.importlib, "import_module", lambda name: imported.append(name.rsplit(".", 1)[1]))

    cli.register_commands(argv)

    assert set(imported) == (expected if expected is not None else set(cli.COMMAND_MODULES.values()))
