"""A local, Lambda-compatible HTTP server: the same handler as in AWS, one process, many threads.

Routes: `POST /predict` (turned into an API Gateway HTTP API v2.0 event), `POST
/2015-03-31/functions/function/invocations` (the Lambda Runtime Interface Emulator path: the body is
the event, the answer is the handler's return value) and `GET /healthz`. HTTP/1.1 keep-alive, no
per-request logging: the hot path is read body -> handler -> write.
"""

from __future__ import annotations

import json
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from lambda_inference.errors import ModelUnavailable
from lambda_inference.handler import ServesModels, handle_event
from lambda_inference.request import MAX_BODY_BYTES

PREDICT_PATH = "/predict"
INVOKE_PATH = "/2015-03-31/functions/function/invocations"
HEALTH_PATH = "/healthz"


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


class PredictionRequestHandler(BaseHTTPRequestHandler):
    """One connection; `server.loader` is the shared, thread-safe model loader."""

    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse the connection
    # Small answers must leave at once, not wait for the client's delayed ACK.
    disable_nagle_algorithm = True
    server: PredictionServer

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        if path not in (PREDICT_PATH, INVOKE_PATH):
            self._send(404, _error_body("not_found", f"no route POST {path}; use POST {PREDICT_PATH}"))
            return
        body = self._read_body()
        if body is None:
            return
        request_id = uuid.uuid4().hex
        if path == PREDICT_PATH:
            event = http_api_event(
                body.decode("utf-8", "replace"), {k.lower(): v for k, v in self.headers.items()}, request_id
            )
            response = handle_event(event, self.server.loader, request_id)
            self._send(response["statusCode"], response["body"].encode())
            return
        try:
            direct_event = json.loads(body)
        except (ValueError, RecursionError) as error:  # RecursionError: JSON nested too deeply
            self._send(400, _error_body("invalid_json", f"the event is not valid JSON: {error}"))
            return
        # Like the emulator: the HTTP call succeeds and carries whatever the function returned.
        self._send(200, json.dumps(handle_event(direct_event, self.server.loader, request_id)).encode())

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] != HEALTH_PATH:
            self._send(404, _error_body("not_found", f"no route GET {self.path}; use GET {HEALTH_PATH}"))
            return
        try:
            version = self.server.loader.current().label
        except ModelUnavailable as unavailable:
            self._send(
                503,
                json.dumps(
                    {
                        "status": "no_model",
                        "error": {"code": unavailable.code, "message": unavailable.message},
                    }
                ).encode(),
            )
            return
        self._send(200, json.dumps({"status": "ok", "model_version": version}).encode())

    def _read_body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            # The body is not read, so the connection cannot be reused.
            self.close_connection = True
            status, code = (413, "payload_too_large") if length > 0 else (400, "invalid_content_length")
            self._send(
                status, _error_body(code, f"send a Content-Length between 0 and {MAX_BODY_BYTES} bytes")
            )
            return None
        return self.rfile.read(length)

    def _send(self, status: int, body: bytes) -> None:
        # Status line, headers and body in one write: one packet for small answers, no Nagle stalls.
        connection = "close" if self.close_connection else "keep-alive"
        head = (
            f"{self.protocol_version} {status} {self.responses[status][0]}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"Connection: {connection}\r\n\r\n"
        )
        self.wfile.write(head.encode("latin-1") + body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the handler logs what matters as structured JSON; access logs would cost latency."""


class PredictionServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], loader: ServesModels) -> None:
        super().__init__(address, PredictionRequestHandler)
        self.loader = loader


def _error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()
