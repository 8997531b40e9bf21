"""Every console the CLI prints through: markup off, so user text (file names, values, columns) is literal.

A CSV column named `[/i]` or a parameter value `[bold red]x` would otherwise be parsed as Rich markup
(a MarkupError traceback, or text silently dropped). Styling is applied with `rich.text.Text` instead.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.text import Text

# The exit codes of every command, defined here only.
EXIT_SUCCEEDED = 0
EXIT_FAILED = 1  # the command ran and failed (a failed execution, a missing artifact, an AWS error)
EXIT_USAGE = 2  # the input is wrong (a bad option, parameter or name), as Click's usage errors
EXIT_INTERRUPTED = 130  # the shell's code for SIGINT
WIDE = 140


def console(*, stderr: bool = False) -> Console:
    """A console that prints strings literally (no markup, no highlighting)."""
    return Console(stderr=stderr, markup=False, highlight=False)


def wide_console() -> Console:
    """A literal console whose tables are not squeezed into 80 columns when output goes to a pipe or file."""
    out = console()
    if not out.is_terminal:
        out.width = WIDE
    return out


def print_error(message: str) -> None:
    """`error: <message>` on stderr, the message printed exactly as given."""
    console(stderr=True).print(Text("error: ", style="red") + Text(message), soft_wrap=True)


def one_line(text: str) -> str:
    """`text` with newlines and other control characters escaped (`\\n`), so it prints as one line."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def internal_error(error: Exception) -> None:
    """The one line a bug prints instead of a traceback (MLPIPE_DEBUG=1 shows the traceback)."""
    print_error(f"internal error: {type(error).__name__}: {one_line(str(error))}; please report it")
    log_path = getattr(error, "log_path", None)  # a failed step's log (pipeline/engine/errors.py)
    if log_path:
        console(stderr=True).print(f"log: {log_path}", soft_wrap=True)


def fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    """Print `message` as an error on stderr; raise the returned Exit to stop with `code`."""
    print_error(message)
    return typer.Exit(code)
