"""`mlpipe report [VERSION]`: where a version's evaluation report is, or open it (`--open`).

The report is what the Evaluate step writes to `<run>/evaluate/report/index.html`; the registry records
its URI with the version (ModelVersion.report_uri). Versions registered before that field existed get
the URI derived from their artifact, which lives in the same run's folder.
"""

from __future__ import annotations

import re
import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import app
from pipeline.cli.options import EXIT_FAILED, BackendOption, fail
from pipeline.cli.project import ConfigOption, NameOption, local_state_exists, model_settings, project_or_fail
from pipeline.definition.layout import run_location, run_prefix
from runtime.registry.base import ModelVersion, RegistryError
from runtime.settings import Settings, open_registry, open_store
from runtime.store.base import ArtifactStore, StoreError
from runtime.store.local import LocalArtifactStore

REPORT_KEY = "evaluate/report/index.html"
REPORT_IN_TEXT = re.compile(r"s3://\S+?/evaluate/report/index\.html")


def report_uri(version: ModelVersion) -> str:
    """The version's report URI: as registered, else next to the run's artifact; "" when unknown."""
    recorded = getattr(version, "report_uri", "")
    if recorded:
        return str(recorded)
    run = run_location(version.artifact_uri)
    return f"{run.prefix}/{REPORT_KEY}" if run else ""


def run_report_uri(bucket: str, group: str, execution_id: str) -> str:
    return f"{run_prefix(bucket, group, execution_id)}/{REPORT_KEY}"


def readable_location(store: ArtifactStore, uri: str) -> str:
    """A path a browser opens for the local store's objects; the s3:// URI otherwise."""
    if isinstance(store, LocalArtifactStore):
        return str(store.path_for(uri))
    return uri


def locations_in(message: str, store: ArtifactStore) -> list[str]:
    """Report locations named in a (Fail step) message, made readable."""
    return [readable_location(store, uri) for uri in REPORT_IN_TEXT.findall(message)]


def local_copy(store: ArtifactStore, uri: str, settings: Settings, version: ModelVersion) -> Path:
    """The report as a local file: the object itself locally, a downloaded copy from S3."""
    if isinstance(store, LocalArtifactStore):
        return store.path_for(uri)
    target = settings.home / "reports" / f"{version.group}-v{version.version}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    store.download(uri, target)
    return target


@app.command()
def report(
    version: Annotated[int | None, typer.Argument(min=1, help="version number; default: the newest")] = None,
    open_it: Annotated[bool, typer.Option("--open", help="open the report in the default browser")] = False,
    name: NameOption = None,
    config: ConfigOption = None,
    backend: BackendOption = None,
) -> None:
    """Print where a version's evaluation report is (a file path locally, an s3:// URI on AWS), or open it."""
    settings = model_settings(backend, name, project_or_fail(config))
    if not local_state_exists(settings):
        raise fail(f"nothing is registered in {settings.home}; train a model with `mlpipe run`", EXIT_FAILED)
    try:
        registry = open_registry(settings)
        versions = registry.list_versions() if version is None else [registry.get_version(version)]
        if not versions:
            raise fail("no versions registered yet; train one with `mlpipe run`", EXIT_FAILED)
        chosen = versions[-1]
        uri = report_uri(chosen)
        if not uri:
            raise fail(
                f"version {chosen.version} has no report (artifact {chosen.artifact_uri})", EXIT_FAILED
            )
        store = open_store(settings)
        if not store.exists(uri):
            raise fail(
                f"version {chosen.version}'s report {uri} is missing; re-run the pipeline", EXIT_FAILED
            )
        if not open_it:
            typer.echo(readable_location(store, uri))
            return
        path = local_copy(store, uri, settings, chosen)
    except (RegistryError, StoreError) as error:
        raise fail(str(error)) from None
    typer.echo(f"opening version {chosen.version}'s report: {path}")
    webbrowser.open(path.resolve().as_uri())
