"""boto3's Lambda client against `mlpipe serve`: the local server answers the Invoke API as callers use it.

boto3's `invoke` sends `POST /2015-03-31/functions/{FunctionName}/invocations` with the event as the body
and reads the function's return value as `Payload`, `StatusCode` 200 for a synchronous call, and
`FunctionError` only when the function raised (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
The same client against the Runtime Interface Emulator: tests/integration/lambda_runtime/.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.integration.lambda_runtime.clients import invoke, lambda_client
from tests.integration.serving.conftest import LocalBackend
from tests.unit.lambda_inference.fakes import load_event


def test_boto3_invoke_returns_the_handlers_answer_as_the_payload(backend: LocalBackend, archives, server_url):
    backend.register(archives[0])

    response, payload = invoke(server_url, load_event("direct_sample.json"))

    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert payload["statusCode"] == 200
    body = json.loads(payload["body"])
    assert body["predictions"] == [0]
    assert body["model_version"] == "1"
    assert len(body["probabilities"]) == 1 and 0 < body["probabilities"][0] < 0.5


def test_boto3_invoke_with_an_http_api_event_gets_the_http_response_shape(
    backend: LocalBackend, archives, server_url
):
    backend.register(archives[0])

    response, payload = invoke(server_url, load_event("http_api_v2_predict.json"))

    assert response["StatusCode"] == 200
    assert payload["headers"] == {"content-type": "application/json"}
    assert json.loads(payload["body"])["predictions"] == [0, 1]


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("direct_missing_instances.json", 400, "missing_field"),
        ("direct_sample.json", 503, "no_approved_model"),
    ],
)
def test_a_refused_event_is_a_successful_invoke_carrying_the_error(backend, server_url, name, status, code):
    """The function answered (with a 4xx/503 envelope): for Lambda that is no FunctionError."""
    response, payload = invoke(server_url, load_event(name))

    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert payload["statusCode"] == status
    assert json.loads(payload["body"])["error"]["code"] == code


def test_a_payload_that_is_not_json_is_refused_by_the_invoke_call(backend, server_url):
    """Lambda refuses such a request itself: 400 InvalidRequestContentException ("The request body could
    not be parsed as JSON", https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html; members `Type`
    and `message` in botocore's lambda/2015-03-31 service model). boto3 reads the error code from the
    `x-amzn-ErrorType` header, so the caller gets a ClientError naming it, with the message."""
    with pytest.raises(ClientError) as refused:
        lambda_client(server_url).invoke(FunctionName="function", Payload=b"{not json")

    error = refused.value.response["Error"]
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Code"] == "InvalidRequestContentException"
    assert error["Message"].startswith("Could not parse request body into json")
    assert refused.value.response["Type"] == "User"  # botocore lifts the modelled member to the top
