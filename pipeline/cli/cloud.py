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

from pipeline.aws.concurrency import ConcurrencyReport, concurrency_report, requested_reservations
from pipeline.aws.errors import CloudError, explain
from pipeline.aws.execution import parse_parameter_assignments, start_execution
from pipeline.aws.follow import follow_execution
from pipeline.aws.outputs import DeployedStack, load_deployed_stack
from pipeline.aws.signed_client import api_error_message, signed_post_json
from pipeline.aws.status import status_document, status_tables
from pipeline.aws.upload import upload_data_files
from pipeline.cli.app import app
from pipeline.cli.champion import champion_line, with_champion
from pipeline.cli.local_status import local_status
from pipeline.cli.options import BackendOption, settings_for
from pipeline.cli.output import EXIT_FAILED, EXIT_SUCCEEDED, EXIT_USAGE, fail, print_error
from pipeline.cli.output import console as literal_console
from pipeline.cli.project import NameOption, registered_groups
from pipeline.cli.report import run_report_uri
from pipeline.parameters import ParameterError
from runtime.aws import aws_client
from runtime.names import CLIENT_POLICY_ARN, MODEL_PACKAGE_GROUP_NAME, OUTPUTS_FILE_ENV, STACK_PREFIX_ENV
from runtime.registry.sagemaker import SageMakerModelRegistry
from runtime.settings import Settings, SettingsError, model_group
from runtime.store.base import StoreError
from runtime.store.s3 import S3ArtifactStore

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
        print_error(str(error))
        return EXIT_USAGE
    except (CloudError, StoreError, BotoCoreError, ClientError) as error:
        print_error(explain(error))
        return EXIT_FAILED


def run_on_aws(
    params: Sequence[str],
    wait: bool = True,
    *,
    outputs_file: Path | None = None,
    stack_prefix: str | None = None,
    console: Console | None = None,
    poll_seconds: float = 10.0,
    name: str | None = None,
) -> int:
    """`mlpipe run --backend aws`: validate the parameters, start the deployed pipeline, follow it.

    Returns the exit code: 0 succeeded (or started, with wait=False), 1 failed or stopped, 2 bad parameter,
    130 interrupted. Parameters are checked before any AWS call; a `name` the deployed stacks do not
    serve before any call that changes anything.
    """
    out = console or Console()

    def action() -> int:
        values = parse_parameter_assignments(params)
        group = _named_group(name)
        deployed = load_deployed_stack(outputs_file=outputs_file, stack_prefix=stack_prefix, group=group)
        sagemaker = aws_client("sagemaker")
        registry = SageMakerModelRegistry(deployed.model_package_group, sagemaker)
        values, live = with_champion(values, registry)
        out.print(champion_line(live))
        execution_arn = start_execution(sagemaker, deployed.pipeline_name, values)
        out.print(f"started {execution_arn}")
        # The execution id is the ARN's last segment; Evaluate writes the report under it.
        execution_id = execution_arn.rsplit("/", 1)[-1]
        report = run_report_uri(deployed.artifact_bucket, deployed.model_package_group, execution_id)
        out.print(f"report: {report}")
        if not wait:
            out.print("not waiting; follow it with `mlpipe status`")
            return EXIT_SUCCEEDED
        return follow_execution(
            sagemaker, execution_arn, console=out, poll_seconds=poll_seconds, confirm=typer.confirm
        )

    return guarded(action)


def _named_group(name: str | None) -> str | None:
    try:
        return model_group(name) if name else None
    except SettingsError as error:
        raise ParameterError(f"--name: {error}") from None


def require_deployed(name: str | None, group: str) -> None:
    """`--name` on AWS: exit 1 naming the deployed model unless the deployed stacks serve `group`.

    Reads the outputs (MLPIPE_OUTPUTS_FILE, else CloudFormation) before the command changes anything."""
    if name is None:
        return  # the group came from the deployed stack, MODEL_PACKAGE_GROUP or mlpipe.toml: as before

    def action() -> int:
        load_deployed_stack(group=group)  # refuses a group the deployment does not serve
        return EXIT_SUCCEEDED

    code = guarded(action)
    if code != EXIT_SUCCEEDED:
        raise typer.Exit(code)


def _client_policy_arn() -> str | None:
    """Best effort: the 403 message is still useful when CloudFormation cannot be read."""
    try:
        return load_deployed_stack().outputs.get(CLIENT_POLICY_ARN)
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
        print_error(explain(error))
        raise typer.Exit(EXIT_FAILED) from None


