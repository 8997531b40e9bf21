"""The champion a new version must not fall behind: the live version's artifact, passed as ChampionModelUri.

`mlpipe run` (local and `--backend aws`) looks it up once at start: the registry's latest Approved
version, which is what serving answers with (the local server and the Lambda's loader take the latest
Approved; on AWS the promoter pins the alias to it). Passing `--param ChampionModelUri=` (empty) runs
without the comparison; passing a URI compares with that artifact instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from runtime.registry.base import ModelRegistry, ModelVersion

CHAMPION_PARAMETER = "ChampionModelUri"


def with_champion(
    overrides: Mapping[str, str], registry: ModelRegistry | None
) -> tuple[dict[str, str], ModelVersion | None]:
    """`overrides` plus ChampionModelUri = the live version's artifact (unless given); and that version.

    `registry` None: nothing registered yet, so no champion.
    """
    if CHAMPION_PARAMETER in overrides or registry is None:
        return dict(overrides), None
    live = registry.latest_approved()
    if live is None:
        return dict(overrides), None
    return {**overrides, CHAMPION_PARAMETER: live.artifact_uri}, live


def champion_line(live: ModelVersion | None) -> str:
    if live is None:
        return "champion: none live, so no champion/challenger check"
    return f"champion: version {live.version} (live); the new model must not be worse on PrimaryMetric"
