"""`mlpipe` command line: importing the command modules registers their commands on the app."""

from __future__ import annotations

from pipeline.cli import cloud, models, run, serving
from pipeline.cli.app import app

__all__ = ["app", "cloud", "main", "models", "run", "serving"]


def main() -> None:
    """Console-script entry point."""
    app()
