from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.features import archive
from runtime.features.archive import (
    ARCHIVE_MEMBERS,
    ArchiveError,
    read_model_archive,
    write_model_archive,
)
from runtime.hashing import sha256_bytes, sha256_file

CONTENT = {
    "xgboost-model.ubj": b"{booster}",
    "xgboost-model.json": b'{"learner": {}}',
    "feature_spec.json": b'{"format": "x"}',
    "metadata.json": b'{"sha": 1}',
}


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    for name, data in CONTENT.items():
        (folder / name).write_bytes(data)
    return folder


def crafted(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buffer.getvalue()


def regular(name: str, data: bytes = b"{}") -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), data


def valid_members(prefix: str = "") -> list[tuple[tarfile.TarInfo, bytes]]:
    return [regular(prefix + name, data) for name, data in CONTENT.items()]


VALID = crafted(valid_members())


def test_round_trip_from_path_and_bytes(model_dir: Path, tmp_path: Path) -> None:
    dest = tmp_path / "model.tar.gz"
    digest = write_model_archive(model_dir, dest)
    assert digest == sha256_file(dest) == sha256_bytes(dest.read_bytes())
    for source in (dest, dest.read_bytes()):
        files = read_model_archive(source)
        assert files.booster_bytes == b"{booster}"
        assert files.feature_spec == {"format": "x"} and files.metadata == {"sha": 1}


def test_writer_is_deterministic(model_dir: Path, tmp_path: Path) -> None:
    first = write_model_archive(model_dir, tmp_path / "a.tar.gz")
    os.utime(model_dir / "metadata.json", (1, 1))
    assert write_model_archive(model_dir, tmp_path / "b.tar.gz") == first
    with tarfile.open(tmp_path / "a.tar.gz") as tar:
        assert tar.getnames() == list(ARCHIVE_MEMBERS)
        assert {(m.mtime, m.uid, m.gid) for m in tar.getmembers()} == {(0, 0, 0)}


def test_writer_needs_every_file(model_dir: Path, tmp_path: Path) -> None:
    (model_dir / "metadata.json").unlink()
    with pytest.raises(ArchiveError, match=r"lacks metadata\.json"):
        write_model_archive(model_dir, tmp_path / "m.tar.gz")


def test_dot_prefix_and_root_directory_are_accepted() -> None:
    root = tarfile.TarInfo(".")
    root.type = tarfile.DIRTYPE
    assert read_model_archive(crafted([(root, b""), *valid_members("./")])).booster_bytes == b"{booster}"


def _truncated() -> bytes:
    data = crafted(valid_members())
    return data[: len(data) // 2]


def _link(kind: bytes, name: str = "metadata.json") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, "/etc/passwd"
    return info, b""


def _directory(name: str) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    return info, b""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (regular("../metadata.json"), "unsafe path"),
        (regular("/etc/metadata.json"), "unsafe path"),
        (regular("sub/../../x"), "unsafe path"),
        (_link(tarfile.SYMTYPE), "not a regular file"),
        (_link(tarfile.LNKTYPE), "not a regular file"),
        (_link(tarfile.CHRTYPE, "xgboost-model.ubj"), "not a regular file"),
        (_directory("models"), "not a regular file"),
        (regular("evil.py"), "unexpected member 'evil.py'"),
        (regular("metadata.json"), "appears twice"),
    ],
)
def test_crafted_members_are_refused(extra: tuple[tarfile.TarInfo, bytes], message: str) -> None:
    with pytest.raises(ArchiveError, match=message):
        read_model_archive(crafted([extra, *valid_members()]))


def test_thousands_of_members_are_refused() -> None:
    # Root entries are the only members the reader skips, so only the count cap can stop them.
    with pytest.raises(ArchiveError, match="more than 16 members"):
        read_model_archive(crafted([_directory(".") for _ in range(5000)]))


def test_thousands_of_unexpected_members_stop_at_the_first() -> None:
    with pytest.raises(ArchiveError, match="unexpected member 'junk0'"):
        read_model_archive(crafted([regular(f"junk{i}") for i in range(5000)]))


def test_oversize_member_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(archive.MEMBER_CAPS, "xgboost-model.ubj", 4)
    with pytest.raises(ArchiveError, match="over the 4-byte cap"):
        read_model_archive(crafted(valid_members()))


def test_total_size_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 20)
    with pytest.raises(ArchiveError, match="over 20 bytes"):
        read_model_archive(crafted(valid_members()))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a tarball at all", "not a readable model.tar.gz"),
        (_truncated(), "not a readable model.tar.gz"),
        (crafted(valid_members()[:3]), "lacks metadata.json"),
        (crafted([*valid_members()[:3], regular("metadata.json", b"{nope")]), "not valid JSON"),
        (crafted([*valid_members()[:3], regular("metadata.json", b"[1]")]), "must hold a JSON object"),
    ],
)
def test_broken_archives_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ArchiveError, match=message):
        read_model_archive(data)


def test_reading_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ArchiveError):
        read_model_archive(crafted([regular("../escaped"), regular("/tmp/escaped-abs")]))
    read_model_archive(crafted(valid_members()))
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path.parent / "escaped").exists()


@settings(max_examples=200, deadline=None)
@given(position=st.integers(min_value=0), value=st.integers(min_value=0, max_value=255))
def test_any_corrupted_byte_gives_archive_error_or_the_same_files(position: int, value: int) -> None:
    data = bytearray(VALID)
    data[position % len(data)] = value
    try:
        files = read_model_archive(bytes(data))
    except ArchiveError:
        return
    assert files.booster_bytes == CONTENT["xgboost-model.ubj"]  # gzip trailer bytes are not checked


@given(st.binary(max_size=2048))
def test_random_bytes_give_archive_error(data: bytes) -> None:
    with pytest.raises(ArchiveError):
        read_model_archive(data)


def test_spec_nested_deeper_than_the_parser_is_an_archive_error_not_a_recursion_error() -> None:
    # A RecursionError escaped the reader: the loader did not refuse the version and refetched it.
    nested = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    members = [
        regular(name, nested if name == "feature_spec.json" else data) for name, data in CONTENT.items()
    ]

    with pytest.raises(ArchiveError, match="nests JSON deeper"):
        read_model_archive(crafted(members))


def test_an_archive_from_before_the_json_model_is_refused_with_the_fix() -> None:
    """Serving has no XGBoost to read the UBJ booster: an old archive is refused, saying how to fix it."""
    old = crafted([regular(name, data) for name, data in CONTENT.items() if name != "xgboost-model.json"])
    with pytest.raises(ArchiveError, match=r"lacks xgboost-model.json.*retrain"):
        read_model_archive(old)
    assert read_model_archive(VALID).serving_model == CONTENT["xgboost-model.json"]
