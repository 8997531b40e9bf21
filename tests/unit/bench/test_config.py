from __future__ import annotations

import pytest

from bench.config import FULL, QUICK, config_from_environment


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_bench_quick_picks_the_quick_configuration(value: str) -> None:
    assert config_from_environment({"BENCH_QUICK": value}) is QUICK


@pytest.mark.parametrize("environ", [{}, {"BENCH_QUICK": ""}, {"BENCH_QUICK": "0"}])
def test_default_is_the_full_configuration(environ: dict[str, str]) -> None:
    assert config_from_environment(environ) is FULL


def test_both_configurations_measure_every_batch_size_and_enough_warm_calls() -> None:
    for config in (FULL, QUICK):
        assert set(config.batch_repeats) == {1, 100, 10_000, 100_000}
        assert config.warm_calls >= 2000  # the minimum for p50/p99
        assert config.warm_runs <= config.cold_repeats  # warm calls ride on the cold-start children
