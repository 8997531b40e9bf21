#!/usr/bin/env bash
# `make lambda-bundle`: reproduce the serving image's contents without Docker, in bench/.work/lambda-bundle:
# the same `pip install --target` and stripping as lambda_inference/Dockerfile's builder stage, plus the
# code its final stage copies. Prints the size in MB (boto3 is not counted: the Lambda base image has it).
# LAMBDA_BUNDLE_DIR overrides the folder (tests build into a temporary one).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
BUNDLE="${LAMBDA_BUNDLE_DIR:-bench/.work/lambda-bundle}"

rm -rf "$BUNDLE"
mkdir -p "$BUNDLE"
"$PY" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
    --target "$BUNDLE" -r lambda_inference/requirements.txt

# The code, as the final stage's COPY lines lay it out.
cp -R runtime lambda_inference "$BUNDLE/"
# The builder stage's stripping, by the very script the Dockerfile runs; on the copied code it drops the
# caches that /.dockerignore keeps out of the image.
"$PY" scripts/strip_bundle.py "$BUNDLE"
# As the final stage does: bytecode compiled ahead of time (the Lambda task root is read-only).
"$PY" -m compileall -q -j 0 --invalidation-mode unchecked-hash "$BUNDLE"

size_mb=$(du -sk "$BUNDLE" | awk '{printf "%.1f", $1 / 1024}')
echo "lambda bundle: $BUNDLE ${size_mb} MB"
