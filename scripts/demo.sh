#!/usr/bin/env bash
# `make demo`: the whole local loop on the Titanic example, from CSV to predictions served by the handler.
set -euo pipefail
cd "$(dirname "$0")/.."
MLPIPE=".venv/bin/mlpipe"
PYTHON=".venv/bin/python"
# Titanic's name, target, columns and gates; any other CSV needs only --train, --target and --name.
export MLPIPE_CONFIG="examples/titanic/mlpipe.toml"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1/5 Run the pipeline locally (preprocess -> train -> evaluate -> gate -> register)"
"$MLPIPE" run --train data/titanic/train.csv
VERSION=$("$MLPIPE" models list --json | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[-1]["version"])')

step "2/5 Approve version $VERSION (what a reviewer does after reading the evaluation report)"
"$MLPIPE" models approve "$VERSION"

step "3/5 The registry"
"$MLPIPE" models list

step "4/5 Serve it: mlpipe serve, then POST to the API route and the Lambda invoke route"
PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MLPIPE" serve --port "$PORT" > "${MLPIPE_HOME:-.mlpipe}/serve-demo.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
"$PYTHON" scripts/wait_for_http.py "http://127.0.0.1:$PORT/healthz"
"$PYTHON" scripts/demo_requests.py "http://127.0.0.1:$PORT"

step "5/5 Batch predictions for data/titanic/test.csv"
"$MLPIPE" predict --input data/titanic/test.csv --output "${MLPIPE_HOME:-.mlpipe}/predictions.csv"
head -n 6 "${MLPIPE_HOME:-.mlpipe}/predictions.csv"
