"""The runtime layer: what every deploy unit ships (feature spec and Predictor, settings, registry
and store adapters). NumPy and the standard library at import time; boto3 and xgboost only where
AWS or a booster is used. Imports nothing from the deploy units, the tooling or the stacks.
"""

__version__ = "0.1.0"  # the package version (pyproject.toml reads it); AWS requests carry mlpipe/<version>
