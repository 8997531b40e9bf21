"""Resolve definition expressions: Get (parameters, execution, step properties), Std:Join, Std:JsonGet."""

from __future__ import annotations

import json
from typing import Any

from pipeline.engine.context import RunContext
from pipeline.engine.errors import EngineError
from pipeline.engine.paths import STEP_REFERENCE, lookup


def resolve(value: Any, context: RunContext) -> Any:
    """`value` with every expression replaced by its value (lists and objects resolved recursively)."""
    if isinstance(value, list):
        return [resolve(item, context) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Get":
            return resolve_get(argument, context)
        if key == "Std:Join":
            return join(argument, context)
        if key == "Std:JsonGet":
            return json_get(argument, context)
        if key.startswith("Std:"):
            raise EngineError(
                f"unsupported function {key}; the local engine knows Get, Std:Join, Std:JsonGet"
            )
    return {key: resolve(item, context) for key, item in value.items()}


def as_text(value: Any) -> str:
    """How SageMaker renders a value inside a string (Join, container arguments)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def join(argument: dict[str, Any], context: RunContext) -> str:
    values = resolve(argument.get("Values", []), context)
    return as_text(argument.get("On", "")).join(as_text(item) for item in values)


def _execution_variables(context: RunContext) -> dict[str, str]:
    return {
        "PipelineExecutionId": context.execution_id,
        "PipelineExecutionArn": f"local:pipeline/{context.pipeline_name}/execution/{context.execution_id}",
        "PipelineName": context.pipeline_name,
        "PipelineArn": f"local:pipeline/{context.pipeline_name}",
    }


def resolve_get(path: str, context: RunContext) -> Any:
    """Value of a `{"Get": path}` reference."""
    root, _, rest = path.partition(".")
    if root == "Parameters":
        if rest not in context.parameters:
            raise EngineError(
                f"reference to undeclared parameter {rest!r}; declared: {sorted(context.parameters)}"
            )
        return context.parameters[rest]
    if root == "Execution":
        variables = _execution_variables(context)
        if rest not in variables:
            raise EngineError(f"unsupported execution variable {path!r}; known: {sorted(variables)}")
        return variables[rest]
    match = STEP_REFERENCE.match(path)
    if match is None or not match.group(2):
        raise EngineError(
            f"unsupported reference {path!r}; expected Parameters.*, Execution.* or Steps.<name>.*"
        )
    step, property_path = match.groups()
    if step not in context.properties:
        raise EngineError(f"reference {path!r} reads step {step}, which has not run in this execution")
    if property_path.startswith("PropertyFiles."):
        return property_file_uri(step, property_path.removeprefix("PropertyFiles."), context)
    return lookup(context.properties[step], property_path, where=f"step {step}'s properties")


def property_file_uri(step: str, file_name: str, context: RunContext) -> str:
    """S3 URI of a step's property file: its output's S3Uri joined with the file's FilePath."""
    declared = {f["PropertyFileName"]: f for f in context.definitions[step].get("PropertyFiles", [])}
    if file_name not in declared:
        raise EngineError(
            f"step {step} declares no property file {file_name!r}; declared: {sorted(declared)}"
        )
    output_name = declared[file_name]["OutputName"]
    outputs = context.properties[step].get("ProcessingOutputConfig", {}).get("Outputs", [])
    output = lookup(outputs, f"['{output_name}']", where=f"step {step}'s outputs")
    return f"{output['S3Output']['S3Uri'].rstrip('/')}/{declared[file_name]['FilePath']}"


def json_get(argument: dict[str, Any], context: RunContext) -> Any:
    """Std:JsonGet: read a JSON file (a property file or an S3 URI) and take the value at Path."""
    source = argument.get("PropertyFile", argument.get("S3Uri"))
    if source is None:
        raise EngineError(f"Std:JsonGet needs PropertyFile or S3Uri; got keys {sorted(argument)}")
    uri = resolve(source, context)
    try:
        document = json.loads(context.store.get_bytes(uri))
    except json.JSONDecodeError as error:
        raise EngineError(f"property file {uri} is not valid JSON: {error}") from None
    return lookup(document, argument["Path"], where=f"property file {uri}")
