"""Trial-load an untrusted booster in a child process before the serving process loads it.

XGBoost's model loader is native code that trusts its input: an empty `xgboost-model.ubj` aborts the
process, a deeply nested JSON booster overflows the stack, and random mutations of a real UBJ booster
segfault or hang it. A booster with a valid digest can still be crafted, so the loader first loads
and scores it in a child (`booster_probe.py`) under an address-space limit, a CPU limit and a wall
clock timeout; only a booster whose trial succeeded is loaded in-process. Boosters that passed are
remembered by SHA-256, so a rollback to a known version costs no second trial.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from runtime.features.archive import ArchiveError

PROBE_SCRIPT = Path(__file__).with_name("booster_probe.py")
TRIAL_TIMEOUT_SECONDS = 10.0
# Python, libxgboost and libgomp map about 150 MB; the parsed model takes a few times its file size.
BASE_MEMORY_BYTES = 512 * 2**20
MEMORY_PER_BOOSTER_BYTE = 8
_passed: set[str] = set()
_passed_lock = threading.Lock()


class BoosterRefused(ArchiveError):
    """The booster crashed, hung, ran out of memory or was refused by XGBoost in its trial load."""


def check_booster(booster: bytes, *, timeout_seconds: float | None = None) -> None:
    """Return when the booster loads and predicts in a limited child process; BoosterRefused otherwise."""
    timeout_seconds = TRIAL_TIMEOUT_SECONDS if timeout_seconds is None else timeout_seconds
    digest = hashlib.sha256(booster).hexdigest()
    with _passed_lock:
        if digest in _passed:
            return
    _run_trial(booster, timeout_seconds)
    with _passed_lock:
        _passed.add(digest)


def _run_trial(booster: bytes, timeout_seconds: float) -> None:
    memory = BASE_MEMORY_BYTES + MEMORY_PER_BOOSTER_BYTE * len(booster)
    command = [
        sys.executable,
        "-I",  # isolated: no user site, no PYTHONPATH, no current folder on sys.path
        "-S",  # no site import: the probe needs the standard library only
        str(PROBE_SCRIPT),
        _library_path(),
        str(memory),
        str(max(1, int(timeout_seconds))),
    ]
    # One OpenMP thread: each extra thread reserves its own stack and malloc arena (address space).
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    try:
        done = subprocess.run(
            command, input=booster, capture_output=True, timeout=timeout_seconds, env=environment, check=False
        )
    except subprocess.TimeoutExpired:
        raise BoosterRefused(
            f"model archive content is unusable: the booster did not load within {timeout_seconds:g} s "
            "in a trial process; "
            "retrain the model and register the new archive"
        ) from None
    if done.returncode != 0:
        raise BoosterRefused(
            f"model archive content is unusable: the booster failed its trial load ({_outcome(done)}); "
            "retrain the model"
        )


def _outcome(done: subprocess.CompletedProcess[bytes]) -> str:
    if done.returncode < 0:
        try:
            name = signal.Signals(-done.returncode).name
        except ValueError:
            name = f"signal {-done.returncode}"
        return f"the trial process was killed by {name}"
    message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
    return f"exit {done.returncode} ({message[0][:300]})"


def _library_path() -> str:
    """libxgboost as the installed xgboost package would load it."""
    from xgboost.libpath import find_lib_path  # noqa: PLC0415 - xgboost loads with the first model

    return find_lib_path()[0]
