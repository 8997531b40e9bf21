"""Stack outputs: the contract with the cloud commands (docs/architecture.md, pipeline/aws/outputs.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pipeline.aws.outputs import OUTPUT_KEYS
from runtime.names import API_URL, DATA_URI

pytestmark = pytest.mark.slow


def test_the_stacks_declare_exactly_the_outputs_the_cli_reads(templates: dict[str, Any]) -> None:
    declared = [
        key
        for template in templates.values()
        for key in template.get("Outputs", {})
        if not key.startswith("ExportsOutput")  # CDK's own cross-stack reference (the bucket key ARN)
    ]

    assert sorted(declared) == sorted(OUTPUT_KEYS)


def test_api_url_is_the_stage_base_url_and_data_uri_the_data_prefix(templates: dict[str, Any]) -> None:
    api_url = json.dumps(templates["serving"]["Outputs"][API_URL]["Value"])
    data_uri = json.dumps(templates["data"]["Outputs"][DATA_URI]["Value"])

    assert api_url.endswith('"/"]]}') and "execute-api" in api_url
    assert data_uri.startswith('{"Fn::Join": ["", ["s3://"') and data_uri.endswith('"/data/"]]}')
