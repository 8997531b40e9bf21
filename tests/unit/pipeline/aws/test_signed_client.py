from __future__ import annotations

import json

import pytest

from pipeline.aws.signed_client import ApiResponse, api_error_message, region_from_url

URL = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/predict"


@pytest.mark.parametrize(
    ("url", "region"),
    [
        (URL, "eu-west-1"),
        ("https://a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn/predict", "cn-north-1"),
        ("https://api.example.com/predict", None),
        ("http://127.0.0.1:8080/predict", None),
    ],
)
def test_region_comes_from_the_execute_api_host(url: str, region: str | None) -> None:
    assert region_from_url(url) == region


def test_403_names_the_permission_the_route_and_the_policy() -> None:
    response = ApiResponse(status=403, body=b'{"message":"Forbidden"}')

    message = api_error_message(URL, response, "arn:aws:iam::123456789012:policy/client")

    assert "execute-api:Invoke on POST /predict" in message
    assert "attach the client policy arn:aws:iam::123456789012:policy/client" in message
    assert "Forbidden" in message


def test_403_without_a_known_policy_points_at_the_stack_output() -> None:
    message = api_error_message(URL, ApiResponse(status=403, body=b""), None)

    assert "stack output 'ClientPolicyArn'" in message


def test_validation_error_keeps_the_handler_code_and_message() -> None:
    body = json.dumps({"error": {"code": "invalid_field", "message": "Age must be a number"}}).encode()

    message = api_error_message(URL, ApiResponse(status=400, body=body), None)

    assert message == "the API answered 400 invalid_field: Age must be a number"


def test_no_model_yet_says_to_approve_one() -> None:
    body = json.dumps({"error": {"code": "no_model", "message": "no approved model"}}).encode()

    message = api_error_message(URL, ApiResponse(status=503, body=body), None)

    assert message.endswith("approve a version with `mlpipe models approve N --backend aws`")


def test_non_json_error_body_is_shown_as_text() -> None:
    message = api_error_message(URL, ApiResponse(status=502, body=b"Bad Gateway"), None)

    assert message == "the API answered 502 Bad Gateway"
