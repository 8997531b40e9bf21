"""Profile and drift maths on synthetic data with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from runtime.features.spec import fit_feature_spec
from runtime.monitoring.drift import Thresholds, chi_square_quantile, compare, psi, psi_limit
from runtime.monitoring.profile import OTHER, build_baseline, profile_categorical, profile_numeric


def _baseline(rng: np.random.Generator, n: int = 2000) -> dict:
    columns = {
        "age": rng.normal(40, 10, n).astype(object),
        "port": rng.choice(["S", "C", "Q"], n, p=[0.7, 0.2, 0.1]).astype(object),
        "y": rng.integers(0, 2, n).astype(object),
    }
    columns["age"][:200] = None
    spec = fit_feature_spec(
        columns, target="y", feature_columns=["age", "port"], categorical_columns=["port"]
    )
    return build_baseline(spec, columns, n, rng.uniform(0, 1, 500), prediction_rows="validation")


def _records(rng: np.random.Generator, n: int, age_shift: float = 0.0, missing: float = 0.1) -> list[dict]:
    ages = rng.normal(40 + age_shift, 10, n)
    ports = rng.choice(["S", "C", "Q"], n, p=[0.7, 0.2, 0.1])
    return [
        {
            "features": {"port": str(p), **({} if rng.random() < missing else {"age": float(a)})},
            "probability": q,
        }
        for a, p, q in zip(ages, ports, rng.uniform(0, 1, n), strict=True)
    ]


def test_psi_is_zero_for_identical_counts_and_known_for_a_flip():
    assert psi([50, 50], [50, 50]) == pytest.approx(0.0)
    # 65/35 -> 35/65: 2 * 0.3 * ln(65/35) = 0.371 (the smoothing of half a count moves it slightly)
    assert psi([650, 350], [350, 650]) == pytest.approx(0.3714, abs=2e-3)


def test_wilson_hilferty_matches_chi_square_tables():
    # chi2 0.999 quantiles: 9 dof 27.877, 2 dof 13.816 (NIST/SEMATECH e-Handbook, table 1.3.6.7.4)
    assert chi_square_quantile(9, 3.09) == pytest.approx(27.877, rel=0.01)
    assert chi_square_quantile(2, 3.09) == pytest.approx(13.816, rel=0.03)


def test_small_samples_raise_the_psi_a_column_must_reach():
    limits = Thresholds()
    assert psi_limit(10, 100_000, 100_000, limits) == limits.psi
    assert psi_limit(10, 150, 200, limits) > 0.3
    assert psi_limit(10, 0, 200, limits) == math.inf


def test_profiles_keep_frequent_categories_and_quantile_edges():
    numeric = profile_numeric(np.array([*range(100), math.nan]))
    assert len(numeric["edges"]) == 9 and sum(numeric["counts"]) == 100 and numeric["missing"] == 1
    categorical = profile_categorical(["a"] * 198 + ["b", None])
    assert categorical["categories"] == ["a"] and categorical["counts"] == [198, 1]  # "b" is 0.5 %: OTHER


def test_unshifted_window_is_stable_and_a_shift_is_flagged():
    rng = np.random.default_rng(1)
    baseline = _baseline(rng)
    stable = compare(baseline, _records(rng, 1000))
    assert stable.drifted_features == [] and not stable.prediction_drifted
    shifted = compare(baseline, _records(rng, 1000, age_shift=15))
    assert shifted.drifted_features == ["age"]
    [age] = [c for c in shifted.columns if c.name == "age"]
    assert age.psi > 1 and age.reasons[0].startswith("PSI")


def test_missing_share_change_is_flagged_on_its_own():
    rng = np.random.default_rng(2)
    report = compare(_baseline(rng), _records(rng, 1000, missing=0.4))
    [age] = [c for c in report.columns if c.name == "age"]
    assert report.drifted_features == ["age"] and age.missing_change == pytest.approx(0.3, abs=0.05)
    assert any("missing share" in r for r in age.reasons)


def test_a_new_category_lands_in_other_and_is_named():
    rng = np.random.default_rng(3)
    records = _records(rng, 500)
    for r in records[:100]:
        r["features"]["port"] = "Z"
    report = compare(_baseline(rng), records)
    [port] = [c for c in report.columns if c.name == "port"]
    assert port.drifted and port.new_values == ("Z",)
    assert OTHER not in report.to_json()["drifted_features"]


def test_no_verdict_below_the_minimum_rows():
    rng = np.random.default_rng(4)
    report = compare(_baseline(rng), _records(rng, 50, age_shift=30))
    assert not report.enough_rows and report.drifted_features == []


def test_a_baseline_of_another_format_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="retrain the model"):
        compare({"format": "x"}, [])
