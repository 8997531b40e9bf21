"""Registry and store faults (throttling, 500s, read timeouts, AccessDenied) under the serving loader.

The loader is built as in Lambda (`open_registry`/`open_store`, so with the AWS client configuration
of runtime/settings.py) over moto, and refreshes on every request so that every request meets the
faults. Backoff is recorded instead of slept.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.endpoint
import pytest
from moto import mock_aws

from lambda_inference.handler import handle_event
from lambda_inference.model_loader import ModelLoader
from runtime import settings as settings_module
from runtime.aws import REQUEST_PATH_CONFIG
from runtime.hashing import sha256_bytes
from runtime.registry.base import ModelRegistry, Registration
from runtime.settings import Settings, open_registry, open_store
from runtime.store.base import ArtifactStore
from tests.integration.backends.model_packages import create_request
from tests.reliability.faults import FAULT_KINDS, RETRIED_KINDS, FaultInjector, FaultPlan

REGION, GROUP, BUCKET = "eu-west-1", "mlpipe-faults", "mlpipe-faults-artifacts"
EVENT = {"instances": [{"Age": 80, "Sex": "male", "Pclass": 3}]}
REQUESTS = 12
MAX_ATTEMPTS: int = REQUEST_PATH_CONFIG["retries"]["total_max_attempts"]
HOSTS = {"s3": "s3.", "sagemaker": "api.sagemaker"}
FIGURES: Counter[str] = Counter()


@dataclass
class World:
    registry: ModelRegistry
    store: ArtifactStore
    faults: FaultInjector
    sleeps: list[float]
    archives: tuple[bytes, ...]

    def register(self, index: int) -> None:
        uri = f"s3://{BUCKET}/models/{index + 1}/model.tar.gz"
        self.store.put_bytes(self.archives[index], uri)
        registration = Registration(
            artifact_uri=uri,
            sha256=sha256_bytes(self.archives[index]),
            metrics={"accuracy": 0.8},
            parameters={},
            input_schema={},
            output_schema={},
            status="Approved",
        )
        # On AWS the pipeline's Register step creates versions, not the registry adapter.
        self.registry.client.create_model_package(**create_request(GROUP, registration, self.store))  # type: ignore[attr-defined]

    def serve(self, loader: ModelLoader, requests: int = REQUESTS) -> list[tuple[int, str | None]]:
        """(status, model_version) of each request."""
        answers = []
        for _ in range(requests):
            loader.refresh()  # every request meets the faults: serving itself refreshes in the background
            response = handle_event(EVENT, loader, "fault-request")
            answers.append((response["statusCode"], json.loads(response["body"]).get("model_version")))
        FIGURES["requests"] += requests
        FIGURES["requests failed"] += sum(status != 200 for status, _ in answers)
        return answers


@pytest.fixture
def world(model_archives: tuple[bytes, ...], monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    sleeps: list[float] = []
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=sleeps.append))
    faults = FaultInjector()
    make_client = settings_module.aws_client

    def hooked_client(service: str, **options: Any) -> Any:
        client = make_client(service, **options)
        faults.attach(client)
        return client

    # The one place serving creates its clients: every client the loader uses gets the hook.
    monkeypatch.setattr(settings_module, "aws_client", hooked_client)
    with mock_aws():
        boto3.client("s3").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        boto3.client("sagemaker").create_model_package_group(ModelPackageGroupName=GROUP)
        settings = Settings(backend="aws", model_package_group=GROUP)
        yield World(open_registry(settings), open_store(settings), faults, sleeps, model_archives)
    FIGURES["faults injected"] += sum(faults.injected.values())


def loader_for(world: World) -> ModelLoader:
    return ModelLoader(world.registry, world.store, background=False)


@pytest.mark.parametrize("kind", sorted(FAULT_KINDS))
@pytest.mark.parametrize("service", sorted(HOSTS))
def test_faults_on_first_attempts_fail_no_request(world: World, kind: str, service: str) -> None:
    # given: version 1 served, version 2 approved, then the first attempt of every call to one service fails
    world.register(0)
    loader = loader_for(world)
    assert world.serve(loader, 1) == [(200, "1")]
    world.register(1)
    world.faults.plan = FaultPlan(kind, first_attempt_only=True, url_contains=HOSTS[service])

    # when
    answers = world.serve(loader)

    # then: botocore retries throttling, 5xx and timeouts with bounded backoff and version 2 loads;
    # AccessDenied is not retried and the last good model keeps serving. No request fails.
    assert world.faults.injected[f"{service} {kind}"] >= 1
    if kind in RETRIED_KINDS:
        assert answers == [(200, "2")] * REQUESTS
        assert world.sleeps and max(world.sleeps) <= 2 ** (MAX_ATTEMPTS - 2)
    else:
        assert answers == [(200, "1")] * REQUESTS
        assert world.sleeps == []


@pytest.mark.parametrize("kind", sorted(FAULT_KINDS))
def test_persistent_faults_keep_the_last_good_model_until_they_clear(world: World, kind: str) -> None:
    # given: version 1 served; every attempt to read version 2's artifact fails
    world.register(0)
    loader = loader_for(world)
    world.serve(loader, 1)
    world.register(1)
    world.faults.plan = FaultPlan(kind, first_attempt_only=False, url_contains="models/2/model.tar.gz")

    # when
    during = world.serve(loader)
    world.faults.plan = None
    after = world.serve(loader)

    # then: never a half-loaded version 2, never a failed request, version 2 once the store answers
    assert during == [(200, "1")] * REQUESTS
    assert after == [(200, "2")] * REQUESTS
    attempts_per_load = MAX_ATTEMPTS if kind in RETRIED_KINDS else 1
    assert world.faults.injected[f"s3 {kind}"] == REQUESTS * attempts_per_load


def test_registry_down_at_cold_start_is_a_503_then_recovers(world: World) -> None:
    world.register(0)
    world.faults.plan = FaultPlan("server_error", first_attempt_only=False, url_contains=HOSTS["sagemaker"])
    loader = loader_for(world)

    during = world.serve(loader)
    world.faults.plan = None
    after = world.serve(loader)

    assert during == [(503, None)] * REQUESTS
    assert after == [(200, "1")] * REQUESTS
    FIGURES["requests failed"] -= REQUESTS  # the 503s here are the expected answer: nothing to serve yet


def test_zz_report_the_figure() -> None:
    """Last in the module (tests run in file order): the figure quoted in docs/reliability.md."""
    print(
        f"AWS fault injection: {FIGURES['faults injected']} faults injected, {FIGURES['requests']} "
        f"requests, {FIGURES['requests failed']} failed while a good model was loaded"
    )
    assert FIGURES["faults injected"] > 0
    assert FIGURES["requests failed"] == 0
