"""Adversarial inputs to the `mlpipe` CLI (issue 18 items 5, 8, 10, 11, 12): each is printed literally or
refused with a clean message, never a traceback; a full disk shows the real error; killed runs leave
nothing behind for ever."""

from __future__ import annotations

import errno
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from pipeline.cli.commands import app
from pipeline.engine.process import python3_shim
from runtime.hashing import sha256_bytes
from runtime.registry.base import Registration
from runtime.registry.sqlite import SqliteModelRegistry
from runtime.settings import REGISTRY_FILE
from runtime.store.local import LocalArtifactStore
from runtime.store.temp_files import remove_stale_temp_files
from tests.unit.lambda_inference.fakes import GROUP

REPO_ROOT = Path(__file__).resolve().parents[2]
TRAIN_CSV = REPO_ROOT / "data" / "titanic" / "train.csv"
TEST_CSV = REPO_ROOT / "data" / "titanic" / "test.csv"
TITANIC_CONFIG = REPO_ROOT / "examples" / "titanic" / "mlpipe.toml"  # the model's name and target
MARKUP = ["[/x]", "[/i]", "[bold red]x"]
INSTANCE = ["--instance", "Age=30", "--instance", "Sex=male", "--instance", "Pclass=1"]


def register_model(home: Path, archive: bytes, parameters: dict[str, str] | None = None) -> None:
    """An Approved version 1 in the local store and registry under `home`, as `mlpipe run` leaves it."""
    uri = "s3://mlpipe-local/models/1/model.tar.gz"
    LocalArtifactStore(home).put_bytes(archive, uri)
    SqliteModelRegistry(home / REGISTRY_FILE, GROUP).register_version(
        Registration(
            artifact_uri=uri,
            sha256=sha256_bytes(archive),
            metrics={"accuracy": 0.8},
            parameters=parameters or {},
            input_schema={},
            output_schema={},
            status="Approved",
        )
    )


def environment(home: Path) -> dict[str, str]:
    return {
        "MLPIPE_HOME": str(home),
        "MLPIPE_BACKEND": "local",
        "MODEL_PACKAGE_GROUP": GROUP,
        "MODEL_VERSION": "",
    }


def mlpipe(home: Path, *args: str) -> Result:
    """`mlpipe` in process; an uncaught exception (what a user sees as a traceback) fails the test."""
    return CliRunner().invoke(app, list(args), env=environment(home), catch_exceptions=False)


@pytest.fixture
def home(tmp_path: Path, model_archives: tuple[bytes, ...]) -> Path:
    register_model(tmp_path / "home", model_archives[0], parameters={"Objective": "[bold red]x"})
    return tmp_path / "home"


# Item 8: user text is never read as Rich markup.


@pytest.mark.parametrize("text", MARKUP)
def test_a_parameter_value_is_printed_literally(home: Path, text: str):
    result = mlpipe(home, "run", "--train", str(TRAIN_CSV), "--param", f"MaxDepth={text}")

    assert result.exit_code == 2 and f"got '{text}'" in result.stderr, result.output


@pytest.mark.parametrize("text", MARKUP)
def test_a_file_name_is_printed_literally(home: Path, tmp_path: Path, text: str):
    result = mlpipe(home, "run", "--train", str(tmp_path / f"{text}.csv"))

    assert result.exit_code == 2 and f"{text}.csv" in result.stderr, result.output


@pytest.mark.parametrize("text", MARKUP)
def test_an_instance_value_is_printed_literally(home: Path, text: str):
    # Every required feature present (class and sex), so the bad Age value is what gets refused.
    result = mlpipe(
        home, "predict", "--instance", f"Age={text}", "--instance", "Sex=male", "--instance", "Pclass=1"
    )

    assert result.exit_code == 2 and text in result.stderr, result.output


def test_a_column_name_and_a_cell_are_printed_literally(home: Path, tmp_path: Path):
    columns = tmp_path / "columns.csv"
    columns.write_text("[/i],Age,Pclass,Sex\n1,30,1,male\n")
    cells = tmp_path / "cells.csv"
    cells.write_text("PassengerId,Age,Pclass,Sex\n1,[/i],1,male\n")
    output = str(tmp_path / "out.csv")

    by_column = mlpipe(home, "predict", "--input", str(columns), "--output", output)
    by_cell = mlpipe(home, "predict", "--input", str(cells), "--output", output)

    assert by_column.exit_code == 2 and "[/i]" in by_column.stderr, by_column.output
    assert by_cell.exit_code == 2 and "[/i]" in by_cell.stderr, by_cell.output


