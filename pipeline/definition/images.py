"""The XGBoost framework container per region, from the SageMaker SDK's offline image configuration.

Import this module only inside `offline.offline_environment()`: the SDK needs a region at import.
"""

from __future__ import annotations

from typing import Any

from sagemaker.core import image_uris

# The SDK lists no Python version for XGBoost images after 1.0-1. 3.0-5 is the newest one whose
# Python is known: its Dockerfile (aws/sagemaker-xgboost-container, docker/3.0-5/base) installs
# Python 3.10, which our step code needs. The SDK also lists 3.2-0, whose Python version could not
# be verified offline; move to it once it is.
XGBOOST_VERSION = "3.0-5"
XGBOOST_PYTHON = "3.10"
IMAGE_SCOPE = "training"


def xgboost_images(version: str = XGBOOST_VERSION) -> dict[str, Any]:
    """{"version": ..., "python": ..., "images": {region: uri}} for every region the SDK knows."""
    config = image_uris.config_for_framework("xgboost")[IMAGE_SCOPE]["versions"]
    if version not in config:
        raise ValueError(
            f"XGBoost image {version} unknown to the installed SageMaker SDK (it knows "
            f"{sorted(config)}); update XGBOOST_VERSION in pipeline/definition/images.py"
        )
    regions = sorted(config[version]["registries"])
    images = {
        region: image_uris.retrieve(
            framework="xgboost", region=region, version=version, image_scope=IMAGE_SCOPE
        )
        for region in regions
    }
    return {"version": version, "python": XGBOOST_PYTHON, "images": images}
