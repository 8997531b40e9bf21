"""The named models an environment deploys: each model's stack and resource names, and the list's rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from runtime.settings import check_group, model_group, model_name

MODELS_CONTEXT = "models"
# Stack name suffixes. A model name holding one as a hyphen-separated word would make its stack names
# read as another model's (and its alarm names match another stack's `<stack name>-*` ARN pattern).
STACK_UNITS = ("data", "pipeline", "serving")


@dataclass(frozen=True, kw_only=True)
class ModelStacks:
    """One named model of an environment: its pipeline and serving stacks, and the names they set.

    `base` starts every stack and resource name the model's stacks set. The environment's first model keeps
    the names it had before there were several (mlpipe-dev-pipeline, pipeline mlpipe-dev-training), so
    its deployed stacks do not move; every other model's base carries its name (mlpipe-dev-penguins).
    """

    group: str
    base: str
    first: bool

    @property
    def name(self) -> str:
        """The name `mlpipe --name` takes (runtime/settings.py: group mlpipe-<name>)."""
        return model_name(self.group)

    @property
    def pipeline_name(self) -> str:
        return f"{self.base}-training"

    @property
    def api_name(self) -> str | None:
        """None keeps CDK's default ("Api") for the first model; another model's API carries its name."""
        return None if self.first else f"{self.base}-api"

    def stack_name(self, unit: str) -> str:
        """e.g. mlpipe-dev-pipeline (first model), mlpipe-dev-penguins-serving (another)."""
        return f"{self.base}-{unit}"


def with_models(groups: tuple[str, ...], names: object) -> tuple[str, ...]:
    """`groups` and one group per name of context `models` ("a,b" from -c, or a JSON list in cdk.json);
    ValueError naming the entry and the fix for a bad, repeated or ambiguous name."""
    listed = [*groups, *(_context_group(name) for name in _names(names))]
    if not listed:
        raise ValueError("stack config model_package_groups is empty; name at least one model package group")
    for index, group in enumerate(listed):
        check_group(group, "stack config model_package_groups")
        name = model_name(group)
        # By name, not group: groups `titanic` and `mlpipe-titanic` would share capture/titanic/.
        if name in (model_name(earlier) for earlier in listed[:index]):
            deployed = ", ".join(model_name(g) for g in listed[:index])
            raise ValueError(f"model {name!r} is listed twice (deployed: {deployed}); name each model once")
        clashing = sorted(set(name.lower().split("-")) & set(STACK_UNITS))
        if index and clashing:  # the first model's stack names do not carry its name
            raise ValueError(
                f"model name {name!r} has the word {clashing[0]!r}, which ends stack names "
                f"(-{'/-'.join(STACK_UNITS)}); pick a name without it"
            )
    return tuple(listed)


def _context_group(name: str) -> str:
    try:
        return model_group(name)
    except ValueError as error:
        raise ValueError(f"context {MODELS_CONTEXT}: {error}") from None


def _names(names: object) -> list[str]:
    if names is None or names == "":
        return []
    if isinstance(names, str):
        return [name.strip() for name in names.split(",")]
    if isinstance(names, Sequence) and all(isinstance(name, str) for name in names):
        return [name.strip() for name in names]
    raise ValueError(f'context {MODELS_CONTEXT} must be "a,b" or a list of names, not {names!r}')
