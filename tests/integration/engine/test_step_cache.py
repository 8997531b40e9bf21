"""Step caching in the local engine, with SageMaker's semantics (pipeline/engine/cache.py).

SageMaker reuses a step's earlier outputs when its cache-key attributes are unchanged within
ExpireAfter ("Turn on step caching", https://docs.aws.amazon.com/sagemaker/latest/dg/pipelines-caching-enabling.html;
"Default cache key attributes by pipeline step type",
https://docs.aws.amazon.com/sagemaker/latest/dg/pipelines-default-keys.html). The local engine must do
the same and, beyond it, never serve outputs whose inputs, code or outputs changed.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.engine import EngineError, RunResult, run_definition
from pipeline.engine.cache import StepCache, parse_duration
from tests.integration.engine.conftest import FIXTURES, FakePipeline

CACHED = ("Prepare", "Train", "Evaluate")


def with_cache(definition: dict[str, Any], expire_after: str = "P30D") -> dict[str, Any]:
    cached = copy.deepcopy(definition)
    for step in cached["Steps"]:
        if step["Name"] in CACHED:
            step["CacheConfig"] = {"Enabled": True, "ExpireAfter": expire_after}
    return cached


def run(
    pipeline: FakePipeline,
    execution_id: str,
    overrides: dict[str, str] | None = None,
    *,
    reuse: bool = True,
    expire_after: str = "P30D",
) -> RunResult:
    return run_definition(
        with_cache(pipeline.definition, expire_after),
        store=pipeline.store,
        registry=pipeline.registry,
        run_dir=pipeline.home / "runs" / execution_id,
        execution_id=execution_id,
        overrides=overrides,
        cache=StepCache(pipeline.home, reuse=reuse),
    )


def reused(result: RunResult) -> dict[str, str]:
    return {step.name: step.cached_from for step in result.steps if step.cached_from}


def test_an_unchanged_rerun_reuses_every_cached_step_and_registers_the_same_artifact(
    fake_pipeline: FakePipeline,
) -> None:
    first = run(fake_pipeline, "exec-1")

    second = run(fake_pipeline, "exec-2")

    assert reused(first) == {}
    assert reused(second) == dict.fromkeys(CACHED, "exec-1")
    assert all(step.status in {"succeeded", "skipped"} for step in second.steps)
    # the steps did not run again: no work folder, and the registered artifact is the first run's
    assert not (fake_pipeline.home / "runs" / "exec-2" / "steps" / "Train").exists()
    assert second.registered[0].artifact_uri == first.registered[0].artifact_uri
    assert "cache hit" in (fake_pipeline.home / "runs" / "exec-2" / "logs" / "Train.log").read_text()


def test_a_changed_hyperparameter_reruns_train_and_what_depends_on_it(fake_pipeline: FakePipeline) -> None:
    run(fake_pipeline, "exec-1", {"MaxDepth": "3"})

    second = run(fake_pipeline, "exec-2", {"MaxDepth": "4"})

    assert reused(second) == {"Prepare": "exec-1"}
    assert second.registered[0].parameters == {"max_depth": "4"}


def test_a_gate_only_change_reuses_every_cached_step(fake_pipeline: FakePipeline) -> None:
    run(fake_pipeline, "exec-1", {"MinAccuracy": "0.5"})

    second = run(fake_pipeline, "exec-2", {"MinAccuracy": "0.6"})

    assert reused(second) == dict.fromkeys(CACHED, "exec-1")


def test_input_data_changed_in_place_is_a_miss(fake_pipeline: FakePipeline, tmp_path: Path) -> None:
    # given: the fixture reads the whole data/ prefix, so the arguments stay the same when a file changes
    run(fake_pipeline, "exec-1")
    changed = tmp_path / "train.csv"
    changed.write_text((FIXTURES / "train.csv").read_text() + "\n")
    fake_pipeline.store.put_file(changed, "s3://mlpipe-local/data/train.csv")

    second = run(fake_pipeline, "exec-2")

    assert "Prepare" not in reused(second)


def test_changed_code_is_a_miss(fake_pipeline: FakePipeline) -> None:
    run(fake_pipeline, "exec-1")
    bundle = fake_pipeline.store.get_bytes("s3://mlpipe-local/code/training.tar.gz")
    fake_pipeline.store.put_bytes(bundle + b"\0", "s3://mlpipe-local/code/training.tar.gz")

    second = run(fake_pipeline, "exec-2")

    assert reused(second) == {"Prepare": "exec-1"}


def test_deleted_or_changed_outputs_of_the_earlier_run_are_a_miss(fake_pipeline: FakePipeline) -> None:
    first = run(fake_pipeline, "exec-1")
    artifact = first.registered[0].artifact_uri
    fake_pipeline.store.put_bytes(b"tampered", artifact)

    second = run(fake_pipeline, "exec-2")

    assert "Train" not in reused(second)
    assert second.registered[0].artifact_uri != artifact


def test_an_expired_entry_is_a_miss(fake_pipeline: FakePipeline) -> None:
    run(fake_pipeline, "exec-1", expire_after="PT0S")

    second = run(fake_pipeline, "exec-2", expire_after="PT0S")

    assert reused(second) == {}


def test_no_cache_runs_every_step_and_still_records_it(fake_pipeline: FakePipeline) -> None:
    run(fake_pipeline, "exec-1")

    forced = run(fake_pipeline, "exec-2", reuse=False)
    third = run(fake_pipeline, "exec-3")

    assert reused(forced) == {}
    assert reused(third) == dict.fromkeys(CACHED, "exec-2")  # the most recent successful run


def test_steps_without_cache_config_always_run(fake_pipeline: FakePipeline) -> None:
    results = [
        run_definition(
            fake_pipeline.definition,  # as written: no step has a CacheConfig
            store=fake_pipeline.store,
            registry=fake_pipeline.registry,
            run_dir=fake_pipeline.home / "runs" / execution_id,
            execution_id=execution_id,
            cache=StepCache(fake_pipeline.home),
        )
        for execution_id in ("exec-1", "exec-2")
    ]

    assert [reused(result) for result in results] == [{}, {}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P30D", timedelta(days=30)),
        ("p30d", timedelta(days=30)),
        ("P4DT12H", timedelta(days=4, hours=12)),
        ("T12H", timedelta(hours=12)),
        ("PT16M", timedelta(minutes=16)),
        ("P1Y", timedelta(days=365)),
        ("PT0S", timedelta(0)),
    ],
)
def test_expire_after_is_read_as_an_iso_8601_duration(text: str, expected: timedelta) -> None:
    # The SageMaker SDK's CacheConfig documents 'p30d', 'P4DT12H' and 'T12H' as examples.
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "P", "30 days", "PT", "P-1D"])
def test_a_malformed_expire_after_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(EngineError, match="P30D"):
        parse_duration(text)
