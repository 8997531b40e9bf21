"""Processing step: validate the raw CSV and write a stratified, seeded train/validation/evaluation split.

Bad data never reaches training: the step exits with code 2 and a message naming the file, column,
line and fix, and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import pandas as pd
from sklearn.model_selection import train_test_split

from runtime.features.columns import parse_column_list, resolve_columns
from runtime.features.derived import DerivedFeature, parse_derived_features
from runtime.features.spec import check_feature_parameters, fit_feature_spec
from runtime.registry.model_package import write_training_data

MIN_ROWS = 20
MIN_ROWS_PER_CLASS = 2
_LABELS = {"0": 0, "1": 1, "0.0": 0, "1.0": 1, "false": 0, "true": 1}


class DataError(ValueError):
    """The input data cannot be used; the message says where and how to fix it."""


def load_csv(path: Path) -> pd.DataFrame:
    """The CSV with every value as a string (NaN where empty), so nothing is silently re-typed."""
    if not path.is_file():
        present = ", ".join(sorted(p.name for p in path.parent.glob("*"))) or "nothing"
        raise DataError(
            f"{path.name} not found in {path.parent} (found: {present}); upload the file or fix the name"
        )
    try:
        frame = pd.read_csv(path, dtype=str)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path.name} is empty; provide a CSV with a header row and data rows") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DataError(f"{path.name} is not a readable CSV ({error}); fix the file's format") from None
    if frame.empty:
        raise DataError(f"{path.name} has a header but no data rows; add labelled rows")
    return frame


def labels(frame: pd.DataFrame, target: str, file: str) -> pd.Series:
    """The target as 0/1 integers; it must be 0/1 or true/false in every row."""
    if target not in frame.columns:
        raise DataError(
            f"target column {target!r} missing from {file}; columns are: {', '.join(frame.columns)}. "
            "Set the Target parameter to the label column"
        )
    text = frame[target].str.strip().str.lower()
    mapped = text.map(_LABELS)
    bad = mapped.isna()
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise DataError(
            f"target column {target!r} in {file}: line {row + 2} has {frame[target].iloc[row]!r}; "
            "the target must be 0/1 or true/false in every row (binary classification)"
        )
    return mapped.astype(int)


def check_columns(frame: pd.DataFrame, columns: Sequence[str], file: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"column(s) {', '.join(map(repr, missing))} missing from {file}; columns are: "
            f"{', '.join(frame.columns)}. Fix FeatureColumns/CategoricalColumns/DerivedFeatures"
        )


def check_numeric(frame: pd.DataFrame, columns: Sequence[str], file: str) -> None:
    for column in columns:
        text = frame[column].str.strip()
        numbers = pd.to_numeric(text, errors="coerce")
        bad = (text.notna() & (text != "") & numbers.isna()) | numbers.isin([float("inf"), float("-inf")])
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise DataError(
                f"column {column!r} in {file}: line {row + 2} has {frame[column].iloc[row]!r}, which is "
                "not a number; fix the value, leave it empty, or list the column in CategoricalColumns"
            )


def check_classes(target: pd.Series, name: str, file: str, *, min_rows: int, per_class: int) -> None:
    if len(target) < min_rows:
        raise DataError(f"{file} has {len(target)} rows; at least {min_rows} labelled rows are needed")
    counts = target.value_counts()
    for label in (0, 1):
        if counts.get(label, 0) < per_class:
            raise DataError(
                f"{file}: target {name!r} has {counts.get(label, 0)} row(s) of class {label}; "
                f"each class needs at least {per_class} row(s)"
            )


def prepare(frame: pd.DataFrame, args: argparse.Namespace, file: str) -> pd.DataFrame:
    """Validated frame with only the needed raw columns and a 0/1 target."""
    columns = {str(name): frame[name].to_numpy(dtype=object) for name in frame.columns}
    features, categorical = resolve_columns(
        columns,
        target=args.target,
        id_column=args.id_column,
        feature_columns=args.feature_columns,
        categorical_columns=args.categorical_columns,
    )
    derived: tuple[DerivedFeature, ...] = parse_derived_features(args.derived_features)
    check_feature_parameters(
        target=args.target, feature_columns=features, categorical_columns=categorical, derived=derived
    )
    target = labels(frame, args.target, file)
    needed = list(dict.fromkeys([*features, *(s for d in derived for s in d.sources)]))
    check_columns(frame, needed, file)
    sum_sources = [s for d in derived if d.function == "sum" for s in d.sources]
    check_numeric(
        frame, list(dict.fromkeys([*(c for c in features if c not in categorical), *sum_sources])), file
    )
    fit_feature_spec(
        columns,
        target=args.target,
        feature_columns=features,
        categorical_columns=categorical,
        derived=derived,
        required=parse_column_list(args.required_columns, "RequiredColumns"),
    )  # a dry run: same checks training will make, before anything is written
    # Every column stays: training resolves the same defaults on the same header, and records the
    # unused ones as known fields of the serving contract.
    kept = frame.copy()
    kept[args.target] = target
    return kept


def resolved_lists(frame: pd.DataFrame, args: argparse.Namespace) -> dict[str, str]:
    """FeatureColumns and CategoricalColumns as explicit JSON lists, decided on `frame` when left empty."""
    features, categorical = resolve_columns(
        {str(name): frame[name].to_numpy(dtype=object) for name in frame.columns if name != args.target},
        target=args.target,
        id_column=args.id_column,
        feature_columns=args.feature_columns,
        categorical_columns=args.categorical_columns,
    )
    return {"feature_columns": json.dumps(features), "categorical_columns": json.dumps(categorical)}


def split(frame: pd.DataFrame, args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not 0.0 < args.validation_fraction < 1.0:
        raise DataError(f"ValidationFraction {args.validation_fraction} must be between 0 and 1, e.g. 0.2")
    try:
        train, validation = train_test_split(
            frame, test_size=args.validation_fraction, stratify=frame[args.target], random_state=args.seed
        )
    except ValueError as error:
        raise DataError(
            f"cannot split {len(frame)} rows stratified ({error}); add rows or change ValidationFraction"
        ) from None
    return train, validation


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input-dir", type=Path, default=Path("/opt/ml/processing/input/data"))
    # Each file is its own processing input (one object each), hence its own folder.
    parser.add_argument(
        "--test-dir", type=Path, default=None, help="folder of --test-file; default --input-dir"
    )
    parser.add_argument("--output-dir", type=Path, default=Path("/opt/ml/processing/output"))
    parser.add_argument("--train-file", default="train.csv")
    parser.add_argument(
        "--test-file", default="", help="labelled CSV used for evaluation; empty or --train-file: none"
    )
    parser.add_argument("--target", required=True)
    parser.add_argument("--feature-columns", required=True)
    parser.add_argument("--categorical-columns", default="")
    parser.add_argument("--derived-features", default="")
    parser.add_argument("--id-column", default="")
    parser.add_argument("--required-columns", default="")
    parser.add_argument("--validation-fraction", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args(argv)


def file_name(key: str) -> str:
    """The file a data input's key names: TrainFile is a key such as sha256/<digest>/train.csv (see
    pipeline/content_keys.py), and the job downloads the input's one object as its last segment."""
    return PurePosixPath(key).name


