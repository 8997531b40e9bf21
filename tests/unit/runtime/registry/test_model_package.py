"""The layout of a version's facts in a CreateModelPackage request (runtime/registry/model_package.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sagemaker.core.shapes.model_card_shapes import ModelCardContent

from runtime.model_quality import read_metrics
from runtime.registry.model_package import (
    TRAINING_DATA_FILE,
    model_card_content,
    read_facts,
    read_model_card,
    registration_facts,
    write_training_data,
)

SCHEMA = {"type": "object", "required": ["Age"], "properties": {"Age": {"type": ["number", "null"]}}}


def card(**overrides: object) -> str:
    fields: dict[str, object] = {
        "parameters": {"max_depth": "4", "target": 'a"b\\c'},
        "input_schema": SCHEMA,
        "output_schema": {"type": "object"},
        "metrics": {"accuracy": 0.8},
        "training_data": "train.csv sha256:ab",
    }
    return model_card_content(**{**fields, **overrides})  # type: ignore[arg-type]


def test_model_card_round_trips_parameters_and_schema_even_with_quotes() -> None:
    assert read_model_card(card()) == {
        "parameters": {"max_depth": "4", "target": 'a"b\\c'},
        "input_schema": SCHEMA,
        "output_schema": {"type": "object"},
    }


def test_model_card_follows_the_model_card_shapes_of_the_sagemaker_sdk() -> None:
    """Model package model card schema:
    https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry-details.html#model-card-schema
    """
    content = ModelCardContent.model_validate_json(card())

    assert content.training_details is not None
    job = content.training_details.training_job_details
    assert job is not None and job.training_datasets == ["train.csv sha256:ab"]
    assert [(p.name, p.value) for p in job.hyper_parameters or []] == [
        ("max_depth", "4"),
        ("target", 'a"b\\c'),
    ]


def test_no_model_card_reads_as_empty_and_a_broken_one_is_an_error() -> None:
    assert read_model_card("") == {"parameters": {}, "input_schema": {}, "output_schema": {}}
    with pytest.raises(ValueError, match="ModelCardContent is not valid JSON"):
        read_model_card("{broken")
    with pytest.raises(ValueError, match="input_schema is not a JSON object"):
        read_model_card(json.dumps({"additional_information": {"custom_details": {"input_schema": "[1]"}}}))


def test_metrics_keep_scalars_only() -> None:
    statistics = {
        "binary_classification_metrics": {
            "accuracy": {"value": 0.83, "standard_deviation": "NaN"},
            "auc": {"value": 0.88},
            "flag": {"value": True},
            "confusion_matrix": {"0": {"0": 10}},
        },
        "artifact": {"sha256": "ab"},
    }
    assert read_metrics(json.dumps(statistics).encode(), "s3://b/e.json") == {"accuracy": 0.83, "auc": 0.88}
    with pytest.raises(ValueError, match=r"s3://b/e\.json is not valid JSON"):
        read_metrics(b"<html>", "s3://b/e.json")


def test_facts_of_a_request() -> None:
    request = {
        "InferenceSpecification": {"Containers": [{"Image": "x", "ModelDataUrl": "s3://b/model.tar.gz"}]},
        "ModelMetrics": {"ModelQuality": {"Statistics": {"S3Uri": "s3://b/evaluation.json"}}},
        "CustomerMetadataProperties": {"sha256": "ab", "code.training": "s3://c/t.tar.gz", "other": "x"},
        "ModelCard": {"ModelCardContent": card()},
    }
    facts = read_facts(request, lambda uri: {"accuracy": 0.9} if uri == "s3://b/evaluation.json" else {})

    assert facts["artifact_uri"] == "s3://b/model.tar.gz"
    assert (facts["sha256"], facts["training_data_sha256"], facts["report_uri"]) == ("ab", "", "")
    assert facts["code_version"] == {"training": "s3://c/t.tar.gz"}
    assert facts["metrics"] == {"accuracy": 0.9}
    assert facts["input_schema"] == SCHEMA


def test_registration_facts_carry_the_raw_input_digest_not_a_split(tmp_path: Path) -> None:
    """Issue 18 item 1: the recorded training data is the file the user gave."""
    raw = tmp_path / "train.csv"
    raw.write_text("Survived,Sex\n1,female\n")
    evaluation = tmp_path / "evaluation"
    evaluation.mkdir()
    write_training_data(evaluation, raw)
    (evaluation / "evaluation.csv").write_text("Survived,Sex\n1,female\n0,male\n")

    facts = registration_facts(evaluation, {"parameters": {"eta": "0.1"}}, {"accuracy": 0.7})

    assert json.loads((evaluation / TRAINING_DATA_FILE).read_text())["file"] == "train.csv"
    assert facts["training_data_sha256"] == hashlib.sha256(raw.read_bytes()).hexdigest()
    assert read_model_card(facts["model_card"])["parameters"] == {"eta": "0.1"}
