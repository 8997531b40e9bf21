"""Run the committed pipeline definition locally: store the inputs, upload code bundles, run the engine."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from pipeline.bundles import PROCESSING_BUNDLE, TRAINING_BUNDLE, build_bundles
from pipeline.definition import placeholders
from pipeline.engine import RunResult, run_definition
from pipeline.engine.params import resolve_parameters
from pipeline.engine.progress import Progress
from runtime.settings import Settings, open_registry, open_store
from runtime.store.base import ArtifactStore
from runtime.store.local import LOCAL_BUCKET
from runtime.store.temp_files import remove_stale_temp_files

DEFINITION_PATH = Path(__file__).resolve().parent / "definition" / "pipeline.json"
DATA_PREFIX = f"s3://{LOCAL_BUCKET}/data/"
# Never used to call AWS: the engine runs the scripts with this interpreter instead of the image.
LOCAL_ROLE_ARN = "arn:aws:iam::000000000000:role/mlpipe-local"
LOCAL_IMAGE_URI = "local/mlpipe-xgboost:this-python"


class InputError(ValueError):
    """An input file or input parameter the run cannot use; the message says how to fix it."""


def new_execution_id() -> str:
    """A sortable, unique execution id, e.g. 20250131T120000Z-3fa9c2."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def input_overrides(train: Path, test: Path | None, overrides: Mapping[str, str]) -> dict[str, str]:
    """`overrides` plus TrainFile/TestFile naming the stored inputs; checks the files exist."""
    for flag, path in (("--train", train), ("--test", test)):
        if path is not None and not path.is_file():
            raise InputError(
                f"{flag} {path}: no such file; give the path of a labelled CSV file "
                f"(relative to {Path.cwd()})"
            )
    clashes = sorted({"TrainFile", "TestFile"} & set(overrides))
    if clashes:
        raise InputError(f"--param {', '.join(clashes)} cannot be set directly; use --train and --test")
    if test is not None and test.name == train.name:
        raise InputError(f"--train and --test are both named {train.name}; rename one of the files")
    # No test file: TrainFile's name, so the Preprocess test input is one object (parameters.py).
    return {**overrides, "TrainFile": train.name, "TestFile": test.name if test else train.name}


def store_inputs(store: ArtifactStore, train: Path, test: Path | None) -> None:
    """Put the CSV files where the Preprocess step reads them (the data/ prefix of the local bucket)."""
    for path in (train, test):
        if path is not None:
            store.put_file(path, DATA_PREFIX + path.name)


def upload_bundles(store: ArtifactStore, run_dir: Path, execution_id: str) -> dict[str, str]:
    """Build both code bundles from this checkout and upload them; returns placeholder -> local URI."""
    built = build_bundles(run_dir / "bundles")
    uris = {}
    for placeholder, name in (
        (placeholders.PROCESSING_CODE_URI, PROCESSING_BUNDLE),
        (placeholders.TRAINING_CODE_URI, TRAINING_BUNDLE),
    ):
        uris[placeholder] = f"s3://{LOCAL_BUCKET}/runs/{execution_id}/code/{name}"
        store.put_file(built[name], uris[placeholder])
    return uris


def local_values(settings: Settings, code_uris: Mapping[str, str]) -> dict[str, str]:
    """Placeholder -> local value for every placeholder of the definition."""
    return {
        **code_uris,
        placeholders.ARTIFACT_BUCKET: LOCAL_BUCKET,
        placeholders.PIPELINE_ROLE_ARN: LOCAL_ROLE_ARN,
        placeholders.MODEL_PACKAGE_GROUP: settings.model_package_group,
        placeholders.XGBOOST_IMAGE_URI: LOCAL_IMAGE_URI,
    }


def run_locally(
    settings: Settings,
    *,
    train: Path,
    test: Path | None = None,
    overrides: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    definition_path: Path = DEFINITION_PATH,
) -> RunResult:
    """Execute the pipeline on `train` (and `test`) with the local store and registry of `settings`."""
    parameters = input_overrides(train, test, overrides or {})
    if not definition_path.is_file():
        raise InputError(f"{definition_path} is missing; generate it with `make definition`")
    text = definition_path.read_text()
    # Validate the overrides before anything is stored or built.
    resolve_parameters(json.loads(text).get("Parameters", []), parameters)
    store = open_store(settings)
    # Partial files of killed runs would otherwise stay in the state folder for ever.
    remove_stale_temp_files(settings.home)
    execution_id = new_execution_id()
    run_dir = settings.home / "runs" / execution_id
    store_inputs(store, train, test)
    values = local_values(settings, upload_bundles(store, run_dir, execution_id))
    definition = json.loads(placeholders.substitute(text, values))
    return run_definition(
        definition,
        store=store,
        registry=open_registry(settings),
        run_dir=run_dir,
        execution_id=execution_id,
        overrides=parameters,
        progress=progress,
    )
