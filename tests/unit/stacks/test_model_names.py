"""Two groups that stand for one model name would share its bucket prefixes (capture/<name>/): refused."""

from __future__ import annotations

import pytest

from stacks.model_stacks import with_models


def test_a_group_and_a_context_name_for_the_same_model_are_refused() -> None:
    # given: group `penguins` (no mlpipe- prefix) names model `penguins`, as `-c models=penguins` does
    with pytest.raises(ValueError, match=r"model 'penguins' is listed twice \(deployed: penguins\)"):
        with_models(("penguins",), "penguins")


def test_distinct_names_pass() -> None:
    assert with_models(("mlpipe-titanic",), "penguins") == ("mlpipe-titanic", "mlpipe-penguins")
