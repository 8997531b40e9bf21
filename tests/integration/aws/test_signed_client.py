from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from botocore.credentials import ReadOnlyCredentials
from typer.testing import CliRunner

from pipeline.aws.errors import CloudError
from pipeline.aws.signed_client import sign_post, signed_post_json
from pipeline.cli.cloud import predict_remote
from pipeline.cli.commands import app
from tests.integration.aws.sigv4_server import Verifier, sigv4_server
from tests.unit.pipeline.aws.conftest import FAKE_ACCESS_KEY, FAKE_REGION, FAKE_SECRET_KEY, FAKE_SESSION_TOKEN

CREDENTIALS = ReadOnlyCredentials(FAKE_ACCESS_KEY, FAKE_SECRET_KEY, FAKE_SESSION_TOKEN)
PASSENGER = {"Age": 80, "Sex": "male", "Pclass": 3}


@pytest.fixture
def api(fake_aws_env: None) -> Iterator[tuple[str, Verifier]]:
    verifier = Verifier(credentials=CREDENTIALS, region=FAKE_REGION)
    with sigv4_server(verifier) as base_url:
        yield f"{base_url}/predict", verifier


def test_signed_prediction_is_accepted_by_the_verifying_server(api: tuple[str, Verifier]) -> None:
    url, verifier = api

    result = predict_remote(url, [PASSENGER])

    assert result == {"predictions": [1], "probabilities": [0.9], "model_version": 3}
    [request] = verifier.seen
    assert request["valid"]
    assert json.loads(request["body"]) == {"instances": [PASSENGER]}
    assert request["headers"]["x-amz-security-token"] == FAKE_SESSION_TOKEN
    assert "x-amz-security-token" in request["headers"]["authorization"]  # the token is signed too


def send(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_tampered_body_is_rejected_while_the_genuine_one_passes(api: tuple[str, Verifier]) -> None:
    url, verifier = api
    genuine = json.dumps({"instances": [PASSENGER]}).encode()
    headers = sign_post(url, genuine, CREDENTIALS, FAKE_REGION)
    tampered = genuine.replace(b'"Age": 80', b'"Age": 18')

    assert send(url, genuine, headers) == 200
    assert send(url, tampered, headers) == 403
    assert [r["valid"] for r in verifier.seen] == [True, False]


def test_tampered_path_is_rejected(api: tuple[str, Verifier]) -> None:
    url, _ = api
    body = json.dumps({"instances": [PASSENGER]}).encode()
    headers = sign_post(url, body, CREDENTIALS, FAKE_REGION)

    assert send(url.replace("/predict", "/admin"), body, headers) == 403


def test_wrong_secret_gets_403_naming_the_permission_and_the_client_policy(
    api: tuple[str, Verifier],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, _ = api
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-right-secret")
    policy = "arn:aws:iam::123456789012:policy/mlpipe-dev-prediction-client"
    outputs = tmp_path / "cdk-outputs.json"
    outputs.write_text(json.dumps({"mlpipe-dev-serving": {"ClientPolicyArn": policy}}), encoding="utf-8")
    monkeypatch.setenv("MLPIPE_OUTPUTS_FILE", str(outputs))

    with pytest.raises(typer.Exit) as exit_info:
        predict_remote(url, [PASSENGER])

    message = " ".join(capsys.readouterr().err.split())
    assert exit_info.value.exit_code == 1
    assert "execute-api:Invoke" in message
    assert policy in message


def test_no_credentials_is_explained_without_asking_for_keys(
    api: tuple[str, Verifier], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, verifier = api
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    for name in (
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)

    with pytest.raises(CloudError, match="no AWS credentials found; sign in with `aws sso login`"):
        signed_post_json(url, {"instances": [PASSENGER]})
    assert verifier.seen == []


def test_mlpipe_predict_url_sends_a_request_the_server_verifies(api: tuple[str, Verifier]) -> None:
    url, verifier = api

    result = CliRunner().invoke(
        app,
        ["predict", "--url", url, "--instance", "Age=80", "--instance", "Sex=male", "--instance", "Pclass=3"],
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["model_version"] == "3"
    [request] = verifier.seen
    assert request["valid"]
    [sent] = json.loads(request["body"])["instances"]
    assert sent["Sex"] == "male"
