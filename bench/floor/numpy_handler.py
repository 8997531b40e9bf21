"""The floor of a NumPy scorer: the bare handler plus `import numpy` (from the serving bundle)."""

from __future__ import annotations

from typing import Any

import numpy  # noqa: F401 - its import is what this handler measures


def lambda_handler(_event: Any, _context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "body": "{}"}
