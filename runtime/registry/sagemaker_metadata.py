"""How a model version's fields are written into SageMaker's CustomerMetadataProperties and metrics JSON.

CustomerMetadataProperties values are limited to 256 characters of `[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`, so JSON
cannot go in as is. A field whose text fits is stored under its own name (`sha256`, `artifact_uri`);
any other text (the JSON of `parameters`, `input_schema`, `output_schema`) is base64-encoded (its
alphabet fits) and split into 256-character chunks `<name>.b64.0`, `<name>.b64.1`, ... in order.
SageMaker allows 50 entries per model package, about 9 KB of JSON in all.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

from runtime.registry.base import RegistryError

VALUE_LIMIT = 256
ENTRY_LIMIT = 50
_ALLOWED_VALUE = re.compile(r"[\w .:/=+\-@]+")  # Python's \w stands for \p{L}, \p{N} and _
_METRICS_KEY = "binary_classification_metrics"


def encode_properties(text_fields: Mapping[str, str], json_fields: Mapping[str, Any]) -> dict[str, str]:
    """CustomerMetadataProperties holding the given text and JSON fields."""
    properties: dict[str, str] = {}
    for name, text in text_fields.items():
        properties.update(_encode_text(name, text))
    for name, document in json_fields.items():
        properties.update(_encode_text(name, json.dumps(document, separators=(",", ":"))))
    if len(properties) > ENTRY_LIMIT:
        raise RegistryError(
            f"model metadata needs {len(properties)} CustomerMetadataProperties entries, SageMaker allows "
            f"{ENTRY_LIMIT}; shorten the schema or parameters (fewer feature columns or shorter names)"
        )
    return properties


def decode_text(properties: Mapping[str, str], name: str) -> str:
    """The text of field `name`; empty when the model package does not carry it."""
    if name in properties:
        return properties[name]
    chunks: list[str] = []
    while f"{name}.b64.{len(chunks)}" in properties:
        chunks.append(properties[f"{name}.b64.{len(chunks)}"])
    return base64.b64decode("".join(chunks)).decode() if chunks else ""


def decode_json(properties: Mapping[str, str], name: str) -> Any:
    """The JSON document of field `name`; an empty dict when absent."""
    text = decode_text(properties, name)
    try:
        return json.loads(text) if text else {}
    except json.JSONDecodeError as error:
        message = f"CustomerMetadataProperties field {name!r} is not valid JSON: {error}"
        raise RegistryError(message) from error


def metrics_document(metrics: Mapping[str, float]) -> bytes:
    """SageMaker's model-quality statistics JSON for these metrics."""
    entries = {name: {"value": float(value), "standard_deviation": "NaN"} for name, value in metrics.items()}
    return json.dumps({_METRICS_KEY: entries}, sort_keys=True).encode()


def read_metrics(document: bytes, uri: str) -> dict[str, float]:
    """`metrics[X] = binary_classification_metrics.X.value` for every numeric value in the document."""
    try:
        entries = json.loads(document).get(_METRICS_KEY, {})
    except (json.JSONDecodeError, AttributeError) as error:
        raise RegistryError(f"model-quality metrics at {uri} are not a JSON object: {error}") from error
    metrics = {}
    for name, entry in entries.items():
        value = entry.get("value") if isinstance(entry, dict) else None
        # Skips the confusion matrix and other non-scalar entries.
        if isinstance(value, int | float) and not isinstance(value, bool):
            metrics[name] = float(value)
    return metrics


def _encode_text(name: str, text: str) -> dict[str, str]:
    if not text:
        return {}  # SageMaker rejects empty values; decode_text reads a missing field as "".
    if len(text) <= VALUE_LIMIT and _ALLOWED_VALUE.fullmatch(text):
        return {name: text}
    encoded = base64.b64encode(text.encode()).decode()
    starts = range(0, len(encoded), VALUE_LIMIT)
    return {f"{name}.b64.{index}": encoded[start : start + VALUE_LIMIT] for index, start in enumerate(starts)}
