"""The floor: the Lambda runtime starting a Python handler that imports nothing and answers at once."""

from __future__ import annotations

from typing import Any


def lambda_handler(_event: Any, _context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "body": "{}"}
