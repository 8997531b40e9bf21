"""The example data is the Kaggle file the README names, byte for byte."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "titanic"


def test_each_csv_matches_the_digest_in_its_provenance_note() -> None:
    # given the digests written in the provenance note
    note = (DATA / "README.md").read_text()
    recorded = dict(re.findall(r"^- (\S+\.csv)\s+([0-9a-f]{64})$", note, flags=re.MULTILINE))

    # then every CSV in the folder is listed and unchanged
    assert sorted(recorded) == sorted(p.name for p in DATA.glob("*.csv"))
    for name, digest in recorded.items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest
