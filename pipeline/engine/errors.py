"""Errors of the local engine; each message names the step or expression and, where possible, the fix."""

from __future__ import annotations

from pathlib import Path


class EngineError(Exception):
    """The definition cannot be executed as written (unsupported step, bad reference)."""


class StepFailed(EngineError):
    """A step's job failed; carries the last lines of its log so the cause is visible without opening it."""

    def __init__(self, step: str, reason: str, *, log_tail: str = "", log_path: Path | None = None) -> None:
        message = f"step {step} failed: {reason}"
        if log_tail:
            message += f"\n--- last lines of {log_path or 'the log'} ---\n{log_tail}"
        super().__init__(message)
        self.step = step
        self.reason = reason
        self.log_tail = log_tail
        self.log_path = log_path


class PipelineFailed(Exception):
    """A Fail step ran: the pipeline stopped on purpose, with the definition's (resolved) message."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step
        self.message = message
