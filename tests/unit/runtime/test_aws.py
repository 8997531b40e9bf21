"""runtime/aws.py: the one boto3 client factory sets retries, timeouts and the user agent.

botocore's client options (user_agent_extra, retries, connect/read timeouts):
https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html
Retry modes and total_max_attempts: https://docs.aws.amazon.com/boto3/latest/guide/retries.html
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

import runtime
from runtime.aws import OPERATOR_CONFIG, REQUEST_PATH_CONFIG, USER_AGENT, aws_client

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def _sent_user_agent(client: Any) -> str:
    """The User-Agent header of one request, captured where it would be sent (answered locally)."""
    seen: list[str] = []
    empty = b"<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>"

    class Body:
        def stream(self, **_: Any) -> Any:
            yield empty

    def answer(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        agent = request.headers["User-Agent"]
        seen.append(agent.decode() if isinstance(agent, bytes) else agent)
        return AWSResponse(request.url, 200, {}, Body())

    client.meta.events.register("before-send", answer)
    client.list_buckets()
    return seen[0]


def test_every_request_carries_the_mlpipe_user_agent() -> None:
    client = aws_client("s3")

    assert f" mlpipe/{runtime.__version__}" in _sent_user_agent(client)


def test_the_user_agent_version_is_the_package_version() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())

    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "runtime.__version__"}
    assert "version" in pyproject["project"]["dynamic"]


def test_tooling_clients_retry_in_standard_mode_five_times() -> None:
    config = aws_client("sagemaker", region="us-east-1").meta.config

    assert config.retries == OPERATOR_CONFIG["retries"] == {"mode": "standard", "total_max_attempts": 5}
    assert config.region_name == "us-east-1"


def test_request_path_clients_are_bounded_for_serving() -> None:
    config = aws_client("s3", request_path=True).meta.config

    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert (config.connect_timeout, config.read_timeout) == (2, 3)
    assert REQUEST_PATH_CONFIG["read_timeout"] == 3
    assert config.user_agent_extra == USER_AGENT
