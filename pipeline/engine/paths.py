"""Property paths as the definition writes them: `Outputs['train'].S3Output.S3Uri`, `a.b[0].c`."""

from __future__ import annotations

import re
from typing import Any

from pipeline.engine.errors import EngineError

# `Steps.<name>` then, optionally, a property path: what `{"Get": ...}` uses to read another step.
STEP_REFERENCE = re.compile(r"^Steps\.([^.\[]+)(?:\.(.*))?$")
_TOKEN = re.compile(r"""\.?(?:\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]|([^.\[\]'"]+))""")


def parse_path(path: str) -> list[str | int]:
    """Split a property path into keys (str) and list indexes (int)."""
    tokens: list[str | int] = []
    position = 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if match is None or match.end() == position:
            raise EngineError(f"cannot parse property path {path!r} at character {position}")
        index, single, double, bare = match.groups()
        tokens.append(int(index) if index is not None else (single if single is not None else double or bare))
        position = match.end()
    return tokens


def _find_named(items: list[Any], key: str) -> Any:
    """A list element whose `...Name` field (OutputName, ChannelName, InputName) equals `key`."""
    for item in items:
        if isinstance(item, dict) and any(k.endswith("Name") and v == key for k, v in item.items()):
            return item
    raise KeyError(key)


def lookup(document: Any, path: str, *, where: str) -> Any:
    """The value at `path` in `document`; `where` names the document in the error."""
    current = document
    for token in parse_path(path):
        try:
            if isinstance(current, list):
                current = current[token] if isinstance(token, int) else _find_named(current, token)
            elif isinstance(current, dict):
                current = current[token]
            else:
                raise KeyError(token)
        except (KeyError, IndexError):
            raise EngineError(f"{where} has no value at {path!r} (missing {token!r})") from None
    return current
