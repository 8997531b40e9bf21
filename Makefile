# One entry point for people and CI. Everything installs into .venv at the repo root.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
NODE_STAMP := node_modules/.installed
CONSTRAINTS := requirements/constraints.txt
# checkov pins old versions of shared packages (packaging<24): it gets a virtualenv of its own.
CHECKOV_VENV := .tools/checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
# AWS's Lambda Runtime Interface Emulator ships inside the aws-sam-cli wheel; SAM's own pins clash with
# ours, so only the emulator binary is taken out of the wheel, checked against its pinned digest.
# The runtime interface client (awslambdaric, requirements/lambda-runtime.txt) goes into a folder of
# its own, as /var/runtime is in the Lambda base image.
SAM_CLI_VERSION := 1.170.0
RIE_ARCH := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x86_64)
RIE_SHA256_x86_64 := 6b1e686e62ab2baf5759c412c4864276ef2a88b094fca53ec070637ccba9b9a5
RIE_SHA256_arm64 := ec2e5d09633d853834c008b1ef264bf834b258a94d551d2b2074966494b39a21
RIE_DIR := .tools/rie
LAMBDA_RUNTIME_DIR := .tools/lambda-runtime
RIE_STAMP := $(RIE_DIR)/.installed-$(SAM_CLI_VERSION)
CHROMIUM := /usr/bin/chromium
export PATH := $(abspath $(BIN)):$(PATH)
export MLPIPE_HOME ?= $(abspath .mlpipe)

.PHONY: help install install-dev lock demo test test-long lint typecheck pytest definition synth diff \
        lambda-bundle bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-15s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml $(CONSTRAINTS) | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e . -c $(CONSTRAINTS)
	touch $@

$(DEV_STAMP): pyproject.toml $(CONSTRAINTS) | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[dev,sdk,cdk]' -c $(CONSTRAINTS)
	touch $(RUNTIME_STAMP) $@

$(CHECKOV_STAMP): requirements/checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements/checkov.txt
	touch $@

$(RIE_STAMP): requirements/lambda-runtime.txt | $(VENV)/bin/python
	rm -rf $(RIE_DIR) $(LAMBDA_RUNTIME_DIR) && mkdir -p $(RIE_DIR)/wheel
	$(PY) -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
	  -d $(RIE_DIR)/wheel aws-sam-cli==$(SAM_CLI_VERSION)
	$(PY) -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
	  $(RIE_DIR)/wheel/aws_sam_cli-$(SAM_CLI_VERSION)-py3-none-any.whl \
	  samcli/local/rapid/aws-lambda-rie-$(RIE_ARCH) > $(RIE_DIR)/aws-lambda-rie
	echo "$(RIE_SHA256_$(RIE_ARCH))  $(RIE_DIR)/aws-lambda-rie" | sha256sum --check --quiet
	chmod +x $(RIE_DIR)/aws-lambda-rie && rm -rf $(RIE_DIR)/wheel
	$(PY) -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
	  --target $(LAMBDA_RUNTIME_DIR) -r requirements/lambda-runtime.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json $(DEV_STAMP)
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(RUNTIME_STAMP) ## install the runtime set (pipeline, CLI, local serving)

install-dev: $(DEV_STAMP) $(NODE_STAMP) $(CHECKOV_STAMP) $(RIE_STAMP) $(CHROMIUM) ## install everything: SDK, CDK, test tools, CDK CLI, Lambda emulator, Chromium

# Debian's Chromium renders the evaluation report in tests (Playwright drives it, never downloads one).
$(CHROMIUM):
	if [ "$$(id -u)" = 0 ]; then apt-get install -y chromium || (apt-get update && apt-get install -y chromium); \
	else echo "error: $(CHROMIUM) is missing and only root can install it: run 'sudo apt-get install -y chromium' (the browser tests of the report and of mlpipe ui need it)" >&2; exit 1; fi

lock: | $(VENV)/bin/python ## re-resolve the dependencies and rewrite requirements/constraints.txt
	rm -rf .tools/lock && $(PYTHON) -m venv .tools/lock
	.tools/lock/bin/python -m pip install --quiet -e '.[dev,sdk,cdk]'
	{ sed -n '1,/^[^#]/{/^#/p}' $(CONSTRAINTS); .tools/lock/bin/python -m pip freeze --exclude-editable \
	  | grep -v '^-e' | LC_ALL=C sort -f; } > $(CONSTRAINTS).new && mv $(CONSTRAINTS).new $(CONSTRAINTS)

demo: $(RUNTIME_STAMP) ## run the pipeline locally end to end, approve, serve predictions
	bash scripts/demo.sh

lint: $(DEV_STAMP) ## ruff, and the import contract of the layers (import-linter, pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(DEV_STAMP) ## mypy
	$(BIN)/mypy .

pytest: install-dev ## the test suite (unit, integration, synth with policy checks)
	$(BIN)/pytest -q

test: lint typecheck pytest ## install and run every check

test-long: install-dev ## full-count fuzzing and other long checks
	$(BIN)/pytest -q -m long --run-long

definition: $(DEV_STAMP) ## regenerate the committed pipeline definition JSON (SageMaker SDK, offline)
	$(PY) -m pipeline.definition.builder

synth: install-dev ## cdk synth into cdk.out/ with the policy checks on
	$(BIN)/npx cdk synth --quiet

diff: synth ## compare cdk.out/ with the committed template snapshots
	$(PY) -m stacks.snapshots diff

lambda-bundle: $(RUNTIME_STAMP) ## reproduce the Lambda image's dependency set with pip --target
	bash scripts/lambda_bundle.sh

bench: install-dev lambda-bundle ## benchmarks -> bench/results/latest.json and docs/benchmarks.md
	$(PY) -m bench

clean: ## remove build outputs and local state (keeps .venv)
	rm -rf cdk.out .mlpipe bench/.work .tools/lock .pytest_cache .mypy_cache .ruff_cache
