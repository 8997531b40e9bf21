"""Every console the CLI prints through: markup off, so user text (file names, values, columns) is literal.

A CSV column named `[/i]` or a parameter value `[bold red]x` would otherwise be parsed as Rich markup
(a MarkupError traceback, or text silently dropped). Styling is applied with `rich.text.Text` instead.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.text import Text

EXIT_FAILED = 1
EXIT_USAGE = 2
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


def fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    """Print `message` as an error on stderr; raise the returned Exit to stop with `code`."""
    print_error(message)
    return typer.Exit(code)
