"""A local stand-in for API Gateway's IAM authorizer: it recomputes the SigV4 signature of each request with
botocore from what it received and the credentials it knows, and answers 403 when they differ."""

from __future__ import annotations

import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials


@dataclass
class Verifier:
    credentials: ReadOnlyCredentials
    region: str
    service: str = "execute-api"
    seen: list[dict[str, Any]] = field(default_factory=list)

    def verify(self, method: str, host: str, path: str, headers: dict[str, str], body: bytes) -> bool:
        """Rebuild the canonical request from the received parts and compare signatures."""
        authorization = headers.get("authorization", "")
        parts = dict(
            p.strip().split("=", 1) for p in authorization.removeprefix("AWS4-HMAC-SHA256 ").split(",")
        )
        if not authorization.startswith("AWS4-HMAC-SHA256 ") or not {"Credential", "SignedHeaders"} <= set(
            parts
        ):
            return False
        access_key, date, region, service, _ = parts["Credential"].split("/")
        if (access_key, region, service) != (self.credentials.access_key, self.region, self.service):
            return False
        signed = parts["SignedHeaders"].split(";")
        if "host" not in signed or "x-amz-date" not in signed:
            return False
        request = AWSRequest(
            method=method,
            url=f"http://{host}{path}",
            data=body,
            headers={name: headers[name] for name in signed if name in headers},
        )
        request.context["timestamp"] = headers["x-amz-date"]
        signer = SigV4Auth(self.credentials, self.service, self.region)
        expected = signer.signature(
            signer.string_to_sign(request, signer.canonical_request(request)), request
        )
        return date == headers["x-amz-date"][:8] and hmac.compare_digest(expected, parts.get("Signature", ""))


def _handler(verifier: Verifier) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            valid = verifier.verify("POST", headers.get("host", ""), self.path, headers, body)
            verifier.seen.append({"path": self.path, "headers": headers, "body": body, "valid": valid})
            if not valid:
                self._answer(403, {"message": "Forbidden"})
            elif self.path != "/predict":
                self._answer(404, {"message": "Not Found"})
            else:
                instances = json.loads(body)["instances"]
                self._answer(
                    200,
                    {
                        "predictions": [1] * len(instances),
                        "probabilities": [0.9] * len(instances),
                        "model_version": 3,
                    },
                )

        def _answer(self, status: int, document: dict[str, Any]) -> None:
            payload = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return

    return Handler


@contextmanager
def sigv4_server(verifier: Verifier) -> Iterator[str]:
    """Serve on an ephemeral port in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(verifier))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
