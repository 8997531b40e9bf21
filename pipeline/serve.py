"""A local, Lambda-compatible HTTP server: the same handler as in AWS, as a minimal ASGI app on uvicorn.

Routes: `POST /predict` (turned into an API Gateway HTTP API v2.0 event), `POST
/2015-03-31/functions/function/invocations` (the Lambda Runtime Interface Emulator path: the body is
the event, the answer is the handler's return value) and `GET /healthz`. The HTTP parsing, keep-alive,
timeouts, connection cap and worker processes are uvicorn's (pipeline/http_server.py); this module only
maps a request to the handler. No per-request logging: the hot path is read body -> handler -> write.
"""

from __future__ import annotations

import atexit
import json
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from lambda_inference.errors import ModelUnavailable
from lambda_inference.handler import ServesModels, handle_event
from lambda_inference.request import MAX_BODY_BYTES
from pipeline.http_server import MAX_CONNECTIONS, TIMEOUT_SECONDS, ThreadedServer
from pipeline.service_logs import show_service_logs
from runtime.monitoring.capture import CapturesPredictions
from runtime.monitoring.capture_env import capture_from_environment

PREDICT_PATH = "/predict"
INVOKE_PATH = "/2015-03-31/functions/function/invocations"
HEALTH_PATH = "/healthz"

Headers = list[tuple[bytes, bytes]]
Answer = tuple[int, bytes, Headers]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
# The body was not read to its end, so the connection cannot carry another request.
CLOSE: Headers = [(b"connection", b"close")]


def http_api_event(body: str, headers: dict[str, str], request_id: str) -> dict[str, Any]:
    """The API Gateway HTTP API payload v2.0 event that `POST /predict` with `body` would produce."""
    return {
        "version": "2.0",
        "routeKey": f"POST {PREDICT_PATH}",
        "rawPath": PREDICT_PATH,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "http": {"method": "POST", "path": PREDICT_PATH},
            "requestId": request_id,
            "routeKey": f"POST {PREDICT_PATH}",
            "stage": "$default",
        },
        "body": body,
        "isBase64Encoded": False,
    }


class PredictionApp:
    """The ASGI application; `loader` is the shared model loader (refreshes in the background)."""

    def __init__(self, loader: ServesModels, capture: CapturesPredictions | None = None) -> None:
        self.loader = loader
        self.capture = capture  # serving-time capture, as in Lambda (runtime/monitoring/capture.py)

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan is off and websockets are not served
            return
        status, body, extra = await self._answer(scope, receive)
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body)), *extra]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _answer(self, scope: dict[str, Any], receive: Receive) -> Answer:
        method, path = scope["method"], scope["path"]
        if method == "GET" and path == HEALTH_PATH:
            return self._health()
        if method != "POST" or path not in (PREDICT_PATH, INVOKE_PATH):
            routes = f"use POST {PREDICT_PATH}, POST {INVOKE_PATH} or GET {HEALTH_PATH}"
            return 404, _error_body("not_found", f"no route {method} {path}; {routes}"), []
        body = await read_body(scope, receive)
        if isinstance(body, tuple):
            return body
        request_id = uuid.uuid4().hex
        if path == PREDICT_PATH:
            headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
            event = http_api_event(body.decode("utf-8", "replace"), headers, request_id)
            response = handle_event(event, self.loader, request_id, self.capture)
            return response["statusCode"], response["body"].encode(), []
        return self._invoke(body, request_id)

    def _invoke(self, body: bytes, request_id: str) -> Answer:
        try:
            event = json.loads(body)
        except (ValueError, RecursionError) as error:  # RecursionError: JSON nested too deeply
            return invalid_request_content(f"Could not parse request body into json: {error}")
        # Like the emulator: the HTTP call succeeds and carries whatever the function returned.
        return 200, json.dumps(handle_event(event, self.loader, request_id, self.capture)).encode(), []

    def _health(self) -> Answer:
        try:
            version = self.loader.current().label
        except ModelUnavailable as unavailable:
            error = {"code": unavailable.code, "message": unavailable.message}
            return 503, json.dumps({"status": "no_model", "error": error}).encode(), []
        return 200, json.dumps({"status": "ok", "model_version": version}).encode(), []


async def read_body(scope: dict[str, Any], receive: Receive) -> bytes | Answer:
    """The whole body (Content-Length or chunked, decoded by the server), or the refusal to send."""
    declared = dict(scope["headers"]).get(b"content-length")
    if declared is not None and int(declared) > MAX_BODY_BYTES:  # digits only: the parser checked it
        return _too_large()
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":  # nobody to answer; the server drops what is sent
            return 400, b"", CLOSE
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:  # a chunked body has no length to check up front
            return _too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def invalid_request_content(message: str) -> Answer:
    """Lambda's own refusal of an Invoke payload that is not JSON, as boto3 parses it (a ClientError).

    https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (InvalidRequestContentException, 400);
    the rest-json protocol names the error in the `x-amzn-ErrorType` header.
    """
    body = json.dumps({"Type": "User", "message": message}).encode()
    return 400, body, [(b"x-amzn-errortype", b"InvalidRequestContentException")]


APP_FACTORY = "pipeline.serve:create_app"


def create_app() -> PredictionApp:
    """The app with the loader `mlpipe serve` builds from the environment: one per worker process."""
    from pipeline.canary import loader_from_environment  # noqa: PLC0415 (reads settings at call time)

    show_service_logs(sys.stdout)  # a worker process: the parent's logging set-up is not inherited
    capture = capture_from_environment()
    if capture is not None:
        capture.start_timer()  # a long-running worker: due batches are written on the timer, not at exit
        atexit.register(capture.flush, 5.0)
    return PredictionApp(loader_from_environment(), capture)  # splits requests during a canary


class PredictionServer(ThreadedServer):
    """The app for `loader` on a thread (tests); `mlpipe serve` uses `http_server.run`."""

    def __init__(
        self,
        address: tuple[str, int],
        loader: ServesModels,
        timeout: int = TIMEOUT_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        super().__init__(address, PredictionApp(loader), timeout, max_connections)


def _too_large() -> Answer:
    message = f"send a body of at most {MAX_BODY_BYTES} bytes"
    return 413, _error_body("payload_too_large", message), CLOSE


def _error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()
