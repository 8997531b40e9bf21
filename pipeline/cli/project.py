"""`mlpipe.toml`, the project config file, and which named model a command works on.

The file (stdlib `tomllib`; `--config PATH`, default `./mlpipe.toml` when present) holds the model's
name, target and columns as TOML strings and lists (so commas and spaces in column names work), and
pipeline parameters under `[hyperparameters]` and `[gates]`. `--param` overrides any of it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tomllib
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any

import typer

from pipeline.cli.options import EXIT_FAILED, EXIT_USAGE, BackendName, fail, settings_for
from pipeline.cli.output import console
from runtime.names import CONFIG_ENV, MODEL_PACKAGE_GROUP_ENV
from runtime.registry.sqlite import read_only_uri
from runtime.settings import REGISTRY_FILE, Settings, SettingsError, model_group, model_name

DEFAULT_CONFIG = Path("mlpipe.toml")
# Keys of mlpipe.toml -> pipeline parameter; lists are sent as JSON lists, derived features joined by ";".
LIST_KEYS = {
    "feature_columns": "FeatureColumns",
    "categorical_columns": "CategoricalColumns",
    "required_columns": "RequiredColumns",
}
TEXT_KEYS = {"target": "Target", "id_column": "IdColumn"}
TABLES = ("hyperparameters", "gates")
TOP_LEVEL = {"name", "derived_features", *LIST_KEYS, *TEXT_KEYS, *TABLES}
GROUPS = "SELECT DISTINCT group_name FROM model_versions ORDER BY group_name"

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", envvar=CONFIG_ENV, help="project config file  [default: ./mlpipe.toml when present]"
    ),
]
NameOption = Annotated[
    str | None,
    typer.Option(
        "--name",
        help="model name (one model package group each)  [default: mlpipe.toml's name, or the only model]",
    ),
]


class ConfigError(ValueError):
    """The config file cannot be used; the message names the file, the key and the fix."""


@dataclass(frozen=True, kw_only=True)
class ProjectConfig:
    """What mlpipe.toml says; `parameters` are pipeline parameter overrides as `--param` text."""

    path: Path | None = None
    name: str | None = None
    id_column: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)


def load_project(path: Path | None) -> ProjectConfig:
    """The given file, else ./mlpipe.toml when it exists, else an empty config (generic defaults)."""
    if path is None:
        if not DEFAULT_CONFIG.is_file():
            return ProjectConfig()
        path = DEFAULT_CONFIG
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"--config {path}: no such file; give the path of an mlpipe.toml") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path} is not a readable TOML file ({error}); fix it") from None
    return _project(document, path)


def _project(document: Mapping[str, Any], path: Path) -> ProjectConfig:
    unknown = sorted(set(document) - TOP_LEVEL)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) {', '.join(unknown)}; valid keys: {', '.join(sorted(TOP_LEVEL))}"
        )
    parameters: dict[str, str] = {}
    for key, parameter in TEXT_KEYS.items():
        if key in document:
            parameters[parameter] = _text(document[key], key, path)
    for key, parameter in LIST_KEYS.items():
        if key in document:
            parameters[parameter] = json.dumps(_texts(document[key], key, path))
    if "derived_features" in document:
        parameters["DerivedFeatures"] = ";".join(
            _texts(document["derived_features"], "derived_features", path)
        )
    for table in TABLES:
        values = document.get(table, {})
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: [{table}] must be a table of ParameterName = value")
        parameters.update({str(k): str(v) for k, v in values.items()})
    name = _text(document["name"], "name", path) if "name" in document else None
    return ProjectConfig(path=path, name=name, id_column=parameters.get("IdColumn"), parameters=parameters)


def _text(value: object, key: str, path: Path) -> str:
    if not isinstance(value, str):
        raise ConfigError(f'{path}: {key} must be a string, e.g. {key} = "value"')
    return value


def _texts(value: object, key: str, path: Path) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f'{path}: {key} must be a list of strings, e.g. {key} = ["a", "b c"]')
    return list(value)


def registered_groups(settings: Settings) -> list[str]:
    """Groups with versions in the local registry, read without creating anything."""
    path = settings.home / REGISTRY_FILE
    if not path.is_file():
        return []
    try:
        with closing(sqlite3.connect(read_only_uri(path), uri=True)) as connection:
            rows = connection.execute(GROUPS).fetchall()
    except sqlite3.Error as error:
        raise fail(
            f"cannot read the model registry {path} ({error}); check MLPIPE_HOME", EXIT_FAILED
        ) from None
    return [str(group) for (group,) in rows]


def model_settings(
    backend: BackendName | None, name: str | None, project: ProjectConfig, *, new: bool = False
) -> Settings:
    """Settings for the named model: --name, else mlpipe.toml's name, else MODEL_PACKAGE_GROUP, else the
    deployed stack's group (AWS) or the only model registered (local); otherwise an error listing them.
    Locally a name must be registered already unless the command creates it (`new`, i.e. `mlpipe run`).
    """
    settings = settings_for(backend, discover_group=False)
    chosen = name or project.name
    try:
        group = model_group(chosen) if chosen else None
    except SettingsError as error:
        raise fail(str(error), EXIT_USAGE) from None
    if group is not None:
        if not new and settings.backend == BackendName.local.value:
            _check_registered(settings, group)
        return replace(settings, model_package_group=group)
    if os.environ.get(MODEL_PACKAGE_GROUP_ENV, "").strip():
        return settings
    if settings.backend == BackendName.aws.value:
        return settings_for(backend)
    groups = registered_groups(settings)
    if len(groups) == 1:
        return replace(settings, model_package_group=groups[0])
    where = f"in {settings.home}"
    if not groups:
        raise fail(
            f"no model is registered {where} yet; name one with --name NAME (or name in mlpipe.toml)",
            EXIT_USAGE,
        )
    listed = ", ".join(model_name(group) for group in groups)
    raise fail(f"which model? {len(groups)} are registered {where}: {listed}; pass --name NAME", EXIT_USAGE)


def _check_registered(settings: Settings, group: str) -> None:
    groups = registered_groups(settings)
    if group not in groups:
        listed = ", ".join(model_name(g) for g in groups) or "none"
        message = (
            f"no model named {model_name(group)!r} is registered in {settings.home} (registered: {listed})"
        )
        raise fail(f"{message}; check --name, or train it with `mlpipe run --name NAME`", EXIT_USAGE)


def say_state_folder(settings: Settings) -> None:
    """Every local command names the state folder it uses (on stderr: stdout may be JSON)."""
    if settings.backend == BackendName.local.value:
        console(stderr=True).print(f"state folder: {settings.home} (MLPIPE_HOME)", soft_wrap=True)


def local_state_exists(settings: Settings) -> bool:
    """Read-only commands look, and never create: False when the local registry file is absent."""
    return settings.backend != BackendName.local.value or (settings.home / REGISTRY_FILE).is_file()


def announced_settings(
    backend: BackendName | None, name: str | None, config: Path | None, *, new: bool = False
) -> Settings:
    """`model_settings` for the project file at `config`, naming the state folder it uses."""
    settings = model_settings(backend, name, project_or_fail(config), new=new)
    say_state_folder(settings)
    return settings


def registered_settings(backend: BackendName | None, name: str | None, config: Path | None) -> Settings:
    """`announced_settings` of a model that must be registered already: read-only commands never create
    the local state folder, they say how to fill it."""
    settings = announced_settings(backend, name, config)
    if not local_state_exists(settings):
        raise fail(f"nothing is registered in {settings.home}; train a model with `mlpipe run`", EXIT_FAILED)
    return settings


def project_or_fail(path: Path | None) -> ProjectConfig:
    try:
        return load_project(path)
    except ConfigError as error:
        raise fail(str(error), EXIT_USAGE) from None
