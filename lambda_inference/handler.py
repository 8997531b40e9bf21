"""The Lambda entry point: `lambda_inference.handler.lambda_handler`, in AWS and behind `mlpipe serve`.

A thin, typed `lambda_handler` over the pure `handle_event`: parse the event, score the instances with
the loader's current model, answer `{"statusCode", "body"}` where the body holds `predictions`,
`probabilities`, `model_version` (and `warnings` when a value was scored as missing), or
`{"error": {"code", "message"[, "fields"]}}` with a 4xx/503/500 status. The serving contract of the
model's feature spec (runtime/features/contract.py) is applied before scoring.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from typing import Any, Protocol

from lambda_inference.errors import ModelUnavailable, RequestError
from lambda_inference.model_loader import ModelLoader
from lambda_inference.request import PredictionRequest, is_http_event, parse_request
from lambda_inference.served_model import SERVICE_LOGGER, LoadedModel
from runtime.features.contract import ContractViolation, check_records
from runtime.features.errors import FeatureError
from runtime.features.spec import FeatureSpec
from runtime.monitoring.capture import CapturesPredictions
from runtime.monitoring.capture_env import capture_from_environment

logger = logging.getLogger(SERVICE_LOGGER)

JSON_HEADERS = {"content-type": "application/json"}


class ServesModels(Protocol):
    def current(self) -> LoadedModel: ...


class LambdaContext(Protocol):
    aws_request_id: str


def handle_event(
    event: object, loader: ServesModels, request_id: str, capture: CapturesPredictions | None = None
) -> dict[str, Any]:
    """Answer one event; never raises, never puts a stack trace in the answer; `capture` samples it."""
    http = is_http_event(event)
    model_version = None
    try:
        request = parse_request(event)
        model = loader.current()
        model_version = model.label
        warnings = contract_warnings(model.predictor, request)
        prediction = model.predictor.predict_records(request.instances)
        body: dict[str, Any] = {
            "predictions": prediction.labels.tolist(),
            "probabilities": prediction.probabilities.tolist(),
            "model_version": model_version,
        }
        if warnings:
            body["warnings"] = warnings
        if capture is not None:
            _capture(capture, request_id, request, model, prediction)
        return _response(200, body, http)
    except RequestError as bad_request:
        return _error(bad_request.status, bad_request.code, bad_request.message, http)
    except ContractViolation as violation:
        return _error(400, violation.code, violation.message, http, fields=violation.fields)
    except FeatureError as bad_value:
        field = bad_value.column
        return _error(400, "invalid_value", f"field '{field}': {bad_value.reason}", http)
    except ModelUnavailable as unavailable:
        logger.warning("no model to serve", extra={"reason": unavailable.message, "request_id": request_id})
        return _error(503, unavailable.code, unavailable.message, http)
    except Exception:
        logger.exception("unexpected error", extra={"request_id": request_id, "model_version": model_version})
        return _error(
            500,
            "internal_error",
            f"internal error (request id {request_id}); it has been "
            "logged, retry later or report the request id",
            http,
        )


def _response(status: int, body: dict[str, Any], http: bool) -> dict[str, Any]:
    response: dict[str, Any] = {"statusCode": status, "body": json.dumps(body)}
    if http:
        response["headers"] = JSON_HEADERS
    return response


def _error(
    status: int, code: str, message: str, http: bool, fields: list[str] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return _response(status, {"error": error}, http)


def _capture(
    capture: CapturesPredictions,
    request_id: str,
    request: PredictionRequest,
    model: LoadedModel,
    prediction: Any,
) -> None:
    """Hand the validated inputs (the spec's input columns only) and the answer to the capture; a failure
    is logged and never changes the response (runtime/monitoring/capture.py)."""
    try:
        spec = getattr(model.predictor, "spec", None)
        capture.record(
            request_id=request_id,
            version=model.label,
            instances=request.instances,
            probabilities=prediction.probabilities.tolist(),
            labels=prediction.labels.tolist(),
            fields=spec.input_columns if isinstance(spec, FeatureSpec) else (),
        )
    except Exception:
        logger.exception("capture failed; the response is unaffected", extra={"request_id": request_id})


def contract_warnings(predictor: object, request: PredictionRequest) -> list[dict[str, Any]]:
    """The serving contract of the model's feature spec (runtime/features/contract.py); warnings to return.

    A scorer without a spec (a test double) has no contract to apply.
    """
    spec = getattr(predictor, "spec", None)
    if not isinstance(spec, FeatureSpec):
        return []
    return check_records(spec, request.instances, allow_unknown_fields=request.allow_unknown_fields)


class DeferredLoader:
    """Builds the container's loader on first use, so importing the handler does no I/O outside Lambda."""

    def __init__(self, build: Callable[[], ServesModels]) -> None:
        self._build = build
        self._loader: ServesModels | None = None
        self._lock = threading.Lock()

    def current(self) -> LoadedModel:
        loader = self._loader
        if loader is None:
            with self._lock:
                if self._loader is None:
                    self._loader = self._build()
                loader = self._loader
        return loader.current()


LOADER = DeferredLoader(ModelLoader.from_environment)


def _warm_up() -> None:
    """In Lambda, load the model during the init phase so the first request does not pay for it."""
    try:
        LOADER.current()
    except ModelUnavailable as unavailable:
        logger.warning("no model at init", extra={"reason": unavailable.message})
    except Exception:
        logger.exception("model loader failed at init; requests will answer 500 until it works")


if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
    _warm_up()


# Built from the environment at import (no I/O: the store is opened on the first write); None = off.
CAPTURE = capture_from_environment()


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = handle_event(event, LOADER, context.aws_request_id, CAPTURE)
    if CAPTURE is not None:
        CAPTURE.end_invocation()  # a due batch is written before Lambda freezes the environment
    return response
