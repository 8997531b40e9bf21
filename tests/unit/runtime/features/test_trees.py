"""The bounded JSON model reader: what it accepts, what it refuses and why, and the walk's semantics."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import xgboost as xgb

from runtime.features import trees
from runtime.features.trees import ModelFormatError, parse_model


def leaf(value: float) -> dict[str, Any]:
    return {"left": -1, "right": -1, "feature": 0, "condition": value, "default_left": 0}


def document(tree_nodes: list[list[dict[str, Any]]], **overrides: Any) -> dict[str, Any]:
    """A minimal XGBoost 3 JSON model; each tree given as its nodes in XGBoost's numbering."""
    trees_json = [
        {
            "tree_param": {"num_nodes": str(len(nodes)), "num_feature": "2", "size_leaf_vector": "1"},
            "left_children": [n["left"] for n in nodes],
            "right_children": [n["right"] for n in nodes],
            "split_indices": [n["feature"] for n in nodes],
            "split_conditions": [n["condition"] for n in nodes],
            "default_left": [n["default_left"] for n in nodes],
            "split_type": [0] * len(nodes),
        }
        for nodes in tree_nodes
    ]
    # Margin 0 to start with: base_score 0.5 for the logistic objective, 0 for the others.
    base_score = "[5E-1]" if overrides.get("objective", "binary:logistic") == "binary:logistic" else "[0E0]"
    learner = {
        "learner_model_param": {
            "base_score": base_score,
            "num_class": "0",
            "num_feature": "2",
            "num_target": "1",
        },
        "objective": {"name": overrides.get("objective", "binary:logistic")},
        "gradient_booster": {"name": overrides.get("booster", "gbtree"), "model": {"trees": trees_json}},
    }
    return {"learner": learner, "version": [3, 2, 0]}


def stump(threshold: float = 0.5, default_left: int = 1) -> list[dict[str, Any]]:
    root = {"left": 1, "right": 2, "feature": 1, "condition": threshold, "default_left": default_left}
    return [root, leaf(-1.0), leaf(2.0)]


def encoded(model: dict[str, Any]) -> bytes:
    return json.dumps(model).encode()


def test_a_stump_follows_xgboosts_rules() -> None:
    """value < threshold goes left, equality goes right, NaN takes the default direction."""
    model = parse_model(encoded(document([stump(0.5, default_left=1)], objective="binary:logitraw")))
    rows = np.array([[9, 0.25], [9, 0.5], [9, 0.75], [9, np.nan]], dtype=np.float32)
    assert model.margins(rows).tolist() == [-1.0, 2.0, 2.0, -1.0]
    assert model.depth == 1


def test_threshold_compared_in_float32() -> None:
    """0.1 as float64 is above its float32 rounding: XGBoost compares in float32, so does the walk."""
    model = parse_model(encoded(document([stump(0.1)], objective="binary:logitraw")))
    assert model.margins(np.array([[0, np.float32(0.1)]], dtype=np.float32)).tolist() == [2.0]


@pytest.mark.parametrize(
    ("objective", "expected"),
    [("binary:logistic", [1 / (1 + np.exp(1.0)), 1 / (1 + np.exp(-2.0))]), ("binary:hinge", [0.0, 1.0])],
)
def test_objectives_map_margins(objective: str, expected: list[float]) -> None:
    model = parse_model(encoded(document([stump()], objective=objective)))
    outputs = model.outputs(np.array([[0, 0.0], [0, 1.0]], dtype=np.float32))
    np.testing.assert_allclose(outputs, expected, rtol=1e-6)


def test_a_real_model_with_every_objective_matches_xgboost() -> None:
    rng = np.random.default_rng(3)
    data = rng.normal(size=(300, 4)).astype(np.float32)
    data[rng.random(data.shape) < 0.3] = np.nan
    labels = (rng.random(300) < 0.4).astype(float)
    for objective in trees.SUPPORTED_OBJECTIVES:
        params = {"objective": objective, "max_depth": 5, "nthread": 1}
        booster = xgb.train(params, xgb.DMatrix(data, label=labels), num_boost_round=30)
        model = parse_model(bytes(booster.save_raw("json")))
        assert np.abs(model.outputs(data) - booster.inplace_predict(data)).max() <= 1e-6


def _edit(edit: Any, model: dict[str, Any] | None = None) -> bytes:
    model = model or document([stump()])
    edit(model["learner"]["gradient_booster"]["model"]["trees"][0])
    return encoded(model)


