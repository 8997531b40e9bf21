"""Turn a Lambda event (HTTP API payload v2.0 or direct invocation) into the list of instances to score.

Pure functions: no I/O, no model. Every rejection is a `RequestError` naming the field and the fix.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lambda_inference.errors import RequestError
from runtime.features.contract import ALLOW_UNKNOWN_FIELDS

# Lambda refuses synchronous payloads over 6 MB; checking here gives a clear 413 locally too.
MAX_BODY_BYTES = 6 * 1024 * 1024
# One request scores at most this many instances: it bounds the latency and memory of one call.
MAX_INSTANCES = 1000

Instances = list[dict[str, Any]]


def is_http_event(event: object) -> bool:
    """True for an API Gateway event (it carries a `body` or a `requestContext`), False for direct calls."""
    return (
        isinstance(event, dict)
        and "instances" not in event
        and ("body" in event or "requestContext" in event)
    )


@dataclass(frozen=True)
class PredictionRequest:
    """The instances to score and the caller's opt-out of the unknown-field check."""

    instances: Instances
    allow_unknown_fields: bool = False


def parse_request(event: object) -> PredictionRequest:
    """The validated request of an HTTP API v2.0 event or of a direct `{"instances": [...]}` event."""
    if not isinstance(event, dict):
        raise RequestError(400, "invalid_event", f"the event must be a JSON object, got {_kind(event)}")
    payload = _decode_body(event) if is_http_event(event) else event
    instances = _instances(payload)
    allow = payload.get(ALLOW_UNKNOWN_FIELDS, False) if isinstance(payload, dict) else False
    if not isinstance(allow, bool):
        raise RequestError(
            400, "invalid_type", f"field '{ALLOW_UNKNOWN_FIELDS}' must be true or false, got {_kind(allow)}"
        )
    return PredictionRequest(instances, allow)


def parse_event(event: object) -> Instances:
    """The validated `instances` of an HTTP API v2.0 event or of a direct `{"instances": [...]}` event."""
    return parse_request(event).instances


def _decode_body(event: Mapping[str, Any]) -> object:
    body = event.get("body")
    if body is None or body == "":
        raise RequestError(400, "missing_body", 'the request body is empty; send {"instances": [{...}]}')
    if not isinstance(body, str):
        raise RequestError(400, "invalid_body", f"the event's 'body' must be a string, got {_kind(body)}")
    raw: str | bytes = body
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as error:
            raise RequestError(
                400,
                "invalid_base64",
                f"the body is flagged isBase64Encoded but is not valid base64 ({error})",
            ) from error
    if _size_exceeds(raw, MAX_BODY_BYTES):
        raise RequestError(
            413,
            "payload_too_large",
            f"the request body is over {MAX_BODY_BYTES} bytes "
            "(6 MB); split the instances into several requests",
        )
    try:
        return json.loads(raw)
    except ValueError as error:
        raise RequestError(400, "invalid_json", f"the request body is not valid JSON: {error}") from error
    except RecursionError as error:  # e.g. '[' * 100_000: nested deeper than the parser's stack
        raise RequestError(400, "invalid_json", "the request body nests JSON too deeply") from error


def _size_exceeds(raw: str | bytes, limit: int) -> bool:
    if isinstance(raw, bytes):
        return len(raw) > limit
    # A UTF-8 character takes at most 4 bytes: only long texts need the exact (encoding) count.
    return len(raw) > limit or (len(raw) * 4 > limit and len(raw.encode("utf-8")) > limit)


def _instances(payload: object) -> Instances:
    if not isinstance(payload, dict):
        raise RequestError(
            400,
            "invalid_body",
            f'the request must be a JSON object like {{"instances": [{{...}}]}}, got {_kind(payload)}',
        )
    if "instances" not in payload:
        raise RequestError(
            400,
            "missing_field",
            'field \'instances\' is missing; send {"instances": [{"Age": 22, "Sex": "male", ...}]}',
        )
    instances = payload["instances"]
    if not isinstance(instances, list):
        raise RequestError(
            400, "invalid_type", f"field 'instances' must be a list of objects, got {_kind(instances)}"
        )
    if not instances:
        raise RequestError(400, "empty_instances", "field 'instances' is empty; send at least one object")
    if len(instances) > MAX_INSTANCES:
        raise RequestError(
            413,
            "too_many_instances",
            f"field 'instances' holds {len(instances)} items; "
            f"the limit is {MAX_INSTANCES} per request, split them",
        )
    for index, instance in enumerate(instances):
        if not isinstance(instance, dict):
            raise RequestError(
                400,
                "invalid_type",
                f"field 'instances[{index}]' must be an object of feature values, got {_kind(instance)}",
            )
    return instances


def _kind(value: object) -> str:
    """The JSON name of a value's type, for error messages."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
