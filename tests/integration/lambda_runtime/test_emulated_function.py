"""The serving image's task root under the real Lambda runtime, with an approved model in the store.

What the image runs, run here without Docker: AWS's Runtime Interface Emulator (the binary inside the
aws-sam-cli wheel) starts `python -m awslambdaric <handler>` in the task root that `make lambda-bundle`
lays out as the Dockerfile does, with the handler string read from the Dockerfile's CMD.
Evidence: the Lambda base images for Python hold a runtime interface client and the emulator, and an
image is tested locally by running `aws-lambda-rie python -m awslambdaric <handler>` and POSTing events
to /2015-03-31/functions/function/invocations
(https://docs.aws.amazon.com/lambda/latest/dg/python-image.html,
https://docs.aws.amazon.com/lambda/latest/dg/images-test.html,
https://github.com/aws/aws-lambda-runtime-interface-emulator); the handler string is the image's CMD
(python-image.html, "Set the CMD argument to the Lambda function handler"); API Gateway HTTP API sends
payload format 2.0 events and reads `{"statusCode", "headers", "body"}` back
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.emulator import RuntimeEmulator, dockerfile_handler
from lambda_inference.handler import handle_event
from lambda_inference.model_loader import ModelLoader
from runtime.settings import load_settings, open_registry, open_store
from tests.integration.lambda_runtime.clients import invoke
from tests.integration.lambda_runtime.conftest import empty_backend, function_environment
from tests.unit.lambda_inference.fakes import load_event

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, model_archive: bytes) -> Path:
    backend = empty_backend(tmp_path_factory)
    backend.register(model_archive)
    return backend.home


@pytest.fixture(scope="module")
def emulator(lambda_bundle: Path, home: Path) -> Iterator[RuntimeEmulator]:
    with RuntimeEmulator(lambda_bundle, dockerfile_handler(), function_environment(home)) as running:
        yield running


def in_process_answer(home: Path, event: object) -> dict[str, object]:
    """The same handler code with the same model, called in this interpreter."""
    settings = load_settings(function_environment(home))
    return handle_event(event, ModelLoader(open_registry(settings), open_store(settings)), "in-process")


def test_the_image_runs_the_handler_its_dockerfile_names_from_the_task_root(emulator, lambda_bundle):
    emulator.invoke(load_event("direct_sample.json"))

    assert dockerfile_handler() == "lambda_inference.handler.lambda_handler"
    assert f"(cwd={lambda_bundle}, handler={dockerfile_handler()})" in emulator.log()


def test_the_original_sample_is_scored_like_in_process(emulator, home):
    event = load_event("direct_sample.json")

    status, envelope = emulator.invoke(event)

    assert status == 200
    assert envelope["statusCode"] == 200
    body = json.loads(envelope["body"])
    assert event["instances"] == [{"Age": 80, "Sex": "male", "Pclass": 3}]
    assert body["predictions"] == [0] and body["model_version"] == "1"
    assert envelope == in_process_answer(home, event)


@pytest.mark.parametrize("name", ["http_api_v2_predict.json", "http_api_v2_base64.json"])
def test_an_http_api_v2_event_gets_the_http_api_response_shape(emulator, home, name):
    event = load_event(name)

    status, envelope = emulator.invoke(event)

    assert status == 200
    assert envelope["statusCode"] == 200
    assert envelope["headers"] == {"content-type": "application/json"}
    assert envelope == in_process_answer(home, event)


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("direct_missing_instances.json", 400, "missing_field"),
        ("direct_wrong_type.json", 400, "invalid_value"),
        ("http_api_v2_malformed_json.json", 400, "invalid_json"),
        ("http_api_v2_bad_base64.json", 400, "invalid_base64"),
    ],
)
def test_a_bad_event_gets_a_4xx_json_answer_not_a_runtime_error(emulator, name, status, code):
    http_status, envelope = emulator.invoke(load_event(name))

    # An unhandled exception would come back as {"errorType", "errorMessage"} from awslambdaric.
    assert http_status == 200 and "errorType" not in envelope
    assert envelope["statusCode"] == status
    assert json.loads(envelope["body"])["error"]["code"] == code


def test_the_model_loads_during_the_init_phase_the_emulator_reports(emulator):
    """Lambda runs module-level code in the Init phase, before the first event
    (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html): the handler loads the
    model there, so the first request does not pay for it."""
    emulator.invoke(load_event("direct_sample.json"))
    init_ms, (first_invoke_ms,) = emulator.reports(1)

    log = emulator.log()
    assert log.index('"message": "model loaded"') < log.index("INIT REPORT")
    assert init_ms > first_invoke_ms > 0


def test_boto3_invokes_the_emulated_function_as_a_caller_in_aws_would(emulator, home):
    """boto3's `invoke` is `POST /2015-03-31/functions/{FunctionName}/invocations`
    (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html); synchronous calls answer 200 and
    the function's return value as the payload."""
    event = load_event("direct_sample.json")

    response, payload = invoke(f"http://127.0.0.1:{emulator.port}", event)

    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert payload == in_process_answer(home, event)


def test_the_runtime_writes_the_serving_logs_as_json_lines_with_their_fields(lambda_bundle, home):
    """The serving code logs with the standard library and `extra` fields; with the function's log format
    set to JSON (stacks/constructs/serving_function.py), Lambda sets AWS_LAMBDA_LOG_FORMAT/LEVEL and the
    runtime interface client writes every record as one JSON object holding those fields
    (https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html, "Using Lambda advanced logging
    controls with Python"; https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html)."""
    with RuntimeEmulator(lambda_bundle, dockerfile_handler(), function_environment(home)) as running:
        running.invoke(load_event("direct_sample.json"))
        records = [json.loads(line) for line in running.log().splitlines() if line.startswith("{")]

    loaded = [record for record in records if record.get("message") == "model loaded"]
    assert loaded, f"no JSON 'model loaded' record in the runtime's output: {records}"
    assert loaded[0]["level"] == "INFO" and loaded[0]["logger"] == "mlpipe-inference"
    assert loaded[0]["model_version"] == "1" and loaded[0]["artifact_uri"].startswith("s3://")
