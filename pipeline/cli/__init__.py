"""`mlpipe` command line: importing the command modules registers their commands on the app."""

from __future__ import annotations

# Plain `import ... as` (not `from pipeline.cli import ...`) so that mypy resolves the submodules
# despite the package importing its own children.
import pipeline.cli.cloud as cloud  # noqa: PLR0402
import pipeline.cli.models as models  # noqa: PLR0402
import pipeline.cli.run as run  # noqa: PLR0402
import pipeline.cli.serving as serving  # noqa: PLR0402
from pipeline.cli.app import app

__all__ = ["app", "cloud", "main", "models", "run", "serving"]


def main() -> None:
    """Console-script entry point."""
    app()
