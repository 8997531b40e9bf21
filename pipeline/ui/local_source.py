"""The local backend: the SQLite registry and folder store under MLPIPE_HOME, run folders beside them.

Read-only where it can be: nothing is created when the state folder or the registry does not exist.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import typer

from pipeline.cli.deploy import history_entries
from pipeline.cli.models import sync_stages
from pipeline.cli.project import registered_groups
from pipeline.ui.runs import RunView, list_runs, read_log, read_run, run_folder
from pipeline.ui.source import SourceError
from runtime.registry.base import ModelRegistry, RegistryError
from runtime.settings import REGISTRY_FILE, Settings, model_name, open_registry, open_store
from runtime.store.base import StoreError


class LocalSource:
    backend = "local"
    writes_allowed = True
    writes_refused_because = ""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.location = f"state folder {settings.home}"
        self._store = open_store(settings)

    def model_names(self) -> list[str]:
        return list(self._groups())

    def _groups(self) -> dict[str, str]:
        """Name -> group of every model; the settings' model when names cannot be listed; none yet: {}."""
        if not (self.settings.home / REGISTRY_FILE).is_file():
            return {}
        try:
            groups = registered_groups(self.settings)
        except typer.Exit:  # unreadable registry: already reported on stderr
            groups = []
        return {model_name(group): group for group in groups or [self.settings.model_package_group]}

    def _settings_of(self, name: str) -> Settings:
        group = self._groups().get(name)
        if group is None:
            raise SourceError(f"no model named {name!r} in {self.settings.home}")
        return replace(self.settings, model_package_group=group)

    def registry(self, name: str) -> ModelRegistry:
        return open_registry(self._settings_of(name))

    def history(self, name: str) -> list[dict[str, Any]]:
        """The deployment history `mlpipe models history` prints, oldest first."""
        try:
            return history_entries(self._settings_of(name))
        except (RegistryError, StoreError, ValueError) as error:
            raise SourceError(f"cannot read the deployment history: {error}") from None

    def read_object(self, uri: str) -> bytes:
        return self._store.get_bytes(uri)

    def runs(self) -> list[RunView]:
        return list_runs(self.settings.home)

    def run(self, run_id: str) -> RunView:
        try:
            return read_run(run_folder(self.settings.home, run_id))
        except FileNotFoundError as error:
            raise SourceError(str(error)) from None

    def log(self, run_id: str, step: str) -> str:
        try:
            return read_log(self.settings.home, run_id, step)
        except FileNotFoundError as error:
            raise SourceError(str(error)) from None

    def logs(self, run: RunView) -> dict[str, str]:
        return {step.name: self.log(run.run_id, step.name) for step in run.steps}

    def after_decision(self, registry: ModelRegistry) -> None:
        """Locally the CLI's rule: Production for the live version, Archived for the one it replaced."""
        sync_stages(registry)
