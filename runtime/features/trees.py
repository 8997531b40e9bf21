"""XGBoost tree ensembles scored in NumPy from the model's own JSON dump: no xgboost at serving time.

`parse_model` is a bounded reader of `Booster.save_raw("json")`: the text size is capped by the archive
reader, JSON nesting by the interpreter's recursion limit (the C scanner raises RecursionError, never
crashes), and the structure by the limits below, all checked before any array is built. Every tree
must be a proper tree (children numbered after their parent, so no cycles), with finite float32
thresholds and leaf values and feature indices inside the model's width; anything else is refused
with a reason, so a crafted model can neither crash nor hang the serving process.

`TreeEnsemble.margins` walks every tree for every row at once, one level per step, exactly as
XGBoost's CPU predictor does: float32 feature values and thresholds, `value < threshold` goes left,
a missing value (NaN) takes the node's default direction, and leaf values are added tree after tree
in float32 onto the base margin. The objective then maps margins to outputs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from runtime.features.archive import ArchiveError

MAX_TREES = 20_000
MAX_NODES = 1_000_000  # over all trees: about 40 bytes of JSON and 60 of arrays each
MAX_TREE_DEPTH = 64
MAX_FEATURES = 100_000
# Rows per block of the vectorised walk: keeps the (rows x trees) index arrays near 8 MB.
_BLOCK_CELLS = 1 << 20
# binary:logitraw outputs margins and the Predictor maps them to probabilities itself.
SUPPORTED_OBJECTIVES = ("binary:logistic", "binary:logitraw", "binary:hinge")


class ModelFormatError(ArchiveError):
    """The JSON model is malformed, too large, or uses a feature the NumPy scorer does not implement."""


@dataclass(frozen=True)
class TreeEnsemble:
    """All trees of a model as flat node arrays; leaves point to themselves, so extra steps stay put."""

    objective: str
    num_features: int
    base_margin: np.float32
    roots: np.ndarray  # int64, one per tree, in boosting order
    feature: np.ndarray  # int64 split feature per node (0 at leaves)
    threshold: np.ndarray  # float32 split condition per node
    children: np.ndarray  # int64 (nodes, 3): left, right, missing (a leaf: itself three times)
    leaf_value: np.ndarray  # float32 per node (0 at internal nodes)
    depth: int  # longest root-to-leaf path: the number of walk steps

    def margins(self, matrix: np.ndarray) -> np.ndarray:
        """Float32 margin per row of a float32 (rows, num_features) matrix; NaN means missing."""
        matrix = np.asarray(matrix, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[1] != self.num_features:
            raise ValueError(f"expected a (rows, {self.num_features}) matrix, got shape {matrix.shape}")
        block = max(1, _BLOCK_CELLS // max(1, len(self.roots)))
        parts = [self._block_margins(matrix[start : start + block]) for start in range(0, len(matrix), block)]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.float32)

    def outputs(self, matrix: np.ndarray) -> np.ndarray:
        """What `Booster.inplace_predict` returns (float32): probabilities, margins or 0/1 by objective."""
        margins = self.margins(matrix)
        if self.objective == "binary:logistic":
            return _sigmoid32(margins)
        if self.objective == "binary:hinge":
            return (margins > 0).astype(np.float32)
        return margins

    def _block_margins(self, rows: np.ndarray) -> np.ndarray:
        n_rows = rows.shape[0]
        nodes = np.broadcast_to(self.roots, (n_rows, len(self.roots))).copy()
        row_index = np.arange(n_rows)[:, None]
        for _ in range(self.depth):
            values = rows[row_index, self.feature[nodes]]
            # 0 = left (value < threshold), 1 = right (also NaN < t is False), 2 = missing.
            branch = np.where(np.isnan(values), 2, (values >= self.threshold[nodes]).astype(np.int64))
            nodes = self.children[nodes, branch]
        leaves = self.leaf_value[nodes]
        # Sequential float32 accumulation in tree order from the base margin, as XGBoost adds them
        # (np.sum would add pairwise and round differently).
        total = np.empty((n_rows, len(self.roots) + 1), dtype=np.float32)
        total[:, 0] = self.base_margin
        total[:, 1:] = leaves
        return np.cumsum(total, axis=1, dtype=np.float32)[:, -1]


def _sigmoid32(margins: np.ndarray) -> np.ndarray:
    """XGBoost's `common::Sigmoid` in float32: 1 / (expf(min(-x, 88.7)) + 1 + 1e-16).

    expf is correctly rounded in glibc: exp in float64 rounded to float32 gives the same bits, where
    NumPy's own float32 exp differs in the last bit for about a fifth of the inputs. The 1e-16 term
    vanishes in float32 (1 + 1e-16 == 1) and is left out.
    """
    exponent = np.minimum(-margins, np.float32(88.7)).astype(np.float64)
    return (np.float32(1.0) / (np.exp(exponent).astype(np.float32) + np.float32(1.0))).astype(np.float32)


def parse_model(text: bytes) -> TreeEnsemble:
    """The ensemble in `xgboost-model.json`, or ModelFormatError saying what is wrong."""
    if not text.strip():
        raise ModelFormatError("the JSON model is empty; retrain the model")
    try:
        document = json.loads(text)  # bytes: decoded as UTF-8 by the json module
    except (UnicodeDecodeError, ValueError) as error:
        raise ModelFormatError(f"the JSON model is not valid JSON ({error}); retrain the model") from None
    except RecursionError:
        raise ModelFormatError("the JSON model nests deeper than the parser's limit; retrain") from None
    learner = _mapping(_mapping(document, "model").get("learner"), "learner")
    objective = str(_mapping(learner.get("objective"), "learner.objective").get("name"))
    if objective not in SUPPORTED_OBJECTIVES:
        raise ModelFormatError(
            f"objective {objective!r} is not served; train with one of {', '.join(SUPPORTED_OBJECTIVES)}"
        )
    params = _mapping(learner.get("learner_model_param"), "learner_model_param")
    num_features = _check_params(params)
    booster = _mapping(learner.get("gradient_booster"), "gradient_booster")
    if booster.get("name") != "gbtree":
        raise ModelFormatError(f"booster {booster.get('name')!r} is not served; train with booster gbtree")
    trees = _sequence(_mapping(booster.get("model"), "gbtree model").get("trees"), "trees", MAX_TREES)
    if not trees:
        raise ModelFormatError("the JSON model has no trees; train at least one round")
    return _assemble(objective, num_features, _base_margin(objective, params), trees)


def _check_params(params: Mapping[str, Any]) -> int:
    num_features = _integer(params.get("num_feature"), "num_feature")
    if not 1 <= num_features <= MAX_FEATURES:
        raise ModelFormatError(f"num_feature {num_features} is outside 1..{MAX_FEATURES}")
    if _integer(params.get("num_class", "0"), "num_class") > 1:
        raise ModelFormatError("multi-class models are not served; train a binary objective")
    if _integer(params.get("num_target", "1"), "num_target") != 1:
        raise ModelFormatError("multi-target models are not served; train one binary target")
    return num_features


def _base_margin(objective: str, params: Mapping[str, Any]) -> np.float32:
    """The starting margin: base_score (output space, float32) through the objective's ProbToMargin.

    For binary:logistic XGBoost computes `-logf(1.0f / base_score - 1.0f)` in float32. Here the log is
    taken in float64 and rounded to float32: that equals glibc's logf for all but a few scores, where
    it is one float32 ulp (about 1e-7 of margin) away, since glibc's logf is not correctly rounded
    (NumPy's float32 log is off more often; tests/unit/runtime/features/test_tree_parity.py found both).
    The effect on a probability is below 3e-8, far inside the parity tolerance.
    """
    raw = str(params.get("base_score", "")).strip().strip("[]")  # "[3.4E-1]" since 3.1, "3.4E-1" before
    try:
        score = np.float32(float(raw))
    except (ValueError, OverflowError):
        raise ModelFormatError(f"base_score {raw[:40]!r} is not a number; retrain the model") from None
    if objective == "binary:logistic":
        if not 0.0 < score < 1.0:
            raise ModelFormatError(f"base_score {score} of a logistic model must lie in (0, 1)")
        margin = -float(np.float32(math.log(float(np.float32(1.0) / score - np.float32(1.0)))))
    else:
        margin = float(score)
    if not math.isfinite(margin) or abs(margin) > float(np.finfo(np.float32).max):
        raise ModelFormatError(f"base_score {raw[:40]!r} gives no finite margin; retrain the model")
    return np.float32(margin)


_INT_FIELDS = ("left_children", "right_children", "split_indices", "default_left")


def _assemble(
    objective: str, num_features: int, base_margin: np.float32, trees: Sequence[Any]
) -> TreeEnsemble:
    """Flat node arrays of all trees, checked as a whole (one NumPy pass instead of one per tree)."""
    tables = [_mapping(tree, f"tree {number}") for number, tree in enumerate(trees)]
    sizes = np.asarray([_tree_size(tree, number) for number, tree in enumerate(tables)], dtype=np.int64)
    if int(sizes.sum()) > MAX_NODES:
        raise ModelFormatError(f"the model has {int(sizes.sum())} nodes, over the limit of {MAX_NODES}")
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    tree_of = np.repeat(np.arange(len(sizes)), sizes)
    index = np.arange(int(sizes.sum())) - offsets[tree_of]  # each node's number inside its tree
    left, right, feature, default_left = (_field(tables, key, sizes, np.int64) for key in _INT_FIELDS)
    values = _conditions(tables, sizes)
    leaf = left == -1
    _check_structure(sizes=sizes, tree_of=tree_of, index=index, left=left, right=right)
    inner = ~leaf
    outside = (feature < 0) | (feature >= num_features)
    _refuse_any(inner & outside, tree_of, f"a split uses a feature outside 0..{num_features - 1}")
    # split_type is absent in models older than XGBoost 1.6: all splits numerical there.
    typed = [
        tree if "split_type" in tree else {"split_type": [0] * int(size)}
        for tree, size in zip(tables, sizes, strict=True)
    ]
    categorical = _field(typed, "split_type", sizes, np.int64) != 0
    _refuse_any(
        inner & categorical, tree_of, "categorical splits are not served; encode categories as numbers"
    )
    base = offsets[tree_of]
    own = np.arange(len(index))
    missing = np.where(default_left != 0, left, right)
    children = np.stack(
        [np.where(leaf, own, child + base) for child in (left, right, missing)], axis=1
    ).astype(np.int64)
    return TreeEnsemble(
        objective=objective,
        num_features=num_features,
        base_margin=base_margin,
        roots=offsets.astype(np.int64),
        feature=np.where(leaf, 0, feature).astype(np.int64),
        threshold=np.where(leaf, np.float32(0), values).astype(np.float32),
        children=children,
        leaf_value=np.where(leaf, values, np.float32(0)).astype(np.float32),
        depth=_depth(children, offsets.astype(np.int64)),
    )


def _tree_size(tree: Mapping[str, Any], number: int) -> int:
    param = tree.get("tree_param")
    size = _integer(param.get("num_nodes") if isinstance(param, dict) else None, f"tree {number} num_nodes")
    if not 1 <= size <= MAX_NODES:
        raise ModelFormatError(f"tree {number} has {size} nodes; a tree holds 1..{MAX_NODES}")
    for key in (*_INT_FIELDS, "split_conditions", *(("split_type",) if "split_type" in tree else ())):
        items = tree.get(key)  # checked inline: this runs for every tree at every model load
        if not isinstance(items, list) or len(items) != size:
            count = len(items) if isinstance(items, list) else "no"
            raise ModelFormatError(f"tree {number}: {key} has {count} entries for {size} nodes")
    return size


def _check_structure(
    *, sizes: np.ndarray, tree_of: np.ndarray, index: np.ndarray, left: np.ndarray, right: np.ndarray
) -> None:
    leaf = left == -1
    _refuse_any(leaf != (right == -1), tree_of, "a node has one child only")
    if np.bincount(tree_of[leaf], minlength=len(sizes)).min() == 0:
        raise ModelFormatError("a tree has no leaf; the JSON model is corrupt")
    # XGBoost numbers children after their parent; requiring it rules out cycles and self-loops.
    size = sizes[tree_of]
    bad = ~leaf & ((left <= index) | (right <= index) | (left >= size) | (right >= size))
    _refuse_any(bad, tree_of, "a child index is out of order or out of range")


def _conditions(tables: Sequence[Mapping[str, Any]], sizes: np.ndarray) -> np.ndarray:
    """Thresholds and leaf values as float32 (XGBoost's own type): finite, or the model is refused."""
    conditions = _field(tables, "split_conditions", sizes, np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        values = conditions.astype(np.float32)
    if not np.isfinite(values).all():
        raise ModelFormatError("a threshold or leaf value is not a finite float32; retrain the model")
    return values


def _refuse_any(bad: np.ndarray, tree_of: np.ndarray, reason: str) -> None:
    if bad.any():
        raise ModelFormatError(f"tree {int(tree_of[np.argmax(bad)])}: {reason}")


def _field(tables: Sequence[Mapping[str, Any]], key: str, sizes: np.ndarray, dtype: type) -> np.ndarray:
    # Every list's type and length were checked by _tree_size.
    items = list(chain.from_iterable(tree.get(key) or () for tree in tables))
    if len(items) != int(sizes.sum()):
        raise ModelFormatError(f"{key} has the wrong number of entries for the trees' nodes")
    try:
        array = np.asarray(items)  # NumPy infers the type: strings, None or lists are not numbers
    except (OverflowError, ValueError, TypeError):
        raise ModelFormatError(f"{key} holds a value that is not a number") from None
    # Integer fields accept integers (and XGBoost's 0/1 booleans) only; conditions any real number.
    kinds = "iub" if dtype is np.int64 else "iuf"
    if array.dtype.kind not in kinds:
        raise ModelFormatError(
            f"{key} holds a value that is not {'an integer' if kinds == 'iub' else 'a number'}"
        )
    return array.astype(dtype)


def _depth(children: np.ndarray, roots: np.ndarray) -> int:
    """Longest root-to-leaf path, walking all trees level by level; refused beyond MAX_TREE_DEPTH."""
    frontier = roots
    for level in range(MAX_TREE_DEPTH + 1):
        inner = frontier[children[frontier, 0] != frontier]
        if inner.size == 0:
            return level
        # Each node once, even if a malformed model shares children. A mask, not np.unique: that imports
        # numpy.ma, ~10 ms of every cold start (docs/benchmarks.md).
        below = np.zeros(len(children), dtype=bool)
        below[children[inner, :2]] = True
        frontier = np.flatnonzero(below)
    raise ModelFormatError(f"a tree is deeper than {MAX_TREE_DEPTH} levels; train with a smaller max_depth")


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ModelFormatError(f"the JSON model lacks the object {what!r}; is it an XGBoost JSON model?")
    return value


def _sequence(value: Any, what: str, limit: int) -> Sequence[Any]:
    if not isinstance(value, list):
        raise ModelFormatError(f"the JSON model lacks the list {what!r}")
    if len(value) > limit:
        raise ModelFormatError(f"{what} has {len(value)} entries, over the limit of {limit}")
    return value


def _integer(value: Any, what: str) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise ModelFormatError(f"{what} {str(value)[:40]!r} is not an integer") from None
    return number
