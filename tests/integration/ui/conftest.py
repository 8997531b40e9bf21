"""A state folder with two real runs of the Titanic example (two versions), one failed run, and a UI on it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from pipeline.ui.app import create_app
from pipeline.ui.local_source import LocalSource
from runtime.settings import load_settings

REPO = Path(__file__).resolve().parents[3]


def mlpipe(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLPIPE_HOME": str(home), "MLPIPE_BACKEND": "local"}
    env.pop("MODEL_PACKAGE_GROUP", None)
    command = [sys.executable, "-c", "from pipeline.cli import main; main()", *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="package")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Version 1 (the example's settings), version 2 (shallower trees), a run that fails in Preprocess."""
    state = tmp_path_factory.mktemp("ui") / "home"
    config = ("--config", "examples/titanic/mlpipe.toml", "--train", "data/titanic/train.csv")
    for extra in ((), ("--param", "MaxDepth=2", "--param", "NumRound=40")):
        done = mlpipe(state, "run", *config, *extra)
        assert done.returncode == 0, done.stderr
    unlabelled = state.parent / "unlabelled.csv"
    lines = (REPO / "data/titanic/test.csv").read_text().splitlines()
    unlabelled.write_text("\n".join(lines[:50]) + "\n")
    failed = mlpipe(state, "run", "--config", "examples/titanic/mlpipe.toml", "--train", str(unlabelled))
    assert failed.returncode != 0
    return state


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="package")
def base_url(home: Path) -> Iterator[str]:
    """`mlpipe ui`'s application served by uvicorn in a thread, on the state folder above."""
    settings = load_settings({"MLPIPE_HOME": str(home)})
    port = free_port()
    app = create_app(LocalSource(settings), hosts=["127.0.0.1", "localhost"])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the UI server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)
