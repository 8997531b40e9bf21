"""Markdown tables of docs/benchmarks.md, one function per section, from a results dict."""

from __future__ import annotations

from typing import Any

from bench.stats import format_number, format_summary, ratio
from bench.targets import TargetCheck


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def targets_table(checks: list[TargetCheck]) -> str:
    marks = {True: "met", False: "**missed**", None: "not measured"}
    rows = [
        [f"`{c.figure}`", c.target, "—" if c.value is None else format_number(c.value), marks[c.met]]
        for c in checks
    ]
    return table(["figure", "target", "measured (median)", ""], rows)


def serving_table(results: dict[str, Any]) -> str:
    rows = []
    for label, key, unit in (
        ("dependency bundle", "serving_bundle_mb", "MB"),
        ("cold init (bytecode cached)", "cold_init_s", "s"),
        ("cold init (no .pyc, read-only)", "cold_init_no_bytecode_s", "s"),
        ("init under the Lambda emulator (RIE)", "rie_init_ms", "ms"),
        ("first invoke under the Lambda emulator", "rie_first_invoke_ms", "ms"),
        ("warm latency p50", "warm_p50_ms", "ms"),
        ("warm latency p99", "warm_p99_ms", "ms"),
    ):
        if key not in results:  # results measured before the emulator figures existed
            continue
        ours, original = results[key], results[f"original_{key.replace('serving_', '')}"]
        rows.append(
            [label, format_summary(ours, unit), format_summary(original, unit), f"{ratio(original, ours)}x"]
        )
    return table(["figure", "ours", "original", "original / ours"], rows)


def floor_table(results: dict[str, Any]) -> str:
    """Init under the emulator: ours against handlers that do nothing, measured alternating with it."""
    if "floor_rie_init_ms" not in results:  # results measured before the floor was
        return ""
    rows = [
        [label, format_summary(results[key], "ms")]
        for label, key in (
            ("a handler importing nothing (the runtime's own start)", "floor_rie_init_ms"),
            ("a handler importing only numpy (from our bundle)", "floor_numpy_rie_init_ms"),
            ("ours: numpy, our code, the model loaded", "rie_init_ms"),
        )
    ]
    above = results["rie_init_ms"]["median"] - results["floor_numpy_rie_init_ms"]["median"]
    rows.append(["ours above the numpy floor (medians)", f"{format_number(above)} ms"])
    return table(["init under the Lambda emulator", "measured"], rows)


def batch_table(results: dict[str, Any]) -> str:
    batch = results["batch_rows_per_s"]
    rows = [[f"{int(size):,}", format_summary(batch[size], "rows/s")] for size in sorted(batch, key=int)]
    return table(["rows per call", "throughput"], rows)


def http_table(results: dict[str, Any]) -> str:
    rows = [
        [
            str(level),
            format_summary(results[f"http_rps_c{level}"], "req/s"),
            format_summary(results[f"http_p50_ms_c{level}"], "ms"),
            format_summary(results[f"http_p99_ms_c{level}"], "ms"),
        ]
        for level in (1, 8, 64)
        if f"http_rps_c{level}" in results  # c64 since issue 18: older results files lack it
    ]
    return table(["concurrency", "throughput", "p50", "p99"], rows)


def pipeline_table(results: dict[str, Any]) -> str:
    rows = [["train.csv (891 rows)", format_summary(results["pipeline_wall_s"], "s")]]
    scaling = results["pipeline_scaling"]
    rows += [
        [f"synthetic, {int(n):,} rows", format_summary(scaling[n], "s")] for n in sorted(scaling, key=int)
    ]
    skipped = results.get("pipeline_scaling_skipped", {})
    rows += [[f"synthetic, {int(n):,} rows", f"skipped: {skipped[n]}"] for n in sorted(skipped, key=int)]
    if "pipeline_cached_rerun_steps" in results:  # since issue 17
        steps = results["pipeline_cached_rerun_steps"]
        cached = ", ".join(name for name, outcome in steps.items() if outcome == "cached") or "none"
        label = f"train.csv again, only MinAccuracy changed (from the cache: {cached})"
        rows.append([label, format_summary(results["pipeline_cached_rerun_s"], "s")])
    return table(["input", "wall time of `mlpipe run`"], rows)


def steps_table(results: dict[str, Any]) -> str:
    """Seconds per step: train.csv (median) and each synthetic size (first run)."""
    on_train = results["pipeline_steps_s"]
    sizes = sorted(results.get("pipeline_scaling_steps_s", {}), key=int)
    header = ["step", "train.csv"] + [f"{int(n):,} rows" for n in sizes]
    rows = []
    for step in on_train:
        cells = [format_number(on_train[step]["median"])]
        cells += [format_number(results["pipeline_scaling_steps_s"][n].get(step, 0.0)) for n in sizes]
        rows.append([step, *cells])
    return table(header, rows)


def quality_table(results: dict[str, Any]) -> str:
    rows = [
        [str(run["split_seed"]), f"{run['accuracy_mean']:.4f} ± {run['accuracy_std']:.4f}",
         f"{run['auc_mean']:.4f} ± {run['auc_std']:.4f}"]
        for run in results["cv_runs"]
    ]  # fmt: skip
    rows.append(["**median**", format_summary(results["cv_accuracy"]), format_summary(results["cv_auc"])])
    return table(["fold draw (split seed)", "accuracy (mean ± sd of 25 folds)", "ROC AUC"], rows)


def import_profile_table(profiles: dict[str, dict[str, float]]) -> str:
    rows = []
    for stack, packages in profiles.items():
        total = sum(packages.values())
        listed = ", ".join(f"{name} {format_number(ms)}" for name, ms in packages.items())
        rows.append([stack, f"{format_number(total)} ms", listed])
    return table(["stack", "import total", "self time per top-level package (ms)"], rows)


def versions_table(versions: dict[str, dict[str, str]]) -> str:
    rows = [
        [where, ", ".join(f"{name} {v}" for name, v in found.items())] for where, found in versions.items()
    ]
    return table(["environment", "versions"], rows)
