"""Plan an execution: flatten Condition branches, find each step's dependencies, order the steps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.engine.errors import EngineError
from pipeline.engine.paths import STEP_REFERENCE

_BRANCHES = (("IfSteps", True), ("ElseSteps", False))


@dataclass(frozen=True, kw_only=True)
class PlannedStep:
    """A step with its dependencies; `branch` is (condition step, outcome) when it sits in a branch."""

    name: str
    type: str
    definition: dict[str, Any]
    depends_on: frozenset[str]
    branch: tuple[str, bool] | None = None


def _references(value: Any) -> Iterator[str]:
    """Names of the steps a value reads with `{"Get": "Steps.<name>..."}`."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Get" and isinstance(item, str) and (match := STEP_REFERENCE.match(item)):
                yield match.group(1)
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def _without_branches(step: dict[str, Any]) -> dict[str, Any]:
    """A Condition step minus its branch lists (branch steps depend on it, not the other way)."""
    arguments = {k: v for k, v in step.get("Arguments", {}).items() if k not in ("IfSteps", "ElseSteps")}
    return {**step, "Arguments": arguments}


def _flatten(steps: list[dict[str, Any]], branch: tuple[str, bool] | None) -> Iterator[PlannedStep]:
    for step in steps:
        name = step["Name"]
        own = _without_branches(step) if step.get("Type") == "Condition" else step
        depends_on = {*step.get("DependsOn", []), *_references(own)} - {name}
        if branch is not None:
            depends_on.add(branch[0])
        yield PlannedStep(
            name=name,
            type=step.get("Type", "?"),
            definition=own,
            depends_on=frozenset(depends_on),
            branch=branch,
        )
        if step.get("Type") == "Condition":
            for key, outcome in _BRANCHES:
                yield from _flatten(step.get("Arguments", {}).get(key, []), (name, outcome))


def plan_steps(definition: dict[str, Any]) -> list[PlannedStep]:
    """Every step, dependencies first; ties keep the definition's order."""
    planned = list(_flatten(definition.get("Steps", []), None))
    names = [step.name for step in planned]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise EngineError(f"step names must be unique; repeated: {', '.join(duplicates)}")
    for step in planned:
        unknown = sorted(step.depends_on - set(names))
        if unknown:
            raise EngineError(f"step {step.name} depends on unknown step(s) {', '.join(unknown)}")
    ordered: list[PlannedStep] = []
    done: set[str] = set()
    while len(ordered) < len(planned):
        ready = [s for s in planned if s.name not in done and s.depends_on <= done]
        if not ready:
            stuck = sorted(set(names) - done)
            raise EngineError(f"steps {', '.join(stuck)} depend on each other in a cycle; break the cycle")
        ordered.append(ready[0])
        done.add(ready[0].name)
    return ordered
