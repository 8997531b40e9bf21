"""Model registries: SQLite locally, the SageMaker Model Registry in AWS, behind one interface."""

from pipeline.registry.base import (
    APPROVAL_STATUSES,
    STAGES,
    InvalidTransition,
    ModelRegistry,
    ModelVersion,
    Registration,
    RegistryError,
    VersionNotFound,
)
from pipeline.registry.sagemaker import SageMakerModelRegistry
from pipeline.registry.sqlite import SqliteModelRegistry

__all__ = [
    "APPROVAL_STATUSES",
    "STAGES",
    "InvalidTransition",
    "ModelRegistry",
    "ModelVersion",
    "Registration",
    "RegistryError",
    "SageMakerModelRegistry",
    "SqliteModelRegistry",
    "VersionNotFound",
]
