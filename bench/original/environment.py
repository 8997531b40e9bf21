"""Set up the original stack: `pip install --target` its serving requirements, train its model there."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from bench.config import ORIGINAL_BUNDLE, TRAIN_CSV, WORK_DIR
from bench.isolated import BenchError, isolated_command
from bench.sizes import folder_size_mb, strip_bundle

ORIGINAL_DIR = Path(__file__).resolve().parent
REQUIREMENTS = ORIGINAL_DIR / "requirements.txt"
MODEL_PATH = WORK_DIR / "original-model" / "model.joblib"
STAMP_NAME = ".requirements-sha256"


def _requirements_digest() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def install_original_bundle(target: Path = ORIGINAL_BUNDLE) -> dict[str, float]:
    """Install (or reuse) the original serving dependencies; sizes in MB before and after stripping."""
    stamp = target / STAMP_NAME
    sizes_file = target.parent / "original-bundle-unstripped-mb"
    if stamp.is_file() and stamp.read_text() == _requirements_digest() and sizes_file.is_file():
        return {"stripped_mb": folder_size_mb(target), "unstripped_mb": float(sizes_file.read_text())}
    if target.exists():
        subprocess.run(["rm", "-rf", str(target)], check=True)
    # The same pip options as scripts/lambda_bundle.sh, so both bundles are built the same way.
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--only-binary=:all:", "--target", str(target), "-r", str(REQUIREMENTS)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchError(f"installing the original requirements failed: {completed.stderr.strip()[-2000:]}")
    unstripped = folder_size_mb(target)
    strip_bundle(target)
    sizes_file.write_text(str(unstripped))
    stamp.write_text(_requirements_digest())
    return {"stripped_mb": folder_size_mb(target), "unstripped_mb": unstripped}


def train_original_model(bundle: Path = ORIGINAL_BUNDLE, out_path: Path = MODEL_PATH) -> Path:
    """Train the original-style model inside the original environment (isolated interpreter)."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    command = isolated_command(
        ORIGINAL_DIR / "train.py",
        [str(bundle), str(TRAIN_CSV), str(out_path)],
        pycache=WORK_DIR / "pycache" / "original",
        write_bytecode=True,
    )
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchError(f"training the original-style model failed: {completed.stderr.strip()[-2000:]}")
    return out_path