REFUSED: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "empty"),
    "not JSON": (b"\x00ubj", "not valid JSON"),
    "nested": (b"[" * 200_000, "nests deeper"),
    "not a model": (b'{"a": 1}', "learner"),
    "multiclass objective": (encoded(document([stump()], objective="multi:softprob")), "not served"),
    "dart": (encoded(document([stump()], booster="dart")), "gbtree"),
    "no trees": (encoded(document([])), "no trees"),
    "cycle": (_edit(lambda t: t["left_children"].__setitem__(0, 0)), "out of order"),
    "child out of range": (
        _edit(lambda t: t["right_children"].__setitem__(0, 9)),
        "out of order or out of range",
    ),
    "one child": (_edit(lambda t: t["right_children"].__setitem__(1, 2)), "one child"),
    "feature out of range": (_edit(lambda t: t["split_indices"].__setitem__(0, 2)), "feature outside"),
    "negative feature": (_edit(lambda t: t["split_indices"].__setitem__(0, -1)), "feature outside"),
    "NaN threshold": (_edit(lambda t: t["split_conditions"].__setitem__(0, float("nan"))), "finite"),
    "float32 overflow": (_edit(lambda t: t["split_conditions"].__setitem__(2, 1e39)), "finite"),
    "string index": (_edit(lambda t: t["split_indices"].__setitem__(0, "1")), "not an integer"),
    "null default": (_edit(lambda t: t["default_left"].__setitem__(0, None)), "not an integer"),
    "fractional child": (_edit(lambda t: t["left_children"].__setitem__(0, 1.5)), "not an integer"),
    "short array": (_edit(lambda t: t["split_conditions"].pop()), "entries for 3 nodes"),
    "categorical split": (_edit(lambda t: t["split_type"].__setitem__(0, 1)), "categorical"),
    "node count": (_edit(lambda t: t["tree_param"].__setitem__("num_nodes", "10000000")), "nodes"),
    "huge integer": (_edit(lambda t: t["tree_param"].__setitem__("num_nodes", "9" * 5000)), "not an integer"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_malformed_models_are_refused_with_a_reason(case: str) -> None:
    text, reason = REFUSED[case]
    with pytest.raises(ModelFormatError, match=reason):
        parse_model(text)


def _chain(depth: int) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for level in range(depth):
        split = {
            "left": 2 * level + 1,
            "right": 2 * level + 2,
            "feature": 0,
            "condition": 0.0,
            "default_left": 1,
        }
        nodes += [split, leaf(float(level))] if level < depth - 1 else [split, leaf(1.0), leaf(2.0)]
    # Node numbering: split k at 2k, its leaf at 2k+1, the next split at 2k+2.
    return nodes


def test_depth_is_measured_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    model = parse_model(encoded(document([_chain(10), stump()])))
    assert model.depth == 10
    # a value >= 0 runs down the chain to the last right leaf; NaN takes the first default-left leaf
    margins = model.margins(np.array([[1.0, 1.0], [np.nan, 1.0]], dtype=np.float32))
    assert margins.tolist() == pytest.approx([2.0 + 2.0, 0.0 + 2.0])
    monkeypatch.setattr(trees, "MAX_TREE_DEPTH", 9)
    with pytest.raises(ModelFormatError, match="deeper than 9"):
        parse_model(encoded(document([_chain(10)])))


def test_node_and_tree_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trees, "MAX_NODES", 5)
    with pytest.raises(ModelFormatError, match="over the limit of 5"):
        parse_model(encoded(document([stump(), stump()])))
    monkeypatch.setattr(trees, "MAX_TREES", 1)
    with pytest.raises(ModelFormatError, match="over the limit of 1"):
        parse_model(encoded(document([stump(), stump()])))


def test_many_rows_are_scored_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trees, "_BLOCK_CELLS", 4)
    model = parse_model(encoded(document([stump(), stump()], objective="binary:logitraw")))
    rows = np.array([[0, value] for value in np.linspace(0, 1, 11)], dtype=np.float32)
    assert model.margins(rows).tolist() == [-2.0] * 5 + [4.0] * 6
    assert model.margins(np.empty((0, 2), dtype=np.float32)).shape == (0,)
    with pytest.raises(ValueError, match="matrix"):
        model.margins(np.zeros((1, 3), dtype=np.float32))
