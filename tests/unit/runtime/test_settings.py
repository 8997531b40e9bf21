from __future__ import annotations

from pathlib import Path

import pytest

from runtime.registry.sagemaker import SageMakerModelRegistry
from runtime.registry.sqlite import SqliteModelRegistry
from runtime.settings import Settings, SettingsError, load_settings, open_registry, open_store
from runtime.store.local import LocalArtifactStore
from runtime.store.s3 import S3ArtifactStore


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    settings = load_settings({})

    assert settings == Settings(
        backend="local",
        home=tmp_path / ".mlpipe",
        model_package_group="mlpipe-titanic",
        model_version=None,
        model_refresh_seconds=5.0,
    )


def test_values_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "MLPIPE_BACKEND": "aws",
            "MLPIPE_HOME": str(tmp_path),
            "MODEL_PACKAGE_GROUP": "churn",
            "MODEL_VERSION": "12",
            "MODEL_REFRESH_SECONDS": "0.5",
        }
    )

    assert (settings.backend, settings.home, settings.model_package_group) == ("aws", tmp_path, "churn")
    assert (settings.model_version, settings.model_refresh_seconds) == (12, 0.5)


def test_empty_values_mean_the_default() -> None:
    settings = load_settings({"MLPIPE_BACKEND": "", "MODEL_VERSION": " ", "MODEL_REFRESH_SECONDS": ""})

    assert (settings.backend, settings.model_version, settings.model_refresh_seconds) == ("local", None, 5.0)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MLPIPE_BACKEND", "sagemaker", "set it to local or aws"),
        ("MODEL_VERSION", "latest", "set a version >= 1"),
        ("MODEL_VERSION", "0", "set a version >= 1"),
        ("MODEL_REFRESH_SECONDS", "-1", "seconds >= 0"),
        ("MODEL_REFRESH_SECONDS", "nan", "seconds >= 0"),
        ("MODEL_REFRESH_SECONDS", "soon", "seconds >= 0"),
    ],
)
def test_bad_values_name_the_variable_and_the_fix(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=name) as raised:
        load_settings({name: value})

    assert message in str(raised.value)


def test_local_backends_live_under_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, model_package_group="g")

    store = open_store(settings)
    registry = open_registry(settings)

    assert isinstance(store, LocalArtifactStore)
    assert store.root == tmp_path
    assert isinstance(registry, SqliteModelRegistry)
    assert registry.path == tmp_path / "registry.db"
    assert registry.group == "g"


def test_aws_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    # Creating clients makes no request; fake credentials and region keep it that way.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings = Settings(backend="aws", model_package_group="g")

    registry = open_registry(settings)

    assert isinstance(open_store(settings), S3ArtifactStore)
    assert isinstance(registry, SageMakerModelRegistry)
    assert (registry.group, registry.client.meta.region_name) == ("g", "eu-west-3")
