"""Per-step progress lines (Rich): running, then succeeded/failed/skipped with the duration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rich.console import Console
from rich.markup import escape
from rich.status import Status


@dataclass(frozen=True, kw_only=True)
class StepRecord:
    """How one step of an execution ended."""

    name: str
    type: str
    status: str  # succeeded | failed | skipped
    seconds: float
    cached_from: str = ""  # the execution whose outputs a cache hit reused ("" when the step ran)


class Progress(Protocol):
    def started(self, name: str, step_type: str) -> None: ...
    def finished(self, record: StepRecord) -> None: ...


class SilentProgress:
    """No output (tests, pipes, --quiet)."""

    # The Progress protocol's signatures, with nothing to report.
    def started(self, name: str, step_type: str) -> None:  # noqa: ARG002
        return None

    def finished(self, record: StepRecord) -> None:  # noqa: ARG002
        return None


_STYLES = {"succeeded": ("green", "✓"), "failed": ("red", "✗"), "skipped": ("dim", "-")}


class RichProgress:
    """A spinner while a step runs and a line when it ends; says nothing when not on a terminal."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self._status: Status | None = None

    def started(self, name: str, step_type: str) -> None:
        if self.console.is_terminal:
            self._status = self.console.status(f"{name} ({step_type}) running")
            self._status.start()

    def finished(self, record: StepRecord) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        if not self.console.is_terminal:
            return
        colour, mark = _STYLES.get(record.status, ("", "?"))
        duration = "" if record.status == "skipped" else f" {record.seconds:6.1f}s"
        # The execution id is ours (never markup); the step name comes from the definition.
        reused = f" cached: outputs of run {record.cached_from}" if record.cached_from else ""
        self.console.print(
            f"[{colour}]{mark} {escape(record.name):<20} {record.status:<9}[/]{duration}{reused}",
            highlight=False,
        )
