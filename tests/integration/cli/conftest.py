"""Run `mlpipe` in-process against a local state folder in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from pipeline.cli.commands import app

REPO_ROOT = Path(__file__).resolve().parents[3]
TITANIC_TRAIN = REPO_ROOT / "data" / "titanic" / "train.csv"
TITANIC_CONFIG = REPO_ROOT / "examples" / "titanic" / "mlpipe.toml"


class Mlpipe:
    """`mlpipe` with MLPIPE_HOME set to one folder, and the Titanic example config unless told otherwise."""

    def __init__(self, home: Path, config: Path | None = TITANIC_CONFIG) -> None:
        self.home = home
        self.config = config
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        env = {
            "MLPIPE_HOME": str(self.home),
            "MLPIPE_BACKEND": "",
            "MODEL_PACKAGE_GROUP": "",
            "MLPIPE_CONFIG": str(self.config) if self.config else "",
        }
        return self.runner.invoke(app, list(args), env=env, catch_exceptions=False)

    def versions(self) -> list[dict[str, Any]]:
        result = self("models", "list", "--json")
        assert result.exit_code == 0, result.output
        return list(json.loads(result.stdout))


@pytest.fixture
def mlpipe(tmp_path: Path) -> Mlpipe:
    return Mlpipe(tmp_path / "mlpipe-home")
