"""Placeholder strings the definition JSON is built with, swapped for real values at deploy or run time.

The SageMaker SDK parses S3 URIs and role ARNs, so CDK tokens cannot go in directly: the builder uses
these literal, well-formed stand-ins and the CDK stack (tokens) or the local engine (local URIs)
substitutes them into the parsed definition afterwards (never into its text).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ARTIFACT_BUCKET = "mlpipe-artifact-bucket-placeholder"
PIPELINE_ROLE_ARN = "arn:aws:iam::111122223333:role/mlpipe-pipeline-role-placeholder"
MODEL_PACKAGE_GROUP = "mlpipe-model-group-placeholder"
PROCESSING_CODE_URI = "s3://mlpipe-code-placeholder/processing.tar.gz"
TRAINING_CODE_URI = "s3://mlpipe-code-placeholder/training.tar.gz"
XGBOOST_IMAGE_URI = "111122223333.dkr.ecr.us-east-1.amazonaws.com/mlpipe-xgboost-placeholder:3.0-5"

# Longest first so that no placeholder is replaced inside another one.
ALL = (
    PIPELINE_ROLE_ARN,
    XGBOOST_IMAGE_URI,
    PROCESSING_CODE_URI,
    TRAINING_CODE_URI,
    MODEL_PACKAGE_GROUP,
    ARTIFACT_BUCKET,
)


def substitute(definition: Any, values: Mapping[str, str]) -> Any:
    """A copy of the PARSED definition with each placeholder (a key of `values`) replaced inside its
    string values. Never into the JSON text: a value holding `"` would end the string it lands in and
    write keys of its own (issue 18: a group name set ModelApprovalStatus to Approved)."""
    unknown = set(values) - set(ALL)
    if unknown:
        raise ValueError(f"not a definition placeholder: {sorted(unknown)}; known: {list(ALL)}")
    ordered = sorted(values, key=len, reverse=True)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, str):
            for placeholder in ordered:
                node = node.replace(placeholder, values[placeholder])
        return node

    return walk(definition)