def test_an_output_file_name_and_a_stored_parameter_are_printed_literally(home: Path, tmp_path: Path):
    output = tmp_path / "[bold red]x.csv"

    predicted = mlpipe(home, "predict", "--input", str(TEST_CSV), "--output", str(output))
    shown = mlpipe(home, "models", "show", "1")

    assert predicted.exit_code == 0 and "[bold red]x.csv" in predicted.stdout, predicted.output
    assert shown.exit_code == 0 and "[bold red]x" in shown.stdout, shown.output


# Item 10: quoting.


def test_the_python3_shim_quotes_the_interpreter_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A `$(...)` in the checkout path must not run: the shim is an `sh` script."""
    hostile = tmp_path / "a $(touch pwned) \"q\" 'x'"
    hostile.mkdir()
    (hostile / "python").symlink_to(sys.executable)
    monkeypatch.setattr(sys, "executable", str(hostile / "python"))

    shim = python3_shim(tmp_path / "bin") / "python3"
    completed = subprocess.run(
        [str(shim), "-c", "print('ran')"], cwd=tmp_path, capture_output=True, text=True, check=False
    )

    assert (completed.returncode, completed.stdout) == (0, "ran\n"), completed.stderr
    assert not (tmp_path / "pwned").exists()


# Items 10 and 12 share one real pipeline run (a few seconds of CPU).


def _dead_pid() -> int:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    return int(finished.stdout)


@pytest.fixture(scope="module")
def option_like_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, dict[str, Path]]:
    """`mlpipe run --train ./-x.csv` on a state folder holding partial files of killed and live writers."""
    work = tmp_path_factory.mktemp("option-like")
    home = work / "home"
    data = home / "s3" / "mlpipe-local" / "data"
    data.mkdir(parents=True)
    planted = {
        "dead writer": data / f".train.csv.{_dead_pid()}.k3j9x0aa.mlpipe-tmp",
        "live writer": data / f".train.csv.{os.getpid()}.p0q1r2s3.mlpipe-tmp",
        "old, no pid": data / ".model.tar.gz.zz9y8x7w.mlpipe-tmp",
        "new, no pid": data / ".model.tar.gz.aa1b2c3d.mlpipe-tmp",
    }
    for path in planted.values():
        path.write_bytes(b"partial")
    two_hours_ago = planted["old, no pid"].stat().st_mtime - 7200
    os.utime(planted["old, no pid"], (two_hours_ago, two_hours_ago))
    train = work / "-x.csv"
    train.write_bytes(TRAIN_CSV.read_bytes())
    result = CliRunner().invoke(
        app,
        ["run", "--config", str(TITANIC_CONFIG), "--train", str(train)],
        env={**environment(home), "MODEL_PACKAGE_GROUP": ""},
    )
    return result, planted


def test_a_training_file_named_like_an_option_trains(option_like_run: tuple[Result, dict[str, Path]]):
    result, _ = option_like_run

    assert result.exit_code == 0, result.output
    assert "registered version 1" in result.stdout


def test_a_run_removes_partial_files_of_dead_writers_only(option_like_run: tuple[Result, dict[str, Path]]):
    _, planted = option_like_run

    assert {name: path.exists() for name, path in planted.items()} == {
        "dead writer": False,
        "live writer": True,
        "old, no pid": False,
        "new, no pid": True,
    }


def test_atomic_writes_name_their_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A write interrupted mid-way (here: by an exception that escapes the cleanup, like kill -9) leaves a
    temp file that carries the pid, so the next run can tell it is dead."""
    store = LocalArtifactStore(tmp_path)
    monkeypatch.setattr(Path, "unlink", lambda *_args, **_kwargs: None)  # simulate the kill: no cleanup
    monkeypatch.setattr(os, "replace", _raise(OSError(errno.EIO, "killed")))
    with pytest.raises(Exception):  # noqa: B017 - any failure: only the leftover matters
        store.put_bytes(b"x", "s3://mlpipe-local/data/file.csv")
    monkeypatch.undo()
    (leftover,) = (tmp_path / "s3" / "mlpipe-local" / "data").iterdir()

    assert f".{os.getpid()}." in leftover.name
    assert remove_stale_temp_files(tmp_path) == []  # this process is alive: kept


