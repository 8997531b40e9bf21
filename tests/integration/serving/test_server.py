from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from pipeline.serve import HEALTH_PATH, INVOKE_PATH, PREDICT_PATH
from tests.integration.serving.conftest import REFRESH_SECONDS, LocalBackend
from tests.unit.lambda_inference.fakes import load_event

SAMPLE = load_event("direct_sample.json")


def call(url: str, body: bytes | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_predict_route_answers_like_the_http_api(backend: LocalBackend, archives, server_url):
    backend.register(archives[0])

    status, body = call(server_url + PREDICT_PATH, json.dumps(SAMPLE).encode())

    assert status == 200
    assert body["predictions"] == [0]
    assert body["model_version"] == "1"


def test_invoke_route_returns_the_handlers_envelope(backend: LocalBackend, archives, server_url):
    backend.register(archives[0])
    _, direct = call(server_url + PREDICT_PATH, json.dumps(SAMPLE).encode())

    status, envelope = call(server_url + INVOKE_PATH, json.dumps(SAMPLE).encode())

    assert status == 200
    assert envelope["statusCode"] == 200
    assert json.loads(envelope["body"]) == direct


def test_errors_keep_the_contract_over_http(backend: LocalBackend, archives, server_url):
    status, body = call(server_url + PREDICT_PATH, json.dumps(SAMPLE).encode())
    assert (status, body["error"]["code"]) == (503, "no_approved_model")

    backend.register(archives[0])
    status, body = call(server_url + PREDICT_PATH, b'{"instances": [')
    assert (status, body["error"]["code"]) == (400, "invalid_json")
    status, body = call(server_url + INVOKE_PATH, b"{not json")
    assert (status, body["Type"]) == (400, "User")  # Lambda's own refusal: test_boto3_invoke.py
    assert body["message"].startswith("Could not parse request body into json")
    status, body = call(server_url + "/nowhere", b"{}")
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_oversized_body_is_refused_before_reading_it(backend: LocalBackend, server_url):
    parts = urlsplit(server_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest("POST", PREDICT_PATH)
    connection.putheader("Content-Length", str(7 * 1024 * 1024))
    connection.endheaders()

    response = connection.getresponse()

    assert response.status == 413
    assert json.loads(response.read())["error"]["code"] == "payload_too_large"
    connection.close()


def test_keep_alive_serves_many_requests_on_one_connection(backend: LocalBackend, archives, server_url):
    backend.register(archives[0])
    parts = urlsplit(server_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)

    for _ in range(20):
        connection.request("POST", PREDICT_PATH, body=json.dumps(SAMPLE))
        response = connection.getresponse()
        assert response.status == 200
        assert json.loads(response.read())["predictions"] == [0]
    connection.close()


def test_healthz_reports_the_served_version_and_a_new_approval_without_restart(
    backend: LocalBackend, archives, server_url
):
    status, body = call(server_url + HEALTH_PATH)
    assert (status, body["status"]) == (503, "no_model")

    backend.register(archives[0])
    time.sleep(REFRESH_SECONDS * 1.5)
    assert call(server_url + HEALTH_PATH) == (200, {"status": "ok", "model_version": "1"})

    backend.register(archives[1])
    time.sleep(REFRESH_SECONDS * 1.5)
    status, body = call(server_url + PREDICT_PATH, json.dumps(SAMPLE).encode())
    assert body["model_version"] == "2"


def test_small_answers_do_not_wait_for_a_delayed_ack(backend: LocalBackend, archives, server_url):
    """Answers leave at once (TCP_NODELAY): without it each keep-alive request waited ~40 ms."""
    backend.register(archives[0])
    parts = urlsplit(server_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    started = time.perf_counter()

    for _ in range(50):
        connection.request("POST", PREDICT_PATH, body=json.dumps(SAMPLE))
        connection.getresponse().read()

    assert time.perf_counter() - started < 1.0  # 50 x 40 ms would be 2 s
    connection.close()
