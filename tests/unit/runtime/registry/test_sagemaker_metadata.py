from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.registry.base import RegistryError
from runtime.registry.sagemaker_metadata import (
    ENTRY_LIMIT,
    VALUE_LIMIT,
    decode_json,
    decode_text,
    encode_properties,
    metrics_document,
    read_metrics,
)

# SageMaker's CustomerMetadataValue pattern, [\p{L}\p{Z}\p{N}_.:/=+\-@], for ASCII.
SAGEMAKER_VALUE = re.compile(r"[A-Za-z0-9 _.:/=+\-@]{1,256}")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=40, deadline=None)
@given(
    text=st.text(max_size=600),
    document=st.dictionaries(st.text(max_size=20), json_values, max_size=8),
)
def test_round_trip_within_sagemaker_limits(text: str, document: dict[str, Any]) -> None:
    properties = encode_properties({"artifact_uri": text}, {"input_schema": document})

    assert decode_text(properties, "artifact_uri") == text
    assert decode_json(properties, "input_schema") == document
    for key, value in properties.items():
        assert len(key) <= 128
        assert len(value) <= VALUE_LIMIT
        if value.isascii():
            assert SAGEMAKER_VALUE.fullmatch(value), (key, value)


def test_plain_values_stay_readable() -> None:
    fields = {"sha256": "ab" * 32, "artifact_uri": "s3://bucket/runs/1/model.tar.gz"}

    assert encode_properties(fields, {}) == fields


def test_long_json_is_split_in_order() -> None:
    schema = {"properties": {f"column_{index}": {"type": "number"} for index in range(50)}}

    properties = encode_properties({}, {"input_schema": schema})

    assert len(properties) > 1
    assert list(properties) == [f"input_schema.b64.{index}" for index in range(len(properties))]
    assert list(decode_json(properties, "input_schema")["properties"]) == list(schema["properties"])


def test_absent_fields_read_as_empty() -> None:
    assert decode_text({}, "sha256") == ""
    assert decode_json({}, "input_schema") == {}


def test_too_much_metadata_is_refused_with_the_fix() -> None:
    huge = {"properties": {f"column_{index}": "x" * 40 for index in range(ENTRY_LIMIT * 6)}}

    with pytest.raises(RegistryError, match="SageMaker allows 50; shorten the schema"):
        encode_properties({}, {"input_schema": huge})


def test_metrics_round_trip_and_non_scalars_are_skipped() -> None:
    document = json.loads(metrics_document({"accuracy": 0.83, "roc_auc": 0.88}))
    document["binary_classification_metrics"]["confusion_matrix"] = {"0": {"0": 10, "1": 2}}
    document["binary_classification_metrics"]["flag"] = {"value": True}

    metrics = read_metrics(json.dumps(document).encode(), "s3://b/evaluation.json")

    assert metrics == {"accuracy": 0.83, "roc_auc": 0.88}


def test_unreadable_metrics_name_the_uri() -> None:
    with pytest.raises(RegistryError, match=r"s3://b/evaluation\.json"):
        read_metrics(b"[1, 2]", "s3://b/evaluation.json")
