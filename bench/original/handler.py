"""The original project's Lambda handler style: pandas DataFrame, LabelEncoder per column, fillna(0).

Runs only in the isolated original environment (see bench/original/__init__.py). Kept faithful on
purpose, including what this project replaced: a joblib (pickle) model, `fillna(0)` at serving time.
"""

from __future__ import annotations

import json
import os
from typing import Any

import joblib
import pandas as pd

MODEL_PATH = os.environ.get("MODEL_PATH", "model.joblib")

# Loaded at import, as the original did: {"model": XGBClassifier, "encoders": {column: LabelEncoder},
# "features": [column, ...]}.
artifact = joblib.load(MODEL_PATH)
model = artifact["model"]
encoders = artifact["encoders"]
features = artifact["features"]


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:  # noqa: ARG001 (Lambda's signature)
    payload = json.loads(event["body"]) if "body" in event else event
    frame = pd.DataFrame(payload["instances"])
    for column, encoder in encoders.items():
        frame[column] = encoder.transform(frame[column].astype(str))
    frame = frame[features].fillna(0)
    probabilities = model.predict_proba(frame)[:, 1]
    body = {
        "predictions": (probabilities >= 0.5).astype(int).tolist(),
        "probabilities": probabilities.tolist(),
    }
    return {"statusCode": 200, "body": json.dumps(body)}
