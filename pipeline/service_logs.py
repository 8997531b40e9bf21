"""How the local tools show the serving code's logs: one JSON object per line, as Lambda writes them.

The serving code (lambda_inference/) logs with the standard library, its fields in `extra`, and attaches no
handler. In AWS the Lambda runtime formats the records: the serving function's log format is JSON
(stacks/constructs/serving_function.py), so the runtime interface client writes each record as one JSON
object with the `extra` fields as keys ("Using Lambda advanced logging controls with Python",
https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html). Locally `mlpipe serve` and `mlpipe
predict` attach the handler below, which writes the same keys.
"""

from __future__ import annotations

import json
import logging
from typing import Any, TextIO

from lambda_inference.served_model import SERVICE_LOGGER

# Attributes every LogRecord has; anything else on a record came from `extra`.
_STANDARD = set(vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))) | {"message", "asctime"}


class JsonLines(logging.Formatter):
    """timestamp, level, logger, message, the record's `extra` fields, and the error when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "timestamp": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        document |= {key: value for key, value in vars(record).items() if key not in _STANDARD}
        if record.exc_info and record.exc_info[0] is not None:
            document["errorType"] = record.exc_info[0].__name__
            document["stackTrace"] = self.formatException(record.exc_info)
        return json.dumps(document, default=str)


class _ServiceHandler(logging.StreamHandler[TextIO]):
    """Marks the handler this module attached, so attaching again replaces it instead of doubling lines."""


def show_service_logs(stream: TextIO, level: int = logging.INFO) -> None:
    """Write the serving code's records at `level` and above to `stream` as JSON lines."""
    logger = logging.getLogger(SERVICE_LOGGER)
    for old in [h for h in logger.handlers if isinstance(h, _ServiceHandler)]:
        logger.removeHandler(old)
    handler = _ServiceHandler(stream)
    handler.setFormatter(JsonLines())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False  # shown once, not again by a handler on the root logger
