"""Faults injected into boto3 clients through botocore's `before-send` event, ahead of moto's answer.

A hook registered first on `before-send.<service>` sees every HTTP attempt (retries included): it
either returns a canned error response, raises a read timeout, or lets moto answer.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError

# kind -> (HTTP status, SageMaker JSON error type, S3 XML error code); None: a read timeout.
FAULT_KINDS: dict[str, tuple[int, str, str] | None] = {
    "throttling": (400, "ThrottlingException", "SlowDown"),
    "server_error": (500, "InternalFailure", "InternalError"),
    "read_timeout": None,
    "access_denied": (403, "AccessDeniedException", "AccessDenied"),
}
RETRIED_KINDS = ("throttling", "server_error", "read_timeout")


class _Raw:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def error_response(kind: str, service: str, url: str) -> AWSResponse:
    fault = FAULT_KINDS[kind]
    assert fault is not None
    status, json_type, xml_code = fault
    if service == "s3":
        if xml_code == "SlowDown":
            status = 503  # S3 throttles with a 503 SlowDown
        body = f"<Error><Code>{xml_code}</Code><Message>injected {kind}</Message></Error>".encode()
        headers = {"Content-Type": "application/xml"}
    else:
        body = json.dumps({"__type": json_type, "message": f"injected {kind}"}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.1"}
    return AWSResponse(url, status, headers, _Raw(body))


@dataclass
class FaultPlan:
    kind: str
    first_attempt_only: bool  # True: transient (a retry succeeds); False: every attempt fails
    url_contains: str = ""  # only requests whose URL holds this text


class FaultInjector:
    """Counts attempts and injected faults per service; `plan` is None when nothing is injected."""

    def __init__(self) -> None:
        self.plan: FaultPlan | None = None
        self.injected: Counter[str] = Counter()
        self.attempts: Counter[str] = Counter()

    def attach(self, client: Any) -> None:
        """Run before moto's own before-send handler on every attempt of this client's calls."""
        client.meta.events.register_first(
            f"before-send.{client.meta.service_model.service_id.hyphenize()}", self
        )

    def __call__(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        service = event_name.split(".")[1]  # before-send.<service>.<Operation>
        self.attempts[service] += 1
        plan = self.plan
        if plan is None or plan.url_contains not in request.url:
            return None
        if plan.first_attempt_only and request.context.get("retries", {}).get("attempt", 1) > 1:
            return None
        self.injected[f"{service} {plan.kind}"] += 1
        if FAULT_KINDS[plan.kind] is None:
            raise ReadTimeoutError(endpoint_url=request.url)
        return error_response(plan.kind, service, request.url)
