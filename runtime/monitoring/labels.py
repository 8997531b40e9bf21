"""Live accuracy: delayed ground truth joined to captured predictions, scored like the evaluation.

A label row names its prediction by request id (and the instance's position in the request, when a
request scored several), or by a key column that the captured inputs carry (e.g. a passenger id sent
with the request).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

REQUEST_ID = "request_id"
INSTANCE = "instance"


@dataclass(frozen=True)
class LiveQuality:
    joined: int
    unmatched_labels: int
    accuracy: float
    auc: float | None  # None when the joined labels hold a single class


def _truth(value: object) -> int | None:
    text = str(value).strip().lower()
    return {"1": 1, "1.0": 1, "true": 1, "0": 0, "0.0": 0, "false": 0}.get(text)


def join_labels(
    records: Sequence[Mapping[str, Any]],
    labels: Sequence[Mapping[str, str]],
    *,
    label: str,
    key: str = REQUEST_ID,
) -> tuple[list[tuple[float, int, int]], int]:
    """(probability, predicted, true) per matched label row, and how many label rows matched nothing."""
    index: dict[tuple[str, str], Mapping[str, Any]] = {}
    for record in records:
        if key == REQUEST_ID:
            ids = [
                (str(record.get(REQUEST_ID)), str(record.get(INSTANCE, 0))),
                (str(record.get(REQUEST_ID)), ""),
            ]
        else:
            ids = [(str(record.get("features", {}).get(key)), "")]
        for identifier in ids:
            index.setdefault(identifier, record)
    joined, unmatched = [], 0
    for row in labels:
        truth = _truth(row.get(label, ""))
        instance = row.get(INSTANCE, "") if key == REQUEST_ID else ""
        match = index.get((str(row.get(key, "")).strip(), str(instance).strip()))
        if match is None or truth is None:
            unmatched += 1
            continue
        joined.append((float(match["probability"]), int(match["label"]), truth))
    return joined, unmatched


def auc(probabilities: np.ndarray, truth: np.ndarray) -> float | None:
    """ROC AUC as the Mann-Whitney statistic (ties count a half); None with a single class."""
    positives, negatives = int(truth.sum()), int(len(truth) - truth.sum())
    if positives == 0 or negatives == 0:
        return None
    order = probabilities.argsort(kind="mergesort")
    ranks = np.empty(len(order))
    sorted_values = probabilities[order]
    ranks[order] = np.arange(1, len(order) + 1)
    for value in np.unique(sorted_values):  # average ranks of tied probabilities
        tied = probabilities == value
        ranks[tied] = ranks[tied].mean()
    return float((ranks[truth == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def live_quality(joined: Sequence[tuple[float, int, int]], unmatched: int) -> LiveQuality:
    if not joined:
        raise ValueError("no label row matched a captured prediction; check the key column and the window")
    values = np.asarray(joined, dtype=np.float64)
    truth = values[:, 2].astype(int)
    return LiveQuality(
        joined=len(joined),
        unmatched_labels=unmatched,
        accuracy=float((values[:, 1].astype(int) == truth).mean()),
        auc=auc(values[:, 0], truth),
    )
