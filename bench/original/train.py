"""Train the original-style model inside the original environment: LabelEncoder + fillna(0) + XGBClassifier.

Run isolated by bench.original.environment: `python -I -S train.py SITE_DIR TRAIN_CSV OUT_PATH`.
Hyperparameters are this project's defaults (max_depth 4, eta 0.05, 300 rounds), so both stacks
score the same number of trees and the serving comparison measures the code, not the model size.
"""

from __future__ import annotations

import sys

FEATURES = ["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]
CATEGORICAL = ["Sex", "Embarked"]


def main(site_dir: str, train_csv: str, out_path: str) -> None:
    sys.path.insert(0, site_dir)
    import joblib
    import pandas as pd
    from sklearn.preprocessing import LabelEncoder
    from xgboost import XGBClassifier

    frame = pd.read_csv(train_csv)
    encoders = {}
    for column in CATEGORICAL:
        encoder = LabelEncoder()
        frame[column] = encoder.fit_transform(frame[column].astype(str))
        encoders[column] = encoder
    model = XGBClassifier(n_estimators=300, max_depth=4, learning_rate=0.05, n_jobs=1, random_state=42)
    model.fit(frame[FEATURES].fillna(0), frame["Survived"])
    joblib.dump({"model": model, "encoders": encoders, "features": FEATURES}, out_path)


if __name__ == "__main__":
    main(*sys.argv[1:4])
