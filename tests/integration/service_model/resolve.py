"""Render the synthesized pipeline definition into the requests SageMaker makes for each step.

Two layers, each resolved only as far as this template needs (anything else raises, so a new kind of
token fails loudly instead of validating a guess):
- CloudFormation intrinsics (Ref of pseudo parameters, Fn::Sub, Fn::Join, Fn::Select of Fn::Split,
  Fn::GetAtt of a role's Arn, Fn::FindInMap; Fn::ImportValue as a named stand-in), for a test account
  and region;
- pipeline expressions (https://aws-sagemaker-mlops.github.io/sagemaker-model-building-pipeline-definition-JSON-schema/):
  `Get` of parameters and the execution id, `Std:Join`, and step properties / `Std:JsonGet`, which
  only exist at run time and get a typed stand-in (an S3 URI, a SHA-256).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from runtime.registry.model_package import model_card_content

ACCOUNT, REGION = "123456789012", "eu-west-1"
PSEUDO = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
EXECUTION_ID = "a1b2c3d4e5f6"
# Run-time values: every step property the definition reads is an S3 URI; JsonGet reads these paths.
PROPERTY_URI = f"s3://stand-in-{ACCOUNT}/runs/{EXECUTION_ID}/property"
JSON_GET_VALUES: dict[str, object] = {
    "artifact.sha256": "0" * 64,
    "binary_classification_metrics.accuracy.value": 0.8,
    "report.uri": f"{PROPERTY_URI}/report/index.html",
    # What evaluate.py writes for the Register step (runtime/registry/model_package.py).
    "registration.training_data_sha256": "1" * 64,
    "registration.model_card": model_card_content(
        parameters={"max_depth": "4"},
        input_schema={"type": "object"},
        output_schema={"type": "object"},
        metrics={"accuracy": 0.8},
        training_data="train.csv sha256:" + "1" * 64,
    ),
}
PROPERTY_SUFFIXES = ("S3Uri", "S3ModelArtifacts")


def cfn_value(node: Any, template: Mapping[str, Any]) -> str:
    """A CloudFormation string expression as CloudFormation would render it in the test account."""
    if isinstance(node, str):
        return node
    ((function, argument),) = node.items()
    if function == "Ref" and argument in PSEUDO:
        return PSEUDO[argument]
    if function == "Fn::Sub" and isinstance(argument, str):
        return re.sub(r"\$\{([^}]+)\}", lambda match: PSEUDO[match.group(1)], argument)
    if function == "Fn::Join":
        return str(argument[0]).join(cfn_value(item, template) for item in argument[1])
    if function == "Fn::GetAtt" and argument[1] == "Arn":
        assert template["Resources"][argument[0]]["Type"] == "AWS::IAM::Role", argument
        return f"arn:aws:iam::{ACCOUNT}:role/{argument[0]}"
    if function == "Fn::ImportValue":  # another stack's output: a named stand-in, never parsed
        return f"imported:{cfn_value(argument, template)}"
    if function == "Fn::Select":
        index, items = argument
        return _cfn_list(items, template)[int(index)]
    if function == "Fn::FindInMap":
        mapping, first, second = (cfn_value(part, template) for part in argument)
        return str(template["Mappings"][mapping][first][second])
    raise ValueError(f"intrinsic {function} {argument!r} is not resolved by this helper; extend it")


def _cfn_list(node: Any, template: Mapping[str, Any]) -> list[str]:
    """A CloudFormation list expression: a literal list or Fn::Split."""
    if isinstance(node, list):
        return [cfn_value(item, template) for item in node]
    ((function, argument),) = node.items()
    if function == "Fn::Split":
        delimiter, source = argument
        return cfn_value(source, template).split(delimiter)
    raise ValueError(f"list intrinsic {function} {argument!r} is not resolved by this helper; extend it")


def pipeline_definition(template: Mapping[str, Any]) -> dict[str, Any]:
    """The PipelineDefinitionBody of the template's one AWS::SageMaker::Pipeline, tokens resolved."""
    [pipeline] = [r for r in template["Resources"].values() if r["Type"] == "AWS::SageMaker::Pipeline"]
    return dict(
        json.loads(
            cfn_value(pipeline["Properties"]["PipelineDefinition"]["PipelineDefinitionBody"], template)
        )
    )


def parameter_values(definition: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults (typed as declared) with `overrides` on top; an unknown override raises."""
    values = {p["Name"]: p.get("DefaultValue") for p in definition["Parameters"]}
    unknown = set(overrides) - set(values)
    assert not unknown, f"not a parameter of the definition: {sorted(unknown)}"
    return {**values, **overrides}


def expression(node: Any, parameters: Mapping[str, Any]) -> Any:
    """`node` with every pipeline expression evaluated (recursively)."""
    if isinstance(node, list):
        return [expression(item, parameters) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Get"}:
        return _get(node["Get"], parameters)
    if set(node) == {"Std:Join"}:
        values = expression(node["Std:Join"]["Values"], parameters)
        return str(node["Std:Join"]["On"]).join(_text(value) for value in values)
    if set(node) == {"Std:JsonGet"}:
        return JSON_GET_VALUES[node["Std:JsonGet"]["Path"]]
    assert not any(key.startswith("Std:") for key in node), f"unknown function in {node}"
    return {key: expression(value, parameters) for key, value in node.items()}


def _get(path: str, parameters: Mapping[str, Any]) -> Any:
    root, _, rest = path.partition(".")
    if root == "Parameters":
        return parameters[rest]
    if path == "Execution.PipelineExecutionId":
        return EXECUTION_ID
    if root == "Steps" and path.endswith(PROPERTY_SUFFIXES):
        return PROPERTY_URI
    raise ValueError(f"reference {path!r} is not resolved by this helper; extend it")


def _text(value: Any) -> str:
    """How Std:Join renders a value: booleans in lower case, numbers as written."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def steps(definition: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every step, including those inside a Condition's IfSteps and ElseSteps."""
    for step in definition["Steps"]:
        yield step
        for branch in ("IfSteps", "ElseSteps"):
            yield from steps({"Steps": step.get("Arguments", {}).get(branch, [])})
