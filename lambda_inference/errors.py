"""Errors the handler turns into HTTP answers: 4xx for requests the caller can fix, 503 for no model."""

from __future__ import annotations


class RequestError(Exception):
    """A request the caller can fix; answered with `status` and `{"error": {"code", "message"}}`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class ModelUnavailable(Exception):
    """No model can be served (none approved, pinned version missing, or none passed its checks): a 503."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ArtifactIntegrityError(Exception):
    """A model artifact's SHA-256 differs from the digest the registry recorded for it."""
