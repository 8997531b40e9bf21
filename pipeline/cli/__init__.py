"""`mlpipe` command line. `main()` imports only the module of the command it runs: importing every command
module pulls in boto3, numpy and uvicorn, 0.35 s of every start (issue 17: a cached re-run is mostly
start-up). `pipeline.cli.commands.app` is the application with every command registered."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

from pipeline.cli.app import app
from pipeline.cli.output import EXIT_FAILED, internal_error
from runtime.names import DEBUG_ENV

# Top-level command (or command group) -> the module under pipeline.cli that registers it.
# tests/unit/pipeline/cli/test_main.py checks this against what the modules really register.
COMMAND_MODULES = {
    "data": "cloud",
    "doctor": "cloud",
    "models": "models",
    "monitor": "monitor",
    "predict": "serving",
    "report": "report",
    "run": "run",
    "runs": "runs",
    "serve": "serving",
    "status": "cloud",
    "ui": "ui",
}


def register_commands(argv: Sequence[str]) -> None:
    """Import the module of the command `argv` names; all of them when it names none (`--help`) or one
    this table does not know (Typer then lists the commands, or says which one does not exist)."""
    command = next((word for word in argv if not word.startswith("-")), None)
    modules = {COMMAND_MODULES[command]} if command in COMMAND_MODULES else set(COMMAND_MODULES.values())
    for module in sorted(modules):
        importlib.import_module(f"pipeline.cli.{module}")


def main() -> None:
    """Console-script entry point: an unexpected exception is one `error: internal error: ...` line and
    exit 1, not a traceback, unless MLPIPE_DEBUG=1 (then the traceback, to report the bug with)."""
    try:
        register_commands(sys.argv[1:])
        app()
    except Exception as error:
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        internal_error(error)
        sys.exit(EXIT_FAILED)
