"""Static checks of the serving image: no Docker engine runs here, so the Dockerfile is read as text."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = REPO_ROOT / "lambda_inference" / "Dockerfile"
STRIP_SCRIPT = "scripts/strip_bundle.py"
BASE_IMAGE = re.compile(r"^public\.ecr\.aws/lambda/python:(\d+)\.(\d+)$")
# What a RUN line may call: the image's Python and pip; dnf (microdnf) only to install packages.
GUARANTEED = {"python3", "pip"}
# Command separators; `$(...)` and backticks are refused outright (a subshell could call anything).
SHELL_OPERATORS = {"&&", "||", ";", "|", "&"}
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def instructions(text: str | None = None) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text() if text is None else text)
    lines = [line.strip() for line in text.splitlines()]
    pairs = [line.split(maxsplit=1) for line in lines if line and not line.startswith("#")]
    return [(pair[0].upper(), pair[1] if len(pair) > 1 else "") for pair in pairs]


def run_commands(arguments: str) -> list[list[str]]:
    """The simple commands of one RUN line (exec form or shell form), each as its words."""
    if arguments.startswith("["):
        return [json.loads(arguments)]
    lexer = shlex.shlex(arguments, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token in SHELL_OPERATORS:
            commands.append([])
        else:
            commands[-1].append(token)
    return [without_assignments(words) for words in commands if without_assignments(words)]


def without_assignments(words: list[str]) -> list[str]:
    """Leading `NAME=value` words set the environment; the command is the first word after them."""
    index = 0
    while index < len(words) and ASSIGNMENT.match(words[index]):
        index += 1
    return words[index:]


def unguaranteed_calls(dockerfile_text: str) -> list[str]:
    """Every command a RUN line calls that the Lambda Python base image does not guarantee."""
    found = []
    for kind, arguments in instructions(dockerfile_text):
        if kind != "RUN":
            continue
        if "$(" in arguments or "`" in arguments:
            found.append(f"command substitution in: {arguments}")
        for words in run_commands(arguments):
            executable = words[0]
            installs = executable == "dnf" and "install" in words[1:]
            if executable not in GUARANTEED and not installs:
                found.append(" ".join(words))
    return found


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


def test_builder_installs_the_requirements_into_a_target_folder_and_strips_them_with_the_shared_script():
    builder = stages()[0]
    runs = " ".join(args for kind, args in builder if kind == "RUN")

    assert (
        "pip install" in runs and "--target /opt/serving-deps" in runs and "-r /tmp/requirements.txt" in runs
    )
    assert ("COPY", f"{STRIP_SCRIPT} /tmp/strip_bundle.py") in builder
    assert "python3 /tmp/strip_bundle.py /opt/serving-deps" in runs


def test_make_lambda_bundle_strips_with_the_script_the_dockerfile_copies():
    """One stripping for the image and the bundle the tests and benchmarks run: they cannot drift."""
    bundle_script = (REPO_ROOT / "scripts" / "lambda_bundle.sh").read_text()

    assert f'"$PY" {STRIP_SCRIPT} "$BUNDLE"' in bundle_script
    assert "find " not in bundle_script


def test_every_run_line_calls_only_what_the_lambda_python_base_image_guarantees():
    """`public.ecr.aws/lambda/python:3.12` and later are built on the Amazon Linux 2023 *minimal* container
    image (https://docs.aws.amazon.com/lambda/latest/dg/python-image.html, "AWS base images for Python":
    Python 3.12 and later on AL2023, which uses microdnf as `dnf`). That image has no findutils: `find`
    fails with "command not found" (https://github.com/aws/aws-lambda-base-images/issues/196), and the
    AL2023 maintainers keep the container image minimal on purpose
    (https://github.com/amazonlinux/amazon-linux-2023/issues/355; comparison of the AL2023 images:
    https://docs.aws.amazon.com/linux/al2023/ug/al2023-container-ami.html). What the image does
    guarantee is its Python runtime: `python3` and `pip` (the page's own example Dockerfile runs
    `pip install -r requirements.txt`). So RUN lines call python3 and pip, and dnf only to install.
    """
    assert unguaranteed_calls(DOCKERFILE.read_text()) == []


@pytest.mark.parametrize(
    ("run_line", "flagged"),
    [
        ("RUN find /opt -name tests -exec rm -rf {} +", ["find /opt -name tests -exec rm -rf {} +"]),
        ("RUN pip install x && rm -f /opt/*.dist-info/RECORD", ["rm -f /opt/*.dist-info/RECORD"]),
        ("RUN python3 -c 'print(1)' | xargs echo", ["xargs echo"]),
        ('RUN ["sh", "-c", "true"]', ["sh -c true"]),
        ("RUN dnf remove -y tar", ["dnf remove -y tar"]),
        ("RUN dnf install -y tar && dnf clean all", ["dnf clean all"]),
        ("RUN PIP_NO_CACHE_DIR=1 pip install -r r.txt; python3 -m compileall .", []),
        (
            "RUN python3 -m pip install $(cat r.txt)",
            ["command substitution in: python3 -m pip install $(cat r.txt)"],
        ),
    ],
)
def test_the_run_line_check_flags_what_the_base_image_lacks(run_line: str, flagged: list[str]):
    assert unguaranteed_calls(f"FROM public.ecr.aws/lambda/python:3.12\n{run_line}\n") == flagged


def test_the_strip_script_needs_nothing_but_the_standard_library(tmp_path: Path):
    """The builder runs it with the image's bare python3: an isolated interpreter must be enough."""
    (tmp_path / "pkg" / "tests").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "tests" / "test_x.py").write_text("")
    (tmp_path / "pkg-1.0.dist-info").mkdir()
    (tmp_path / "pkg-1.0.dist-info" / "RECORD").write_text("")

    subprocess.run([sys.executable, "-I", "-S", REPO_ROOT / STRIP_SCRIPT, tmp_path], check=True)

    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert left == ["pkg", "pkg-1.0.dist-info", "pkg/__init__.py"]


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


def _copied_sources() -> list[str]:
    return [
        source.rstrip("/")
        for stage in stages()
        for kind, args in stage
        if kind == "COPY" and not args.startswith("--from")
        for source in shlex.split(args)[:-1]
    ]


def test_the_final_stage_copies_whole_layer_folders_only():
    """Code comes in as whole folders of the runtime layer and the deploy unit, never hand-picked files."""
    final_sources = [
        source.rstrip("/")
        for kind, args in stages()[-1]
        if kind == "COPY" and not args.startswith("--from")
        for source in shlex.split(args)[:-1]
    ]

    assert final_sources == ["runtime", "lambda_inference", "monitoring"]  # monitoring: the drift check
    assert all((REPO_ROOT / source).is_dir() for source in final_sources)


def test_dockerignore_admits_exactly_what_the_dockerfile_copies():
    """Deny everything, then allow each COPY source: the context is the copied files and nothing else."""
    lines = [
        line
        for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    allowed = {line.removeprefix("!") for line in lines if line.startswith("!")}
    sources = set(_copied_sources())

    assert lines[0] == "*"
    assert allowed <= sources
    assert all(any(source == a or source.startswith(f"{a}/") for a in allowed) for source in sources)
    assert all((REPO_ROOT / source).exists() for source in sources)


def test_requirements_are_the_serving_set_pinned():
    lines = [
        line
        for line in (REPO_ROOT / "lambda_inference" / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    names = {line.split("==")[0] for line in lines}

    assert all("==" in line for line in lines)
    # Logs use the standard library (the Lambda runtime formats them): Powertools' Logger cost 25-30 ms
    # of every cold start (docs/benchmarks.md).
    assert names == {"numpy"}
    # Trees are scored in NumPy (runtime/features/trees.py): xgboost and the scipy it imports stay out.
    assert not names & {"xgboost", "xgboost-cpu", "scipy", "pandas", "scikit-learn", "boto3", "joblib"}
