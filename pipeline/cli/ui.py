"""`mlpipe ui`: models, versions, reports and runs in a browser; approve or reject with a confirmation."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from pipeline.cli.app import app
from pipeline.cli.options import EXIT_USAGE, BackendName, BackendOption, fail, settings_for
from pipeline.cli.output import console
from pipeline.ui.source import UiSource

LOOPBACK_HOSTS = ["127.0.0.1", "localhost"]


def aws_source(backend: BackendName | None, *, allow_writes: bool) -> UiSource:
    """SageMaker and S3 with the standard credential chain; the pipeline name read when a page needs it."""
    from pipeline.aws.outputs import load_deployed_stack  # noqa: PLC0415
    from pipeline.cli.deploy import history_entries  # noqa: PLC0415
    from pipeline.ui.aws_source import AwsSource  # noqa: PLC0415
    from runtime.aws import aws_client  # noqa: PLC0415 - boto3 only when AWS is chosen

    settings = settings_for(backend)
    return AwsSource(
        sagemaker=aws_client("sagemaker"),
        s3=aws_client("s3"),
        logs=aws_client("logs"),
        default_group=settings.model_package_group,
        pipeline_name=lambda: load_deployed_stack(group=settings.model_package_group).pipeline_name,
        allow_writes=allow_writes,
        history=lambda group: history_entries(replace(settings, model_package_group=group)),
    )


def ui_source(backend: BackendName | None, *, allow_writes: bool) -> UiSource:
    settings = settings_for(backend, discover_group=False)
    if settings.backend == BackendName.aws.value:
        return aws_source(backend, allow_writes=allow_writes)
    from pipeline.ui.local_source import LocalSource  # noqa: PLC0415

    return LocalSource(settings)


@app.command()
def ui(
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = 8765,
    host: Annotated[str, typer.Option(help="address to bind; keep the loopback default")] = "127.0.0.1",
    allow_writes: Annotated[
        bool, typer.Option("--allow-writes", help="on AWS, allow approve/reject (local always allows them)")
    ] = False,
    backend: BackendOption = None,
) -> None:
    """Serve the web UI: models, versions (sort, compare), each version's report, runs with their logs.

    Approve and Reject ask for a confirmation and are POSTs with a CSRF token; on AWS they need
    --allow-writes.
    """
    import uvicorn  # noqa: PLC0415 - the web stack loads only for this command

    from pipeline.ui.app import create_app  # noqa: PLC0415

    source = ui_source(backend, allow_writes=allow_writes)
    if host in {"0.0.0.0", "::"}:  # noqa: S104 - refused, not bound
        raise fail(
            "mlpipe ui serves your registry without authentication; bind a loopback address", EXIT_USAGE
        )
    application = create_app(source, hosts=sorted({host, *LOOPBACK_HOSTS}))
    console(stderr=True).print(f"mlpipe ui ({source.backend}, {source.location}): http://{host}:{port}/")
    uvicorn.run(application, host=host, port=port, log_level="warning")
