"""`mlpipe serve` (local Lambda-compatible HTTP server) and `mlpipe predict` (batch or one instance)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from lambda_inference.errors import ModelUnavailable
from lambda_inference.handler import ServesModels
from lambda_inference.model_loader import ModelLoader
from lambda_inference.request import MAX_INSTANCES
from lambda_inference.served_model import ScoresRecords
from pipeline.batch_predict import (
    BatchInputError,
    CsvOptions,
    check_csv_contract,
    parse_instance,
    predict_csv,
)
from pipeline.canary import loader_from_environment
from pipeline.cli.app import app
from pipeline.cli.output import EXIT_USAGE, console, fail
from pipeline.cli.project import ConfigOption, NameOption, project_or_fail, registered_settings
from pipeline.http_server import MAX_CONNECTIONS, TIMEOUT_SECONDS, bind, run
from pipeline.serve import APP_FACTORY, INVOKE_PATH, PREDICT_PATH, PredictionApp
from pipeline.service_logs import show_service_logs
from runtime.features.errors import FeatureError
from runtime.features.predictor import Prediction
from runtime.names import MODEL_PACKAGE_GROUP_ENV
from runtime.settings import load_settings, open_registry, open_store

SAMPLE = '{"instances":[{"Age":80,"Sex":"male","Pclass":3}]}'


def _loader(name: str | None = None, config: Path | None = None, *, read_only: bool = False) -> ServesModels:
    """The loader of the named model; the group goes into the environment, so server workers serve it too.

    `read_only` (one read, `predict`): the registry is opened read-only, so it works and writes nothing on
    a full disk, and the loader loads once, with no background refresh."""
    settings = registered_settings(None, name, config)
    os.environ[MODEL_PACKAGE_GROUP_ENV] = settings.model_package_group
    try:
        if read_only:
            found = load_settings()
            registry = open_registry(found, read_only=True)
            store = open_store(found)
            return ModelLoader(registry, store, pinned_version=found.model_version, background=False)
        return loader_from_environment()  # splits requests during a canary (pipeline/canary.py)
    except ValueError as error:  # SettingsError, or canary thresholds out of range
        raise fail(str(error), EXIT_USAGE) from None


@app.command()
def serve(
    *,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port; 0 picks a free one")] = 8080,
    workers: Annotated[int, typer.Option(min=1, max=64, help="worker processes sharing the port")] = 1,
    name: NameOption = None,
    config: ConfigOption = None,
    timeout: Annotated[
        int, typer.Option(min=1, help="seconds a client has to send a whole request; idle connections close")
    ] = TIMEOUT_SECONDS,
    max_connections: Annotated[
        int, typer.Option(min=1, help="open connections per worker; beyond it new requests get 503")
    ] = MAX_CONNECTIONS,
) -> None:
    """Serve the approved model over HTTP with the Lambda handler (POST /predict, the Lambda invoke path)."""
    show_service_logs(sys.stdout)
    loader = _loader(name, config)
    try:
        listener = bind(host, port)
    except OSError as error:
        raise fail(f"cannot listen on {host}:{port} ({error}); pick another --port") from None
    url = f"http://{host}:{listener.getsockname()[1]}"
    try:
        version = f"model version {loader.current().label}"
    except ModelUnavailable as unavailable:
        version = f"no model yet ({unavailable.message}); answering 503 until one is approved"
    out = console()
    out.print(f"serving {version} at {url}{PREDICT_PATH} and {url}{INVOKE_PATH}")
    out.print(f"try: curl -s -XPOST {url}{INVOKE_PATH} -d '{SAMPLE}'", soft_wrap=True)
    try:
        run(
            listener,
            PredictionApp(loader),
            factory=APP_FACTORY,
            workers=workers,
            timeout=timeout,
            max_connections=max_connections,
        )
    except KeyboardInterrupt:
        pass  # uvicorn stops gracefully on SIGINT; a second one lands here
    finally:
        listener.close()
    out.print("stopped")


@app.command()
def predict(
    *,
    input_file: Annotated[Path | None, typer.Option("--input", help="CSV of instances to score")] = None,
    output_file: Annotated[Path | None, typer.Option("--output", help="CSV to write (with --input)")] = None,
    id_column: Annotated[
        str | None,
        typer.Option(
            help="input column copied to the output  [default: mlpipe.toml's id_column, else row numbers]"
        ),
    ] = None,
    allow_unknown_columns: Annotated[
        bool, typer.Option("--allow-unknown-columns", help="score rows with columns the model does not know")
    ] = False,
    name: NameOption = None,
    config: ConfigOption = None,
    instance: Annotated[
        list[str] | None, typer.Option("--instance", help="NAME=VALUE of one instance; repeat it")
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(help="the deployed API's /predict URL (SigV4-signed) instead of the local model"),
    ] = None,
) -> None:
    """Predict a CSV file (--input/--output) or one instance (--instance NAME=VALUE ...)."""
    # The process's own stderr: a stream swapped in by a test runner may be closed later.
    show_service_logs(sys.__stderr__ or sys.stderr)  # stdout is predict's output
    if (input_file is None) == (not instance) or (input_file is not None and output_file is None):
        raise fail("give either --input FILE.csv --output OUT.csv or --instance NAME=VALUE ...", EXIT_USAGE)
    scorer = _scorer(url, name, config)
    options = CsvOptions(allow_unknown_columns=allow_unknown_columns)
    try:
        if input_file is not None and output_file is not None:
            id_column = id_column if id_column is not None else project_or_fail(config).id_column
            rows = predict_csv(scorer, input_file, output_file, id_column, options)
            _print_warnings(options.warnings)
            console().print(f"wrote {rows} predictions to {output_file}", soft_wrap=True)
            return
        record = parse_instance(instance or [])
        options.warnings = check_csv_contract(
            scorer,
            [record],
            done=-1,
            header=list(record),
            allow_unknown_columns=allow_unknown_columns,
            label="--instance",
        )
        prediction = scorer.predict_records([record])
    except (BatchInputError, FeatureError) as error:
        raise fail(str(error), EXIT_USAGE) from None
    result = {"predictions": prediction.labels.tolist(), "probabilities": prediction.probabilities.tolist()}
    version = getattr(scorer, "version", None)
    warnings = {"warnings": options.warnings} if options.warnings else {}
    typer.echo(json.dumps({**result, "model_version": None if version is None else str(version), **warnings}))


def _print_warnings(warnings: list[dict[str, object]]) -> None:
    err = console(stderr=True)
    for warning in warnings:
        err.print(f"warning: data row {warning['instance']}: {warning['message']}", soft_wrap=True)


def _scorer(url: str | None, name: str | None, config: Path | None) -> ScoresRecords:
    """The local model the handler would serve now (same resolution and checks), or the remote API."""
    if url is not None:
        return RemoteScorer(url)
    try:
        return _loader(name, config, read_only=True).current().predictor
    except ModelUnavailable as unavailable:
        raise fail(unavailable.message) from None


class RemoteScorer:
    """Scores through the deployed API, `MAX_INSTANCES` per call (its per-request limit)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.version: str | None = None

    def predict_records(self, records: Sequence[Mapping[str, object]]) -> Prediction:
        from pipeline.cli.cloud import predict_remote  # noqa: PLC0415 (botocore only for remote calls)

        labels: list[int] = []
        probabilities: list[float] = []
        for start in range(0, len(records), MAX_INSTANCES):
            answer = predict_remote(self.url, records[start : start + MAX_INSTANCES])
            labels += answer["predictions"]
            probabilities += answer["probabilities"]
            self.version = answer.get("model_version")
        return Prediction(np.array(labels, dtype=np.int64), np.array(probabilities, dtype=np.float64))