def _deployed(outputs_file: Path | None, stack_prefix: str | None) -> DeployedStack:
    return load_deployed_stack(outputs_file=outputs_file, stack_prefix=stack_prefix)


@data_app.command("upload")
def data_upload(
    files: Annotated[list[Path], typer.Argument(help="CSV files, stored at <DataUri>sha256/<digest>/<name>")],
    force: Annotated[bool, typer.Option("--force", help="replace an object of the same name")] = False,
    outputs_file: OutputsFile = None,
    stack_prefix: StackPrefix = None,
) -> None:
    """Upload data files to the pipeline's data location (multipart when large, SHA-256 in metadata)."""
    console = literal_console()

    def action() -> int:
        data_uri = _deployed(outputs_file, stack_prefix).data_uri
        for result in upload_data_files(S3ArtifactStore(aws_client("s3")), files, data_uri, force=force):
            line = f"{result.action:9} {result.uri}  {result.size} bytes  sha256 {result.sha256}"
            console.print(line, soft_wrap=True)
            # The content-addressed key is the parameter value (pipeline/content_keys.py).
            console.print(f"  train on it: --param TrainFile={result.key}", soft_wrap=True)
        return EXIT_SUCCEEDED

    raise typer.Exit(guarded(action))


@app.command("status")
def status(
    ctx: typer.Context,
    *,
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    executions: Annotated[int, typer.Option(min=1, max=100, help="how many executions to list")] = 5,
    outputs_file: OutputsFile = None,
    stack_prefix: StackPrefix = None,
    backend: BackendOption = None,
    name: NameOption = None,
) -> None:
    """Show the deployed stacks' outputs, the model version being served and the last pipeline runs.

    On AWS, of the model --name selects (default: the only one deployed).
    Locally (the default backend): the state folder, each model with its live version, the last runs.
    """
    settings = settings_for(backend, discover_group=False)
    if settings.backend == "local":
        _refuse_deployment_options(ctx)
        _print_local_status(settings, executions, json_output)
        return

    def action() -> int:
        deployed = load_deployed_stack(
            outputs_file=outputs_file, stack_prefix=stack_prefix, group=_named_group(name)
        )
        if deployed.models:  # several models and no --name: stop, listing them, rather than show half
            deployed.require(MODEL_PACKAGE_GROUP_NAME)
        document = status_document(deployed, executions)
        if json_output:
            typer.echo(json.dumps(document, indent=2))
            return EXIT_SUCCEEDED
        console = literal_console()
        console.print(f"stacks: {', '.join(document['stacks'])}")
        for table in status_tables(document):
            console.print(table)
        return EXIT_SUCCEEDED

    raise typer.Exit(guarded(action))


def _refuse_deployment_options(ctx: typer.Context) -> None:
    """--outputs-file/--stack-prefix/--name typed with the local backend: the user meant AWS; say so, don't
    ignore them. Set through MLPIPE_OUTPUTS_FILE/MLPIPE_STACK_PREFIX they are left alone (shell defaults)."""
    # By name: Typer ships its own copy of Click, whose ParameterSource is not click.core's.
    sources = {name: ctx.get_parameter_source(name) for name in ("outputs_file", "stack_prefix", "name")}
    typed = [
        f"--{name.replace('_', '-')}"
        for name, source in sources.items()
        if source and source.name == "COMMANDLINE"
    ]
    if typed:
        message = f"{' and '.join(typed)} describe a deployed app, and status defaults to the local backend"
        raise fail(f"{message}; add --backend aws (or set MLPIPE_BACKEND=aws)", EXIT_USAGE)


def _print_local_status(settings: Settings, runs: int, json_output: bool) -> None:
    document = local_status(settings, registered_groups(settings), runs)
    if json_output:
        typer.echo(json.dumps(document, indent=2))
        return
    out = literal_console()
    where = "" if document["exists"] else " (does not exist yet: nothing has run here)"
    out.print(f"state folder: {document['state_folder']}{where}", soft_wrap=True)
    models = Table("model", "group", "versions", "live version", title="Models")
    for model in document["models"]:
        live = "none approved" if model["live"] is None else str(model["live"])
        models.add_row(model["name"], model["group"], str(model["versions"]), live)
    out.print(models)
    table = Table("execution", "status", "train file", title="Last runs")
    for run in document["runs"]:
        table.add_row(run["execution_id"], run["status"], run.get("train_file", ""))
    out.print(table)


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
