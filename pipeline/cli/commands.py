"""The `mlpipe` application with every command registered (tests, documentation); `mlpipe` itself
imports only the module of the command it runs (pipeline/cli/__init__.py)."""

from __future__ import annotations

# Plain `import ... as` so that mypy resolves the submodules; importing them registers their commands.
import pipeline.cli.cloud as cloud  # noqa: PLR0402
import pipeline.cli.models as models  # noqa: PLR0402
import pipeline.cli.monitor as monitor  # noqa: PLR0402
import pipeline.cli.report as report  # noqa: PLR0402
import pipeline.cli.run as run  # noqa: PLR0402
import pipeline.cli.runs as runs  # noqa: PLR0402
import pipeline.cli.serving as serving  # noqa: PLR0402
import pipeline.cli.ui as ui  # noqa: PLR0402
from pipeline.cli.app import app

__all__ = ["app", "cloud", "models", "monitor", "report", "run", "runs", "serving", "ui"]
