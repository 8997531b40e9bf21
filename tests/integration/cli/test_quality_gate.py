"""Issue 13, as a user meets it: noise is refused, Titanic passes, a weaker challenger loses to the champion,
and the report is found from `mlpipe run`, `mlpipe models show` and `mlpipe report`."""

from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path

import pytest

from processing.report.page import SECTION_IDS
from tests.integration.cli.conftest import TITANIC_TRAIN, Mlpipe

pytestmark = pytest.mark.slow
REPORT_LINE = re.compile(r"^report: (\S+)$", re.MULTILINE)


def write_noise(path: Path, rows: int = 2000, positive_share: float = 0.1) -> Path:
    """Features unrelated to a label with 10% positives: accuracy ~0.9 by predicting 0, AUC ~0.5."""
    generator = random.Random(7)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "a", "b", "colour", "label"])
        for row in range(rows):
            colour = generator.choice(["red", "green", "blue"])
            label = int(generator.random() < positive_share)
            writer.writerow([row, round(generator.gauss(0, 1), 4), generator.randint(0, 99), colour, label])
    return path


def test_pure_noise_is_refused_naming_the_failed_checks(tmp_path: Path) -> None:
    mlpipe = Mlpipe(tmp_path / "home", config=None)
    noise = write_noise(tmp_path / "noise.csv")

    result = mlpipe("run", "--train", str(noise), "--target", "label", "--name", "noise", "-p", "IdColumn=id")

    assert result.exit_code == 1, result.output
    assert "The quality gate refused the model" in result.stderr
    assert "accuracy beats the majority class" in result.stderr
    assert "< MinAccuracyOverBaseline 0.01" in result.stderr
    assert "Nothing was registered" in result.stderr
    (report,) = REPORT_LINE.findall(result.stderr)
    assert 'class="verdict bad"' in Path(report).read_text()
    listed = mlpipe("models", "list", "--name", "noise", "--json")
    assert listed.exit_code != 0 or json.loads(listed.stdout) == [], "nothing may be registered"


def test_titanic_passes_and_a_weaker_challenger_loses_to_the_live_champion(tmp_path: Path) -> None:
    mlpipe = Mlpipe(tmp_path / "home")

    first = mlpipe("run", "--train", str(TITANIC_TRAIN))
    assert first.exit_code == 0, first.output
    assert "champion: none live" in first.stdout
    (report,) = REPORT_LINE.findall(first.stdout)
    page = Path(report).read_text()
    assert all(f'id="{section}"' in page for section in SECTION_IDS)
    assert mlpipe("report", "1").stdout.strip() == report
    assert json.loads(mlpipe("models", "show", "1", "--json").stdout)["report"] == report
    assert mlpipe("models", "approve", "1").exit_code == 0

    weaker = mlpipe("run", "--train", str(TITANIC_TRAIN), "-p", "NumRound=1")

    assert weaker.exit_code == 1, weaker.output
    assert "champion: version 1 (live)" in weaker.stdout
    assert "auc not worse than the champion" in weaker.stderr
    assert "> ChampionTolerance 0.01" in weaker.stderr
    assert [v["version"] for v in mlpipe.versions()] == [1]
    (refused_report,) = REPORT_LINE.findall(weaker.stderr)
    assert 'id="champion"' in Path(refused_report).read_text()
    assert "champion artifact" in Path(refused_report).read_text()

    turned_off = mlpipe("run", "--train", str(TITANIC_TRAIN), "-p", "ChampionModelUri=", "-p", "Seed=7")
    assert turned_off.exit_code == 0, turned_off.output
    assert [v["version"] for v in mlpipe.versions()] == [1, 2]
