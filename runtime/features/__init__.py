"""Shared runtime core: the feature spec and the model archive format (NumPy and stdlib only)."""

from runtime.features.archive import (
    ArchiveError,
    ModelFiles,
    read_model_archive,
    write_model_archive,
)
from runtime.features.derived import DerivedFeature, parse_columns, parse_derived_features
from runtime.features.errors import FeatureError
from runtime.features.spec import SPEC_FORMAT, FeatureSpec, check_feature_parameters, fit_feature_spec

__all__ = [
    "SPEC_FORMAT",
    "ArchiveError",
    "DerivedFeature",
    "FeatureError",
    "FeatureSpec",
    "ModelFiles",
    "check_feature_parameters",
    "fit_feature_spec",
    "parse_columns",
    "parse_derived_features",
    "read_model_archive",
    "write_model_archive",
]
