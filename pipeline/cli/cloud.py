"""Cloud commands (`mlpipe status`, `mlpipe doctor`, `mlpipe data upload`), AWS halves of `run`, `predict`."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console
from rich.table import Table

from pipeline.aws.clients import aws_client
from pipeline.aws.concurrency import ConcurrencyReport, concurrency_report, requested_reservations
from pipeline.aws.errors import CloudError, ParameterError, explain
from pipeline.aws.execution import parse_parameter_assignments, start_execution
from pipeline.aws.follow import EXIT_FAILED, EXIT_SUCCEEDED, follow_execution
from pipeline.aws.outputs import OUTPUTS_FILE_ENV, STACK_PREFIX_ENV, DeployedStack, load_deployed_stack
from pipeline.aws.signed_client import api_error_message, signed_post_json
from pipeline.aws.status import status_document, status_tables
from pipeline.aws.upload import upload_data_files
from pipeline.cli.app import app
from pipeline.cli.output import console as literal_console
from pipeline.cli.output import print_error as _print_error

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
    console = literal_console()

    def action() -> int:
        data_uri = _deployed(outputs_file, stack_prefix).data_uri
        for result in upload_data_files(aws_client("s3"), files, data_uri, force=force):
            line = f"{result.action:9} {result.uri}  {result.size} bytes  sha256 {result.sha256}"
            console.print(line, soft_wrap=True)
        hint = "train on a file with `mlpipe run --backend aws --param TrainFile=<file name>`"
        console.print(hint, soft_wrap=True)
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
        console = literal_console()
        console.print(f"stacks: {', '.join(document['stacks'])}")
        for table in status_tables(document):
            console.print(table)
        return EXIT_SUCCEEDED

    raise typer.Exit(guarded(action))


def _concurrency_table(report: ConcurrencyReport) -> Table:
    table = Table("Lambda concurrency", "executions", title="Account limits against the synthesized app")
    table.add_row("account limit (ConcurrentExecutions)", str(report.account_limit))
    table.add_row("unreserved now (UnreservedConcurrentExecutions)", str(report.unreserved))
    for r in report.reservations:
        table.add_row(f"{r.stack} {r.logical_id} reserves", f"{r.wanted} (deployed: {r.current})")
    table.add_row("unreserved after the deploy", str(report.unreserved_after_deploy))
    return table


@app.command("doctor")
def doctor(
    cdk_out: Annotated[
        Path, typer.Option("--cdk-out", help="output folder of `npx cdk synth -c env=...` to check")
    ] = Path("cdk.out"),
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Before a deploy: does the account's Lambda concurrency quota allow what the app reserves?

    Exits 1 when it does not (Lambda keeps at least 100 executions unreserved).
    """

    def action() -> int:
        requested = requested_reservations(cdk_out)  # before any AWS call: a missing synth is usual
        report = concurrency_report(aws_client("lambda"), aws_client("cloudformation"), requested)
        if json_output:
            typer.echo(json.dumps(report.to_json(), indent=2))
        else:
            console = literal_console()
            console.print(_concurrency_table(report))
            console.print(report.verdict(), soft_wrap=True)
        return EXIT_SUCCEEDED if report.fits else EXIT_FAILED

    raise typer.Exit(guarded(action))