def run(args: argparse.Namespace) -> dict[str, pd.DataFrame]:
    """Validate everything first; return the frames to write, keyed by output folder."""
    train_name = file_name(args.train_file)
    train_frame = prepare(load_csv(args.input_dir / train_name), args, train_name)
    # The test file is checked against the columns decided on the training file, not its own.
    args = argparse.Namespace(**{**vars(args), **resolved_lists(train_frame, args)})
    check_classes(
        train_frame[args.target],
        args.target,
        train_name,
        min_rows=MIN_ROWS,
        per_class=MIN_ROWS_PER_CLASS,
    )
    train, validation = split(train_frame, args)
    evaluation = validation
    # TrainFile's name stands for "no test file": the pipeline cannot leave the test input out.
    if args.test_file and args.test_file != args.train_file:
        test_dir = args.input_dir if args.test_dir is None else args.test_dir
        test_name = file_name(args.test_file)
        evaluation = prepare(load_csv(test_dir / test_name), args, test_name)
        # AUC and the confusion matrix need both classes in the evaluation set.
        check_classes(evaluation[args.target], args.target, test_name, min_rows=2, per_class=1)
    return {"train": train, "validation": validation, "evaluation": evaluation}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        outputs = run(args)
    except ValueError as error:  # DataError and FeatureError: the user's data or parameters
        print(f"preprocess: invalid input: {error}", file=sys.stderr)
        return 2
    for name, frame in outputs.items():
        (args.output_dir / name).mkdir(parents=True, exist_ok=True)
        frame.to_csv(args.output_dir / name / f"{name}.csv", index=False)
        print(f"preprocess: wrote {len(frame)} rows to {name}/{name}.csv")
    # The version records the raw input's digest, not a split's (issue 18): Evaluate passes it on.
    write_training_data(args.output_dir / "evaluation", args.input_dir / file_name(args.train_file))
    return 0


if __name__ == "__main__":
    sys.exit(main())
