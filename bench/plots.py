"""The PNG plots of docs/benchmarks.md, drawn from a results dict (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench.stats import format_number

OURS, ORIGINAL = "#1f77b4", "#d62728"


def _bars(ax: Any, labels: list[str], figures: list[dict[str, float]], colours: list[str]) -> None:
    medians = [f["median"] for f in figures]
    errors = [[f["median"] - f["min"] for f in figures], [f["max"] - f["median"] for f in figures]]
    ax.bar(labels, medians, yerr=errors, color=colours, capsize=4)
    for x, value in enumerate(medians):
        ax.annotate(format_number(value), (x, value), ha="center", va="bottom", fontsize=8)


def plot_serving(results: dict[str, Any], path: Path) -> None:
    """Cold init (with and without a bytecode cache) and warm latency, ours vs the original."""
    fig, (cold, warm) = plt.subplots(1, 2, figsize=(10, 4))
    keys = ["cold_init_s", "original_cold_init_s"]
    keys += ["cold_init_no_bytecode_s", "original_cold_init_no_bytecode_s"]
    labels = ["ours", "original", "ours\nno .pyc", "original\nno .pyc"]
    _bars(cold, labels, [results[k] for k in keys], [OURS, ORIGINAL] * 2)
    cold.set_ylabel("seconds (median, min-max)")
    cold.set_title("Cold init: import + model load + first prediction")
    keys = ["warm_p50_ms", "original_warm_p50_ms", "warm_p99_ms", "original_warm_p99_ms"]
    labels = ["ours p50", "original p50", "ours p99", "original p99"]
    _bars(warm, labels, [results[k] for k in keys], [OURS, ORIGINAL] * 2)
    warm.set_yscale("log")
    warm.set_ylabel("milliseconds per call (log)")
    warm.set_title("Warm handler latency, one passenger")
    _save(fig, path)


def plot_batch(results: dict[str, Any], path: Path) -> None:
    batch = results["batch_rows_per_s"]
    sizes = sorted(batch, key=int)
    fig, ax = plt.subplots(figsize=(6, 4))
    medians = [batch[s]["median"] for s in sizes]
    errors = [
        [m - batch[s]["min"] for s, m in zip(sizes, medians, strict=True)],
        [batch[s]["max"] - m for s, m in zip(sizes, medians, strict=True)],
    ]
    ax.errorbar([int(s) for s in sizes], medians, yerr=errors, marker="o", color=OURS, capsize=4)
    ax.set(xscale="log", yscale="log", xlabel="rows per call", ylabel="rows per second")
    ax.set_title("Batch prediction throughput (Predictor, in memory)")
    _save(fig, path)


def plot_scaling(results: dict[str, Any], path: Path) -> None:
    """Pipeline wall time against rows, log-log: train.csv, the synthetic sizes, a proportional reference."""
    scaling = results["pipeline_scaling"]
    sizes = sorted(scaling, key=int)
    rows = [891] + [int(s) for s in sizes]
    seconds = [results["pipeline_wall_s"]["median"]] + [scaling[s]["median"] for s in sizes]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(rows, seconds, marker="o", color=OURS, label="mlpipe run (wall), train.csv then synthetic")
    proportional = [seconds[-1] * r / rows[-1] for r in rows]
    ax.plot(rows, proportional, "--", color="grey", label="proportional to rows (through the largest)")
    ax.set(xscale="log", yscale="log", xlabel="rows", ylabel="seconds")
    ax.set_title("Local pipeline wall time vs data size")
    ax.legend(fontsize=8)
    _save(fig, path)


def plot_http(results: dict[str, Any], path: Path) -> None:
    fig, (rps, latency) = plt.subplots(1, 2, figsize=(9, 3.5))
    _bars(rps, ["c=1", "c=8"], [results["http_rps_c1"], results["http_rps_c8"]], [OURS, OURS])
    rps.set_ylabel("requests per second")
    rps.set_title("mlpipe serve throughput")
    keys = ["http_p50_ms_c1", "http_p99_ms_c1", "http_p50_ms_c8", "http_p99_ms_c8"]
    _bars(latency, ["p50 c=1", "p99 c=1", "p50 c=8", "p99 c=8"], [results[k] for k in keys], [OURS] * 4)
    latency.set_ylabel("milliseconds")
    latency.set_title("Request latency (client on the same machine)")
    _save(fig, path)


def _save(fig: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


PLOTS = {
    "serving.png": plot_serving,
    "batch_throughput.png": plot_batch,
    "http.png": plot_http,
    "pipeline_scaling.png": plot_scaling,
}


def draw_plots(results: dict[str, Any], folder: Path) -> list[Path]:
    """Draw every plot into `folder`; returns the files written."""
    written = []
    for name, draw in PLOTS.items():
        draw(results, folder / name)
        written.append(folder / name)
    return written