def _raise(error: BaseException) -> Callable[..., None]:
    def raising(*_args: object, **_kwargs: object) -> None:
        raise error

    return raising


# Item 11: disk full.


def test_a_failing_step_is_reported_even_when_the_summary_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """ENOSPC on run.json (the bookkeeping written last) used to replace the step's own error."""
    original = Path.write_text

    def full_disk_for_summary(path: Path, *args: object, **kwargs: object) -> int:
        if path.name.startswith("run.json"):  # run.json, or the partial file it is renamed from
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return original(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", full_disk_for_summary)
    unlabelled = tmp_path / "unlabelled.csv"
    unlabelled.write_text(TEST_CSV.read_text())

    result = mlpipe(tmp_path / "home", "run", "--train", str(unlabelled), "--target", "Survived")

    assert result.exit_code == 1, result.output
    assert "step Preprocess" in result.stderr and "Survived" in result.stderr, result.stderr


def _fill(folder: Path) -> None:
    with (folder / "filler").open("wb") as filler:
        try:
            while True:
                filler.write(b"\0" * (1 << 20))
                filler.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC


def _no_file_growth() -> None:
    """In the child: any write that grows a file fails with EFBIG, as on a disk with no free blocks."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


@pytest.fixture
def full_disk(
    tmp_path: Path, model_archives: tuple[bytes, ...]
) -> Iterator[tuple[Path, Callable[[], None] | None]]:
    """A state folder with an approved model on a full disk: a real 16 MB tmpfs filled up when this
    process may mount one (root), otherwise the CLI runs with RLIMIT_FSIZE 0 (no file can grow)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True, check=False
        ).returncode
        == 0
    )
    register_model(disk / "home", model_archives[0])
    if mounted:
        _fill(disk)
    try:
        yield disk / "home", None if mounted else _no_file_growth
    finally:
        if mounted:
            subprocess.run(["umount", str(disk)], check=True)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def test_read_commands_work_and_write_nothing_on_a_full_disk(
    full_disk: tuple[Path, Callable[[], None] | None],
):
    home, limit = full_disk
    before = _snapshot(home)
    commands = [["models", "list", "--json"], ["models", "show", "1"], ["predict", *INSTANCE]]

    results = [
        subprocess.run(
            [sys.executable, "-c", "from pipeline.cli import main; main()", *command],
            env={**os.environ, **environment(home)},
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            preexec_fn=limit,
            check=False,
        )
        for command in commands
    ]

    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr[-400:] for r in results]
    assert _snapshot(home) == before


def test_a_run_on_a_full_disk_fails_with_the_real_error(full_disk: tuple[Path, Callable[[], None] | None]):
    home, limit = full_disk

    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pipeline.cli import main; main()",
            "run",
            "--config",
            str(TITANIC_CONFIG),
            "--train",
            str(TRAIN_CSV),
        ],
        env={**os.environ, **environment(home), "MODEL_PACKAGE_GROUP": ""},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        preexec_fn=limit,
        check=False,
    )

    assert completed.returncode == 1, completed.stderr
    assert "Traceback" not in completed.stderr
    assert "No space left on device" in completed.stderr or "File too large" in completed.stderr


# Item 5: memory bounded by the chunk, not the file.


def _peak_rss_kb(home: Path, source: Path, output: Path) -> int:
    """Peak RSS of one `mlpipe predict --input` process (ru_maxrss of the only child of a fresh shell)."""
    program = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    command = [sys.executable, "-c", "from pipeline.cli import main; main()", "predict"]
    completed = subprocess.run(
        [sys.executable, "-c", program, *command, "--input", str(source), "--output", str(output)],
        env={**os.environ, **environment(home)},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(completed.stdout)


def test_predict_memory_does_not_grow_with_the_file(home: Path, tmp_path: Path):
    """A 100 MB CSV read whole peaked at 2.2 GB (21x); streamed, a 12 MB file costs what test.csv does."""
    lines = TEST_CSV.read_text().splitlines(keepends=True)
    big = tmp_path / "big.csv"
    with big.open("w") as handle:
        handle.write(lines[0])
        for _ in range(12 * 1024 * 1024 // len("".join(lines[1:]))):
            handle.writelines(lines[1:])

    small_kb = _peak_rss_kb(home, TEST_CSV, tmp_path / "small-out.csv")
    big_kb = _peak_rss_kb(home, big, tmp_path / "big-out.csv")

    assert big_kb - small_kb < 40 * 1024, (small_kb, big_kb)
