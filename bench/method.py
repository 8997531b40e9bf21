"""How each figure is measured: written into the JSON (`method`) and the report."""

from __future__ import annotations

METHOD: dict[str, str] = {
    "statistics": (
        "Every figure is the median over repeated runs with min and max (`runs` says how many). "
        "Ours and the original are measured in the same run, alternating, so both see the same load."
    ),
    "bundle": (
        "`pip install --only-binary=:all: --target` of lambda_inference/requirements.txt (ours, "
        "`make lambda-bundle`, plus the serving code) and of bench/original/requirements.txt (original), "
        "both stripped the same way (tests, __pycache__, *.pyc, *.pyi, RECORD, bin/); size as `du -sk`. "
        "boto3 is not counted (the Lambda base image has it)."
    ),
    "cold_init": (
        "A fresh `python -I -S` interpreter that sees only the bundle (and the handler's folder): "
        "import the handler module, then its first answer to an HTTP API event (which loads the model), "
        "timed inside the child from just before the import. Bytecode comes from a cache under "
        "bench/.work/pycache compiled by an uncounted warm-up run (`-X pycache_prefix`); the "
        "'no .pyc' variant (`-B`, empty cache) is a task root whose .pyc files were stripped."
    ),
    "emulator": (
        "AWS's Lambda Runtime Interface Emulator (from the aws-sam-cli wheel) running `python -S -m "
        "awslambdaric HANDLER` in the task root (ours: the bundle, handler from the Dockerfile's CMD; "
        "original: its handler folder, its bundle on PYTHONPATH), one fresh emulator per run, one HTTP API "
        "event. Figures are the emulator's log: `INIT REPORT(durationMs)` (interpreter start, handler "
        "import, model load) and the first `INVOKE RTDONE` duration. Bytecode as for cold_init."
    ),
    "warm_latency": (
        "In the same child after the cold start: the handler called again with the same one-passenger "
        "HTTP API event, each call timed with perf_counter_ns; p50 and p99 per child."
    ),
    "original_stack": (
        "bench/original/handler.py: pandas DataFrame, a scikit-learn LabelEncoder per categorical column, "
        "fillna(0), XGBClassifier.predict_proba, model loaded with joblib at import. Its model is trained "
        "in its own environment by bench/original/train.py with this project's default depth, learning "
        "rate and rounds (same number of trees)."
    ),
    "batch": (
        "pipeline.batch_predict.predict_rows with the served Predictor on test.csv rows (cycled to the "
        "batch size, values as text as read from a CSV), in memory: no CSV I/O; one uncounted warm-up call."
    ),
    "http": (
        "`mlpipe serve` as a subprocess; N client threads in the benchmark process, each with one "
        "keep-alive http.client connection, POST /predict with one passenger for a fixed time per level."
    ),
    "pipeline": (
        "Wall time of the `mlpipe run --train FILE` process (local engine, every step, registration) "
        "with a fresh MLPIPE_HOME under bench/.work. Synthetic data: train.csv rows resampled with "
        "replacement (seed 0), Age +- N(0, 2), Fare x LogNormal(0, 0.1), missing values kept. A size "
        "whose linear projection exceeds the time budget is skipped and listed as skipped."
    ),
    "quality": (
        "bench.cv.cross_validate: 5x5 repeated stratified CV on train.csv with the default parameters, "
        "the feature spec fitted inside each fold; mean over 25 folds, repeated over several fold draws."
    ),
}
