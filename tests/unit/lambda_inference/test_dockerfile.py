"""Static checks of the serving image: no Docker engine runs here, so the Dockerfile is read as text."""

from __future__ import annotations

import fnmatch
import re
import shlex
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = REPO_ROOT / "lambda_inference" / "Dockerfile"
BASE_IMAGE = re.compile(r"^public\.ecr\.aws/lambda/python:(\d+)\.(\d+)$")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    pairs = [line.split(maxsplit=1) for line in lines if line and not line.startswith("#")]
    return [(pair[0].upper(), pair[1] if len(pair) > 1 else "") for pair in pairs]


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for instruction in instructions():
        if instruction[0] == "FROM":
            found.append([])
        found[-1].append(instruction)
    return found


def test_two_stages_on_the_lambda_python_base_image_3_12_or_newer():
    froms = [stage[0][1].split()[0] for stage in stages()]

    assert len(froms) == 2
    for image in froms:
        match = BASE_IMAGE.match(image)
        assert match, image
        assert (int(match[1]), int(match[2])) >= (3, 12)


def test_builder_installs_the_requirements_into_a_target_folder_and_strips_tests():
    builder = " ".join(args for _, args in stages()[0])

    assert "pip install" in builder and "--target" in builder and "-r /tmp/requirements.txt" in builder
    assert "-name tests" in builder and "__pycache__" in builder


def test_final_stage_has_no_pip_copies_the_built_folder_and_runs_the_handler():
    final = stages()[-1]

    # The only command of the final stage compiles the bytecode, after every COPY (read-only task root).
    runs = [(index, args) for index, (kind, args) in enumerate(final) if kind == "RUN"]
    assert [args for _, args in runs] == [
        "python3 -m compileall -q -j 0 --invalidation-mode unchecked-hash ${LAMBDA_TASK_ROOT}"
    ]
    assert all(index > last for index, _ in runs for last, (kind, _) in enumerate(final) if kind == "COPY")
    assert ("COPY", "--from=builder /opt/serving-deps ${LAMBDA_TASK_ROOT}") in final
    assert final[-1] == ("CMD", '["lambda_inference.handler.lambda_handler"]')


def test_every_copied_source_exists_in_the_repo_and_survives_dockerignore():
    patterns = [
        line
        for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    sources = [
        source
        for stage in stages()
        for kind, args in stage
        if kind == "COPY" and not args.startswith("--from")
        for source in shlex.split(args)[:-1]
    ]

    assert "lambda_inference/*.py" in sources and "features/" in sources
    for source in sources:
        matches = list(REPO_ROOT.glob(source.rstrip("/")))
        assert matches, f"COPY {source}: nothing in the repo matches"
        assert not ignored(source.rstrip("/").replace("*", "handler"), patterns), source


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    # "**/name" matches at any depth: try it against every run of path components.
    anywhere = ["/".join(parts[j : i + 1]) for i in range(len(parts)) for j in range(i + 1)]
    result = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        glob = pattern.lstrip("!")
        candidates = anywhere if glob.startswith("**/") else prefixes
        if any(fnmatch.fnmatchcase(candidate, glob.removeprefix("**/")) for candidate in candidates):
            result = not negated
    return result


def test_dockerignore_keeps_state_and_tooling_out_of_the_context():
    patterns = [
        line
        for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]

    for heavy in (
        ".venv",
        ".git",
        "cdk.out",
        ".mlpipe",
        "data/titanic/train.csv",
        "tests",
        "bench",
        "features/__pycache__/spec.cpython-312.pyc",
        "pipeline/store/__pycache__",
        "pipeline/cli/app.py",
        "pipeline/engine",
    ):
        assert ignored(heavy, patterns), heavy


def test_requirements_are_the_serving_set_pinned():
    lines = [
        line
        for line in (REPO_ROOT / "lambda_inference" / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    names = {line.split("==")[0] for line in lines}

    assert all("==" in line for line in lines)
    assert {"xgboost-cpu", "numpy", "aws-lambda-powertools"} <= names
    assert not names & {"xgboost", "pandas", "scikit-learn", "boto3", "joblib"}
