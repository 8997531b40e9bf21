"""Safe extraction of source bundles and deterministic packing of the model folder."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from pipeline.engine.errors import EngineError
from pipeline.engine.tarballs import pack_folder, safe_extract


def make_tar(path: Path, members: list[tarfile.TarInfo], data: bytes = b"x") -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for member in members:
            if member.isfile():
                member.size = len(data)
                tar.addfile(member, io.BytesIO(data))
            else:
                tar.addfile(member)
    return path


def info(name: str, kind: bytes = tarfile.REGTYPE, target: str = "") -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type = kind
    member.linkname = target
    return member


def test_files_and_folders_are_extracted(tmp_path: Path) -> None:
    archive = make_tar(
        tmp_path / "ok.tar.gz", [info("."), info("pkg", tarfile.DIRTYPE), info("pkg/a.py"), info("./b.py")]
    )
    safe_extract(archive, tmp_path / "out")
    assert (tmp_path / "out" / "pkg" / "a.py").read_bytes() == b"x"
    assert (tmp_path / "out" / "b.py").is_file()


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (info("../evil.py"), "would leave the extraction folder"),
        (info("/etc/evil"), "would leave the extraction folder"),
        (info("link", tarfile.SYMTYPE, "/etc/passwd"), "is a link or device"),
        (info("hard", tarfile.LNKTYPE, "a.py"), "is a link or device"),
    ],
)
def test_unsafe_members_are_refused(tmp_path: Path, member: tarfile.TarInfo, message: str) -> None:
    archive = make_tar(tmp_path / "bad.tar.gz", [member])
    with pytest.raises(EngineError, match=message):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "evil.py").exists()


def test_packing_is_deterministic_and_puts_files_at_the_root(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "b.json").write_text("{}")
    (tmp_path / "model" / "a.ubj").write_bytes(b"booster")
    first = pack_folder(tmp_path / "model")
    (tmp_path / "model" / "a.ubj").touch()
    assert pack_folder(tmp_path / "model") == first
    with tarfile.open(fileobj=io.BytesIO(first), mode="r:gz") as tar:
        assert tar.getnames() == ["a.ubj", "b.json"]


def test_an_empty_model_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="saved no model to SM_MODEL_DIR"):
        pack_folder(tmp_path)
