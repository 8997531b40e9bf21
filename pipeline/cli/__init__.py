"""`mlpipe` command line: importing the command modules registers their commands on the app."""

from __future__ import annotations

import os
import sys

# Plain `import ... as` (not `from pipeline.cli import ...`) so that mypy resolves the submodules
# despite the package importing its own children.
import pipeline.cli.cloud as cloud  # noqa: PLR0402
import pipeline.cli.models as models  # noqa: PLR0402
import pipeline.cli.monitor as monitor  # noqa: PLR0402
import pipeline.cli.report as report  # noqa: PLR0402
import pipeline.cli.run as run  # noqa: PLR0402
import pipeline.cli.runs as runs  # noqa: PLR0402
import pipeline.cli.serving as serving  # noqa: PLR0402
import pipeline.cli.ui as ui  # noqa: PLR0402
from pipeline.cli.app import app
from pipeline.cli.output import EXIT_FAILED, internal_error
from runtime.names import DEBUG_ENV

__all__ = ["app", "cloud", "main", "models", "monitor", "report", "run", "runs", "serving", "ui"]


def main() -> None:
    """Console-script entry point: an unexpected exception is one `error: internal error: ...` line and
    exit 1, not a traceback, unless MLPIPE_DEBUG=1 (then the traceback, to report the bug with)."""
    try:
        app()
    except Exception as error:
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        internal_error(error)
        sys.exit(EXIT_FAILED)
