"""`mlpipe serve` (local Lambda-compatible HTTP server) and `mlpipe predict` (batch or one instance)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from lambda_inference.errors import ModelUnavailable
from lambda_inference.model_loader import ModelLoader
from lambda_inference.request import MAX_INSTANCES
from lambda_inference.served_model import SERVICE_LOGGER, ScoresRecords
from pipeline.batch_predict import BatchInputError, parse_instance, predict_csv
from pipeline.cli.app import app
from pipeline.cli.output import EXIT_USAGE, console, fail
from pipeline.serve import INVOKE_PATH, PREDICT_PATH, PredictionServer
from runtime.features.errors import FeatureError
from runtime.features.predictor import Prediction
from runtime.settings import SettingsError

SAMPLE = '{"instances":[{"Age":80,"Sex":"male","Pclass":3}]}'


def _logs_to_stderr() -> None:
    """The serving code logs JSON to stdout (as Lambda wants); `predict` keeps stdout for its output."""
    for handler in logging.getLogger(SERVICE_LOGGER).handlers:
        if isinstance(handler, logging.StreamHandler):
            # The process's own stderr: a stream swapped in by a test runner may be closed later.
            handler.setStream(sys.__stderr__ or sys.stderr)


def _loader() -> ModelLoader:
    try:
        return ModelLoader.from_environment()
    except SettingsError as error:
        raise fail(str(error), EXIT_USAGE) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port; 0 picks a free one")] = 8080,
) -> None:
    """Serve the approved model over HTTP with the Lambda handler (POST /predict, the Lambda invoke path)."""
    loader = _loader()
    try:
        server = PredictionServer((host, port), loader)
    except OSError as error:
        raise fail(f"cannot listen on {host}:{port} ({error}); pick another --port") from None
    url = f"http://{host}:{server.server_address[1]}"
    try:
        version = f"model version {loader.current().label}"
    except ModelUnavailable as unavailable:
        version = f"no model yet ({unavailable.message}); answering 503 until one is approved"
    out = console()
    out.print(f"serving {version} at {url}{PREDICT_PATH} and {url}{INVOKE_PATH}")
    out.print(f"try: curl -s -XPOST {url}{INVOKE_PATH} -d '{SAMPLE}'", soft_wrap=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        out.print("stopped")
    finally:
        server.server_close()


@app.command()
def predict(
    input_file: Annotated[Path | None, typer.Option("--input", help="CSV of instances to score")] = None,
    output_file: Annotated[Path | None, typer.Option("--output", help="CSV to write (with --input)")] = None,
    id_column: Annotated[str, typer.Option(help="input column copied to the output")] = "PassengerId",
    instance: Annotated[
        list[str] | None, typer.Option("--instance", help="NAME=VALUE of one instance; repeat it")
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(help="the deployed API's /predict URL (SigV4-signed) instead of the local model"),
    ] = None,
) -> None:
    """Predict a CSV file (--input/--output) or one instance (--instance NAME=VALUE ...)."""
    _logs_to_stderr()
    if (input_file is None) == (not instance) or (input_file is not None and output_file is None):
        raise fail("give either --input FILE.csv --output OUT.csv or --instance NAME=VALUE ...", EXIT_USAGE)
    scorer = _scorer(url)
    try:
        if input_file is not None and output_file is not None:
            rows = predict_csv(scorer, input_file, output_file, id_column)
            console().print(f"wrote {rows} predictions to {output_file}", soft_wrap=True)
            return
        prediction = scorer.predict_records([parse_instance(instance or [])])
    except (BatchInputError, FeatureError) as error:
        raise fail(str(error), EXIT_USAGE) from None
    result = {"predictions": prediction.labels.tolist(), "probabilities": prediction.probabilities.tolist()}
    version = getattr(scorer, "version", None)
    typer.echo(json.dumps({**result, "model_version": None if version is None else str(version)}))


def _scorer(url: str | None) -> ScoresRecords:
    """The local model the handler would serve now (same resolution and checks), or the remote API."""
    if url is not None:
        return RemoteScorer(url)
    try:
        return _loader().current().predictor
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
