"""Issue 15 item 4, end to end without AWS: approve v2 with a canary -> requests split by weight -> the
steps advance on ticks -> v2 fails -> automatic rollback -> `models history` shows every step."""

from __future__ import annotations

import json
import math
import random
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import closing
from datetime import datetime, timedelta

import numpy as np
import pytest

from lambda_inference.handler import handle_event
from lambda_inference.model_loader import ModelLoader
from lambda_inference.served_model import ResolvesVersions
from pipeline.canary import CanaryRouter, loader_from_environment
from pipeline.canary_guard import ErrorWindow, Thresholds
from runtime.features.predictor import Prediction
from runtime.registry.base import LivePointer
from runtime.settings import REGISTRY_FILE
from runtime.store.local import LocalArtifactStore
from tests.integration.cli.conftest import Mlpipe
from tests.integration.cli.test_deployments import history, registry_of
from tests.integration.cli.test_models import two_versions  # noqa: F401 (fixture)

REQUESTS = 2_000


def broken_scorer(records: Sequence[Mapping[str, object]]) -> Prediction:
    raise RuntimeError("injected scoring failure")  # a model that fails at scoring time


class FakeScorer:
    """Scores every row 0.5."""

    def predict_records(self, records: Sequence[Mapping[str, object]]) -> Prediction:
        return Prediction(
            labels=np.zeros(len(records), dtype=np.int64), probabilities=np.full(len(records), 0.5)
        )


DEFAULTS = Thresholds()


def router_for(mlpipe: Mlpipe, thresholds: Thresholds = DEFAULTS) -> CanaryRouter:
    store = LocalArtifactStore(mlpipe.home)

    def make_loader(view: ResolvesVersions) -> ModelLoader:
        factory = lambda artifact, version: FakeScorer()  # noqa: E731
        return ModelLoader(view, store, predictor_factory=factory, background=False)

    return CanaryRouter(
        registry_of(mlpipe), make_loader, window=ErrorWindow(thresholds), rng=random.Random(15)
    )


def serve(router: CanaryRouter, count: int = REQUESTS) -> Counter[tuple[int, str]]:
    """(status, model_version) of `count` direct invocations through the real handler."""
    answers: Counter[tuple[int, str]] = Counter()
    for number in range(count):
        response = handle_event({"instances": [{"Age": 30}]}, router, f"r{number}")
        answers[response["statusCode"], json.loads(response["body"]).get("model_version", "")] += 1
    return answers


def within_binomial_bound(hits: int, count: int, weight: int) -> bool:
    """`hits` within 4 standard deviations of count * p (a false failure about 1 in 16,000 runs)."""
    p = weight / 100
    return abs(hits - count * p) <= 4 * math.sqrt(count * p * (1 - p))


def later(since: str, minutes: float) -> str:
    return (datetime.fromisoformat(since) + timedelta(minutes=minutes)).isoformat(timespec="seconds")


