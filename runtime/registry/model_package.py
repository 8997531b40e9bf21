"""The facts of a model version, as a CreateModelPackage request carries them: one format for both backends.

The pipeline's Register step writes them; the local engine reads them from the resolved request, the
SageMaker adapter from DescribeModelPackage (which returns the request's fields). Where each fact goes:

- metrics: the model-quality JSON at `ModelMetrics.ModelQuality.Statistics.S3Uri` (`evaluation.json`);
- artifact: `InferenceSpecification.Containers[0].ModelDataUrl`;
- `sha256`, `training_data_sha256`, `report_uri`, `code.training`, `code.processing`: one
  `CustomerMetadataProperties` entry each (hex digests and s3:// URIs fit its value pattern
  `[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`, 256 characters; JSON does not);
- parameters and input/output schema: the model package's model card (`ModelCard.ModelCardContent`,
  https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry-details.html#model-card-schema):
  `training_details.training_job_details.hyper_parameters` and `additional_information.custom_details`.

Runs inside the XGBoost container too (evaluate.py writes the model card): Python 3.10, stdlib only.
Malformed content raises ValueError; the adapters turn it into their own error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from runtime.hashing import sha256_file
from runtime.model_quality import METRICS_KEY, json_object

PROPERTY_NAMES = ("sha256", "training_data_sha256", "report_uri")
CODE_PREFIX = "code."
CARD_STATUS = "Draft"  # the card documents the version; approving the version is a separate decision
_SCHEMA_DETAILS = ("input_schema", "output_schema")
# Preprocess writes it beside the evaluation split, which is what Evaluate receives.
TRAINING_DATA_FILE = "training-data.json"


def write_training_data(folder: Path, raw_input: Path) -> None:
    """Record the raw input file's name and SHA-256 (not a split's) for Evaluate to pass on."""
    record = {"file": raw_input.name, "sha256": sha256_file(raw_input)}
    (folder / TRAINING_DATA_FILE).write_text(json.dumps(record) + "\n")


def registration_facts(
    evaluation_dir: Path, metadata: Mapping[str, Any], metrics: Mapping[str, float]
) -> dict[str, str]:
    """The `registration` entry of evaluation.json, which the Register step reads (definition/register.py)."""
    record_path = evaluation_dir / TRAINING_DATA_FILE
    record = json_object(record_path.read_text(), str(record_path)) if record_path.is_file() else {}
    sha256 = str(record.get("sha256", ""))
    card = model_card_content(
        parameters=metadata.get("parameters", {}),
        input_schema=metadata.get("input_schema", {}),
        output_schema=metadata.get("output_schema", {}),
        metrics=metrics,
        training_data=f"{record.get('file', '')} sha256:{sha256}" if sha256 else "",
    )
    return {"training_data_sha256": sha256, "model_card": card}


def model_card_content(
    *,
    parameters: Mapping[str, str],
    input_schema: Mapping[str, Any],
    output_schema: Mapping[str, Any],
    metrics: Mapping[str, float],
    training_data: str,
) -> str:
    """ModelCardContent of a model package: parameters, training data, evaluation and schema."""
    card = {
        "training_details": {
            "training_job_details": {
                "hyper_parameters": [
                    {"name": name, "value": str(value)} for name, value in parameters.items()
                ],
                "training_datasets": [training_data] if training_data else [],
            }
        },
        "evaluation_details": [
            {
                "name": "evaluation",
                "metric_groups": [
                    {
                        "name": METRICS_KEY,
                        "metric_data": [
                            {"name": name, "type": "number", "value": float(value)}
                            for name, value in metrics.items()
                        ],
                    }
                ],
            }
        ],
        "additional_information": {
            "custom_details": {
                name: json.dumps(schema, separators=(",", ":"))
                for name, schema in (("input_schema", input_schema), ("output_schema", output_schema))
            }
        },
    }
    return json.dumps(card, separators=(",", ":"))


def read_model_card(content: str) -> dict[str, Any]:
    """`parameters`, `input_schema`, `output_schema` of a model card; empty ones when it has none."""
    card = json_object(content, "ModelCardContent") if content else {}
    job = card.get("training_details", {}).get("training_job_details", {})
    parameters = {str(item["name"]): str(item.get("value", "")) for item in job.get("hyper_parameters", [])}
    details = card.get("additional_information", {}).get("custom_details", {})
    schemas = {name: json_object(details.get(name) or "{}", name) for name in _SCHEMA_DETAILS}
    return {"parameters": parameters, **schemas}


def metrics_uri(package: Mapping[str, Any]) -> str:
    """The model-quality statistics URI of a request or description; empty when it has none."""
    statistics = package.get("ModelMetrics", {}).get("ModelQuality", {}).get("Statistics", {})
    return str(statistics.get("S3Uri", ""))


def read_facts(
    package: Mapping[str, Any], read_metrics_of: Callable[[str], dict[str, float]]
) -> dict[str, Any]:
    """Every recorded fact of a CreateModelPackage request or DescribeModelPackage response."""
    properties = package.get("CustomerMetadataProperties") or {}
    containers = package.get("InferenceSpecification", {}).get("Containers", [])
    uri = metrics_uri(package)
    return {
        "artifact_uri": containers[0].get("ModelDataUrl", "") if containers else "",
        **{name: str(properties.get(name, "")) for name in PROPERTY_NAMES},
        "code_version": {
            key[len(CODE_PREFIX) :]: str(value)
            for key, value in properties.items()
            if key.startswith(CODE_PREFIX)
        },
        "metrics": read_metrics_of(uri) if uri else {},
        **read_model_card(str(package.get("ModelCard", {}).get("ModelCardContent", ""))),
    }
