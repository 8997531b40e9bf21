"""The report's sections, each a `<section id=...>` of escaped text, tables and inline SVG."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from . import charts


def _section(section_id: str, title: str, content: str) -> str:
    return f'<section id="{section_id}"><h2>{escape(title)}</h2>{content}</section>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(value) for value in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return f'<td class="{"pass" if value else "fail"}">{"pass" if value else "FAIL"}</td>'
    if isinstance(value, float):
        return f'<td class="num">{value:.4f}</td>'
    return f"<td>{escape(str(value))}</td>"


def data(report: dict[str, Any]) -> str:
    d = report["data"]
    balance = ", ".join(f"class {k}: {v['rows']} ({v['share']:.1%})" for k, v in d["class_balance"].items())
    rows = [
        ("evaluated set", d["evaluated"]),
        ("source file", d["file"]),
        ("source rows", d["file_rows"]),
        ("source SHA-256", d["file_sha256"]),
        ("evaluated rows", d["rows"]),
        ("class balance (evaluated)", balance),
        ("training file", d["training_file"]),
    ]
    return _section("data", "Data", _table(("", ""), rows))


def parameters(report: dict[str, Any]) -> str:
    rows = sorted(report["parameters"].items())
    return _section("parameters", "Parameters", _table(("parameter", "value"), rows))


def metrics(report: dict[str, Any]) -> str:
    champion = report["champion"]
    headers = ["metric", "this model", "majority-class baseline"] + (["champion"] if champion else [])
    rows = [
        [name, value, report["baseline"].get(name, "-")]
        + ([champion["metrics"].get(name, "-")] if champion else [])
        for name, value in report["metrics"].items()
    ]
    note = '<p class="note">Baseline: always predict the majority class (its AUC is 0.5).</p>'
    return _section("metrics", "Metrics", _table(headers, rows) + note)


def gate(report: dict[str, Any]) -> str:
    rows = [
        (c["name"], c["detail"], c["value"], f"{c['parameter']} {c['threshold']:g}", c["passed"])
        for c in report["gate"]["checks"]
    ]
    return _section(
        "gate", "Quality gate", _table(("check", "figures", "value", "threshold", "outcome"), rows)
    )


def champion(report: dict[str, Any]) -> str:
    found = report["champion"]
    if not found:
        text = "No champion: no version of this model is live (approved), or the comparison was turned off."
        return _section("champion", "Champion vs challenger", f'<p class="note">{escape(text)}</p>')
    rows = [(name, report["metrics"][name], value) for name, value in found["metrics"].items()]
    source = f'<p class="meta">champion artifact: <span class="hash">{escape(found["uri"])}</span></p>'
    if found["not_comparable"]:
        source += f'<p class="verdict bad">Not gated on: {escape(found["not_comparable"])}.</p>'
    return _section(
        "champion", "Champion vs challenger", source + _table(("metric", "challenger", "champion"), rows)
    )


def curves(report: dict[str, Any]) -> str:
    c, champion = report["curves"], report["champion"]
    roc = [("this model", c["roc"]["false_positive_rates"], c["roc"]["true_positive_rates"])]
    pr = [("this model", c["pr"]["recalls"], c["pr"]["precisions"])]
    if champion:
        roc.append(
            ("champion", champion["roc"]["false_positive_rates"], champion["roc"]["true_positive_rates"])
        )
        pr.append(("champion", champion["pr"]["recalls"], champion["pr"]["precisions"]))
    calibration = report["calibration"]
    observed = [("this model", [b["predicted"] for b in calibration], [b["observed"] for b in calibration])]
    return (
        '<div class="grid2">'
        + _section(
            "curves",
            "ROC curve",
            charts.line_chart("ROC", roc, "false positive rate", "true positive rate", diagonal=True),
        )
        + _section(
            "pr", "Precision-recall curve", charts.line_chart("PR", pr, "recall", "precision", diagonal=False)
        )
        + _section(
            "calibration",
            "Calibration",
            charts.line_chart(
                "Calibration", observed, "mean predicted probability", "observed share", diagonal=True
            )
            + _table(
                ("predicted", "observed", "rows"),
                [(b["predicted"], b["observed"], b["rows"]) for b in calibration],
            ),
        )
        + "</div>"
    )


def thresholds(report: dict[str, Any]) -> str:
    rows = [(f"{t['threshold']:.1f}", t["precision"], t["recall"], t["f1"]) for t in report["thresholds"]]
    note = '<p class="note">Serving predicts class 1 at probability 0.5 or above.</p>'
    return _section(
        "thresholds", "Decision thresholds", _table(("threshold", "precision", "recall", "F1"), rows) + note
    )


def confusion(report: dict[str, Any]) -> str:
    m, target = report["confusion_matrix"], report["target"]
    cells = "".join(
        f"<tr><th>actual {escape(target)} = {a}</th>" + "".join(f"<td>{m[a][p]}</td>" for p in "01") + "</tr>"
        for a in "01"
    )
    head = "".join(f"<th>predicted {escape(target)} = {p}</th>" for p in "01")
    table = f'<table class="matrix"><thead><tr><th></th>{head}</tr></thead><tbody>{cells}</tbody></table>'
    return _section("confusion", "Confusion matrix (threshold 0.5)", table)


def importance(report: dict[str, Any]) -> str:
    gains = sorted(report["importance"].items(), key=lambda item: -item[1])
    shap = report["shap"]
    return (
        '<div class="grid2">'
        + _section("importance", "Feature importance (total gain)", charts.bar_chart("importance", gains))
        + _section(
            "shap",
            f"SHAP summary ({shap['rows']} rows, XGBoost pred_contribs)",
            charts.shap_strip("SHAP", shap["features"]),
        )
        + "</div>"
    )


def features(report: dict[str, Any]) -> str:
    rows = []
    for name, s in report["data_summary"].items():
        if "categories" in s:
            shown = ", ".join(f"{k} ({v})" for k, v in s["categories"].items())
            values = f"{s['distinct']} categories: {shown}"
        elif "min" in s:
            values = f"{s['min']:g} to {s['max']:g} (median {s['median']:g})"
        else:
            values = "no values"
        rows.append((name, f"{s['missing_share']:.1%}", values))
    return _section(
        "features",
        "Input columns (evaluated set)",
        _table(("column", "missing", "range or categories"), rows),
    )
