"""`make definition`: build the pipeline offline and write the committed definition JSON files.

Writes pipeline/definition/pipeline.json and pipeline/definition/xgboost_images.json.
No AWS account, no network.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from pipeline.definition import placeholders
from pipeline.definition.offline import offline_environment, pipeline_session

DEFINITION_DIR = Path(__file__).resolve().parent
REPO_ROOT = DEFINITION_DIR.parents[1]
DEFINITION_PATH = DEFINITION_DIR / "pipeline.json"
IMAGES_PATH = DEFINITION_DIR / "xgboost_images.json"


def to_json_text(document: Any) -> str:
    """The committed form: sorted keys, two-space indent, trailing newline (stable diffs)."""
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def render_definition() -> str:
    """The pipeline definition JSON text, built with placeholders only."""
    with offline_environment():
        # Imported here, not at the top: the SDK needs the offline environment while it imports.
        from pipeline.definition.factory import build_pipeline  # noqa: PLC0415

        session = pipeline_session(default_bucket=placeholders.ARTIFACT_BUCKET)
        definition = build_pipeline(session).definition()
    return to_json_text(json.loads(definition))


def render_images() -> str:
    """The XGBoost image URI per region, for CDK to swap in for the image placeholder."""
    with offline_environment():
        from pipeline.definition.images import xgboost_images  # noqa: PLC0415

        return to_json_text(xgboost_images())


def write_all() -> list[Path]:
    DEFINITION_PATH.write_text(render_definition(), encoding="utf-8")
    IMAGES_PATH.write_text(render_images(), encoding="utf-8")
    return [DEFINITION_PATH, IMAGES_PATH]


def main() -> int:
    started = time.perf_counter()
    # The SDK logs each default it applies and each field it drops for pipelines (expected here:
    # job names, marketplace flag); the written JSON is what gets reviewed and tested.
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("sagemaker").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Running within a PipelineSession")
    for path in write_all():
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    print(f"built in {time.perf_counter() - started:.1f} s (offline, placeholders only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
