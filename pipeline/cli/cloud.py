"""Cloud commands (`mlpipe status`, `mlpipe data upload`) and the AWS halves of `run` and `predict`."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console
from rich.markup import escape

from pipeline.aws.clients import aws_client
from pipeline.aws.errors import CloudError, ParameterError, explain
from pipeline.aws.execution import parse_parameter_assignments, start_execution
from pipeline.aws.follow import EXIT_FAILED, EXIT_SUCCEEDED, follow_execution
from pipeline.aws.outputs import OUTPUTS_FILE_ENV, STACK_PREFIX_ENV, DeployedStack, load_deployed_stack
from pipeline.aws.signed_client import api_error_message, signed_post_json
from pipeline.aws.status import status_document, status_tables
from pipeline.aws.upload import upload_data_files
from pipeline.cli.app import app

EXIT_USAGE = 2
data_app = typer.Typer(help="Data in the deployed pipeline's data location.", no_args_is_help=True)
app.add_typer(data_app, name="data")

OutputsFile = Annotated[
    Path | None,
    typer.Option(
        "--outputs-file",
        envvar=OUTPUTS_FILE_ENV,
        help="JSON written by `npx cdk deploy --all --outputs-file FILE`; default: ask CloudFormation",
    ),
]
StackPrefix = Annotated[
    str | None,
    typer.Option(
        "--stack-prefix", envvar=STACK_PREFIX_ENV, help="CloudFormation stack name prefix of this app"
    ),
]


def _print_error(message: str) -> None:
    Console(stderr=True).print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)


def guarded(action: Callable[[], int]) -> int:
    """Run a cloud action; a failure the user can fix becomes a one-line message and an exit code."""
    try:
        return action()
    except ParameterError as error:
        _print_error(str(error))
        return EXIT_USAGE
    except (CloudError, BotoCoreError, ClientError) as error:
        _print_error(explain(error))
        return EXIT_FAILED


def run_on_aws(
    params: Sequence[str],
    wait: bool = True,
    *,
    outputs_file: Path | None = None,
    stack_prefix: str | None = None,
    console: Console | None = None,
    poll_seconds: float = 10.0,
) -> int:
    """`mlpipe run --backend aws`: validate the parameters, start the deployed pipeline, follow it.

    Returns the exit code: 0 succeeded (or started, with wait=False), 1 failed or stopped, 2 bad parameter,
    130 interrupted. Parameters are checked before any AWS call.
    """
    out = console or Console()

    def action() -> int:
        values = parse_parameter_assignments(params)
        deployed = load_deployed_stack(outputs_file=outputs_file, stack_prefix=stack_prefix)
        sagemaker = aws_client("sagemaker")
        execution_arn = start_execution(sagemaker, deployed.pipeline_name, values)
        out.print(f"started {execution_arn}")
        if not wait:
            out.print("not waiting; follow it with `mlpipe status`")
            return EXIT_SUCCEEDED
        return follow_execution(
            sagemaker, execution_arn, console=out, poll_seconds=poll_seconds, confirm=typer.confirm
        )

    return guarded(action)


def _client_policy_arn() -> str | None:
    """Best effort: the 403 message is still useful when CloudFormation cannot be read."""
    try:
        return load_deployed_stack().outputs.get("ClientPolicyArn")
    except (CloudError, BotoCoreError, ClientError):
        return None


def predict_remote(url: str, instances: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """`mlpipe predict --url`: POST {"instances": [...]} SigV4-signed; returns the API's JSON
    ({"predictions", "probabilities", "model_version"}). On failure prints why and exits 1."""
    try:
        response = signed_post_json(url, {"instances": list(instances)})
        if response.status != 200:
            policy = _client_policy_arn() if response.status == 403 else None
            raise CloudError(api_error_message(url, response, policy))
        result: dict[str, Any] = response.json()
        return result
    except (CloudError, BotoCoreError) as error:
        _print_error(explain(error))
        raise typer.Exit(EXIT_FAILED) from None


def _deployed(outputs_file: Path | None, stack_prefix: str | None) -> DeployedStack:
    return load_deployed_stack(outputs_file=outputs_file, stack_prefix=stack_prefix)


@data_app.command("upload")
def data_upload(
    files: Annotated[list[Path], typer.Argument(help="CSV files; each goes to <DataUri>/<file name>")],
    force: Annotated[bool, typer.Option("--force", help="replace an object of the same name")] = False,
    outputs_file: OutputsFile = None,
    stack_prefix: StackPrefix = None,
) -> None:
    """Upload data files to the pipeline's data location (multipart when large, SHA-256 in metadata)."""
    console = Console()

    def action() -> int:
        data_uri = _deployed(outputs_file, stack_prefix).data_uri
        for result in upload_data_files(aws_client("s3"), files, data_uri, force=force):
            line = f"{result.action:9} {result.uri}  {result.size} bytes  sha256 {result.sha256}"
            console.print(line, soft_wrap=True, highlight=False)
        hint = "train on a file with `mlpipe run --backend aws --param TrainFile=<file name>`"
        console.print(hint, soft_wrap=True, highlight=False)
        return EXIT_SUCCEEDED

    raise typer.Exit(guarded(action))


@app.command("status")
def status(
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    executions: Annotated[int, typer.Option(min=1, max=100, help="how many executions to list")] = 5,
    outputs_file: OutputsFile = None,
    stack_prefix: StackPrefix = None,
) -> None:
    """Show the deployed stacks' outputs, the model version being served and the last pipeline runs."""

    def action() -> int:
        document = status_document(_deployed(outputs_file, stack_prefix), executions)
        if json_output:
            typer.echo(json.dumps(document, indent=2))
            return EXIT_SUCCEEDED
        console = Console()
        console.print(f"stacks: {', '.join(document['stacks'])}")
        for table in status_tables(document):
            console.print(table)
        return EXIT_SUCCEEDED

    raise typer.Exit(guarded(action))
