from __future__ import annotations

from bench.profile_imports import parse_importtime, top_packages

STDERR = """\
import time: self [us] | cumulative | imported package
import time:      1500 |       1500 |   numpy._core
import time:       500 |       2000 | numpy
import time:     30000 |      30000 |     scipy.sparse
import time:      2000 |      32000 |   xgboost.core
import time:      1000 |      33000 | xgboost
some other line
"""


def test_self_time_is_summed_per_top_level_package() -> None:
    assert parse_importtime(STDERR) == {"numpy": 2.0, "scipy": 30.0, "xgboost": 3.0}


def test_top_packages_keep_the_largest_and_sum_the_rest() -> None:
    totals = {"a": 10.0, "b": 5.0, "c": 1.0, "d": 0.5}
    assert top_packages(totals, limit=2) == {"a": 10.0, "b": 5.0, "(other)": 1.5}


def test_top_packages_without_rest_has_no_other() -> None:
    assert top_packages({"a": 1.0}, limit=3) == {"a": 1.0}