def test_canary_splits_advances_and_rolls_back_on_errors(
    two_versions: Mlpipe,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given v1 live and v2 approved with a two-step canary
    assert two_versions("models", "approve", "1").exit_code == 0
    approved = two_versions("models", "approve", "2", "--canary", "10:5,50:5")
    assert approved.exit_code == 0, approved.output
    router = router_for(two_versions)
    assert router.pointer is not None and (router.pointer.candidate, router.pointer.weight) == (2, 10)

    # then 10% of requests are answered by v2
    first = serve(router)
    assert within_binomial_bound(first[200, "2"], REQUESTS, 10), first
    assert first[200, "1"] + first[200, "2"] == REQUESTS

    # when the first step's minutes have passed, a tick moves to 50%
    since = router.pointer.since
    router.check(at=later(since, 4))  # not yet: nothing changes
    assert router.pointer.weight == 10
    router.check(at=later(since, 5))
    assert (router.pointer.candidate, router.pointer.weight, router.pointer.step) == (2, 50, 1)
    second = serve(router)
    print(f"split at 10%: {first}; at 50%: {second}")  # the figures the report quotes (pytest -s)
    assert within_binomial_bound(second[200, "2"], REQUESTS, 50), second

    # when v2's scorer starts failing, its errors (500s) trip the alarm at the next check
    monkeypatch.setattr(router.candidate.current().predictor, "predict_records", broken_scorer)
    failing = serve(router, 200)
    assert failing[500, ""] > 0 and failing[200, "2"] == 0
    router.check(at=later(since, 6))

    # then v1 serves everything, v2 is rejected, and the history shows every step
    assert router.pointer is not None and (router.pointer.live, router.pointer.candidate) == (1, None)
    assert serve(router, 200) == Counter({(200, "1"): 200})
    assert [v["status"] for v in two_versions.versions()] == ["Approved", "Rejected"]
    steps = [
        (e["action"], e["from_version"], e["to_version"], e["weight"], e["outcome"])
        for e in history(two_versions)
    ]
    assert steps == [
        ("promote", None, 1, 100, "live"),
        ("canary", 1, 2, 10, "canary"),
        ("canary", 1, 2, 50, "canary"),
        ("rollback", 2, 1, 100, "rolled back"),
    ]
    rollback = history(two_versions)[-1]
    assert rollback["actor"] == "canary" and "error rate" in str(rollback["reason"])


def test_the_last_tick_makes_the_candidate_live(two_versions: Mlpipe) -> None:  # noqa: F811
    two_versions("models", "approve", "1")
    two_versions("models", "approve", "2", "--canary", "10:1")
    router = router_for(two_versions)
    assert router.pointer is not None

    router.check(at=later(router.pointer.since, 1))

    assert (router.pointer.live, router.pointer.candidate) == (2, None)
    assert serve(router, 50) == Counter({(200, "2"): 50})
    assert [e["outcome"] for e in history(two_versions)][-1] == "live"


def test_errors_under_the_threshold_or_too_few_requests_change_nothing(
    two_versions: Mlpipe,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    two_versions("models", "approve", "1")
    two_versions("models", "approve", "2", "--canary", "50:5")
    router = router_for(two_versions, Thresholds(max_error_rate=0.5, min_requests=1000))
    monkeypatch.setattr(router.candidate.current().predictor, "predict_records", broken_scorer)
    serve(router, 200)

    router.check()  # now() is well within the 5-minute step

    assert router.pointer is not None and router.pointer.candidate == 2
    assert len(history(two_versions)) == 2


def test_a_canary_plan_that_does_not_parse_is_refused(two_versions: Mlpipe) -> None:  # noqa: F811
    two_versions("models", "approve", "1")
    result = two_versions("models", "approve", "2", "--canary", "ten:5")
    assert result.exit_code != 0 and "WEIGHT:MINUTES" in result.output
    assert [v["status"] for v in two_versions.versions()] == ["Approved", "PendingManualApproval"]


@pytest.mark.parametrize("plan", ["", "10:5"])
def test_the_first_approval_goes_live_at_once_whatever_the_plan(two_versions: Mlpipe, plan: str) -> None:  # noqa: F811
    assert two_versions("models", "approve", "1", "--canary", plan).exit_code == 0
    assert [e["outcome"] for e in history(two_versions)] == ["live"]


def test_two_workers_alarming_together_roll_back_once(
    two_versions: Mlpipe,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    two_versions("models", "approve", "1")
    two_versions("models", "approve", "2", "--canary", "50:5")
    workers = [router_for(two_versions, Thresholds(min_requests=5)) for _ in range(2)]
    for worker in workers:
        monkeypatch.setattr(worker.candidate.current().predictor, "predict_records", broken_scorer)
        serve(worker, 100)

    for worker in workers:
        worker.check()

    assert [e["action"] for e in history(two_versions)] == ["promote", "canary", "rollback"]
    assert all(w.pointer is not None and (w.pointer.live, w.pointer.candidate) == (1, None) for w in workers)


def test_a_live_table_from_before_canaries_reads_and_gains_the_plan_column(
    two_versions: Mlpipe,  # noqa: F811
) -> None:
    two_versions("models", "approve", "1")
    with closing(sqlite3.connect(two_versions.home / REGISTRY_FILE)) as connection, connection:
        connection.execute(
            "ALTER TABLE live_versions DROP COLUMN plan"
        )  # the issue-15 table as first shipped
    assert registry_of(two_versions).live_pointer() == LivePointer(live=1, since="")

    assert two_versions("models", "approve", "2", "--canary", "10:5").exit_code == 0

    pointer = registry_of(two_versions).live_pointer()
    assert pointer is not None and (pointer.candidate, pointer.plan) == (2, "10:5")


def test_serve_routes_through_the_canary_router_unless_a_version_is_pinned(
    two_versions: Mlpipe,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MLPIPE_HOME", str(two_versions.home))
    monkeypatch.setenv("MLPIPE_BACKEND", "local")
    monkeypatch.delenv("MODEL_VERSION", raising=False)
    assert isinstance(loader_from_environment(), CanaryRouter)

    monkeypatch.setenv("MODEL_VERSION", "1")
    assert isinstance(loader_from_environment(), ModelLoader)
