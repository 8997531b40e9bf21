"""Snapshot normalisation and the diff/update round trip, on small hand-made templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stacks import snapshots

HASH = "a" * 64


def _write_assembly(directory: Path, templates: dict[str, dict[str, object]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, template in templates.items():
        (directory / f"{name}.template.json").write_text(json.dumps(template))
    return directory


def test_asset_hashes_and_version_ids_are_normalised() -> None:
    template = {"Resources": {f"FnCurrentVersion1234ABCD{'b' * 32}": {"Code": f"s3://bucket/{HASH}.zip"}}}

    assert snapshots.normalise(template) == {
        "Resources": {"FnCurrentVersion1234ABCD<hash>": {"Code": "s3://bucket/<asset-hash>.zip"}}
    }


def test_a_changed_asset_hash_is_no_change(tmp_path: Path) -> None:
    snapshots.update(
        snapshots.synthesized(_write_assembly(tmp_path / "a", {"S": {"Key": HASH}})), tmp_path / "s"
    )

    current = snapshots.synthesized(_write_assembly(tmp_path / "b", {"S": {"Key": "c" * 64}}))

    assert snapshots.changes(current, tmp_path / "s") == {}


def test_diff_prints_the_change_and_check_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _write_assembly(tmp_path / "a", {"S": {"Timeout": 10}})
    assert snapshots.main(["update", "--cdk-out", str(before), "--snapshots", str(tmp_path / "s")]) == 0
    after = _write_assembly(tmp_path / "b", {"S": {"Timeout": 20}, "New": {}})

    args = ["diff", "--cdk-out", str(after), "--snapshots", str(tmp_path / "s")]
    assert snapshots.main(args) == 0
    assert snapshots.main([*args, "--check"]) == 1

    out = capsys.readouterr().out
    assert '- "Timeout": 10' in out and '+ "Timeout": 20' in out
    assert "2 of 2 stack templates differ" in out


def test_diff_without_synth_says_what_to_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert snapshots.main(["diff", "--cdk-out", str(tmp_path)]) == 2
    assert "make synth" in capsys.readouterr().err


def test_a_pipeline_definition_is_unfolded_with_markers_for_intrinsics() -> None:
    body = {
        "Fn::Join": [
            "",
            [
                '{"Role":"',
                {"Fn::GetAtt": ["Role", "Arn"]},
                '","Bucket":"',
                {"Fn::Sub": "b-${AWS::Region}"},
                '"}',
            ],
        ]
    }

    unfolded = snapshots.normalise({"PipelineDefinitionBody": body})["PipelineDefinitionBody"]

    assert unfolded == {
        "(definition, intrinsics as <markers>)": {
            "Role": "<{Fn::GetAtt: [Role, Arn]}>",
            "Bucket": "b-<AWS::Region>",
        }
    }
