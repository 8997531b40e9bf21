"""Child-process side of the booster trial: load untrusted booster bytes with libxgboost, then predict.

Run as a script (`python -I -S booster_probe.py LIBXGBOOST MEMORY_BYTES CPU_SECONDS`, the booster on
stdin) by `runtime.features.booster_trial`; standard library only, so that it starts in tens of
milliseconds instead of the 1.3 s `import xgboost` costs with pandas and scikit-learn installed. It
calls the same C functions `xgboost.Booster.load_model` and `inplace_predict` call, so a booster that
crashes, hangs or exhausts memory here would have done the same in the serving process.
Exit 0 prints `{"num_features": N, "objective": NAME}`; exit 3 prints XGBoost's error message.
"""

from __future__ import annotations

import ctypes
import json
import math
import resource
import sys

XGBOOST_ERROR_EXIT = 3
# Rows scored by the trial: all missing, all zero, and spread values, so several tree paths are walked.
_TRIAL_VALUES = (math.nan, 0.0, 1.0, -1.0, 0.5, 3.0, 30.0, 1e6, -1e6)


class _XGBoostError(Exception):
    pass


def _check(lib: ctypes.CDLL, status: int) -> None:
    if status != 0:
        lib.XGBGetLastError.restype = ctypes.c_char_p
        raise _XGBoostError(lib.XGBGetLastError().decode("utf-8", "replace"))


def _limit(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))


def _load(lib: ctypes.CDLL, booster: bytes) -> ctypes.c_void_p:
    handle = ctypes.c_void_p()
    _check(lib, lib.XGBoosterCreate(None, ctypes.c_uint64(0), ctypes.byref(handle)))
    _check(lib, lib.XGBoosterSetParam(handle, b"nthread", b"1"))
    _check(lib, lib.XGBoosterLoadModelFromBuffer(handle, booster, ctypes.c_uint64(len(booster))))
    return handle


def _describe(lib: ctypes.CDLL, handle: ctypes.c_void_p) -> dict[str, object]:
    count = ctypes.c_uint64()
    _check(lib, lib.XGBoosterGetNumFeature(handle, ctypes.byref(count)))
    length, text = ctypes.c_uint64(), ctypes.c_char_p()
    _check(lib, lib.XGBoosterSaveJsonConfig(handle, ctypes.byref(length), ctypes.byref(text)))
    config = json.loads(ctypes.string_at(text, length.value))
    return {"num_features": count.value, "objective": config["learner"]["objective"]["name"]}


def _predict(lib: ctypes.CDLL, handle: ctypes.c_void_p, num_features: int) -> None:
    """Score one row per trial value, as `Booster.inplace_predict` does (array interface, float32)."""
    rows = len(_TRIAL_VALUES)
    matrix = (ctypes.c_float * (rows * num_features))(
        *(value for value in _TRIAL_VALUES for _ in range(num_features))
    )
    interface = {
        "data": [ctypes.addressof(matrix), True],
        "shape": [rows, num_features],
        "strides": None,
        "typestr": "<f4",
        "version": 3,
    }
    config: dict[str, object] = {"type": 0, "training": False, "iteration_begin": 0, "iteration_end": 0}
    config |= {"missing": math.nan, "strict_shape": False, "cache_id": 0}
    shape, dims = ctypes.POINTER(ctypes.c_uint64)(), ctypes.c_uint64()
    result = ctypes.POINTER(ctypes.c_float)()
    _check(
        lib,
        lib.XGBoosterPredictFromDense(
            handle,
            json.dumps(interface).encode(),
            json.dumps(config).encode(),
            None,
            ctypes.byref(shape),
            ctypes.byref(dims),
            ctypes.byref(result),
        ),
    )


def main(argv: list[str]) -> int:
    library, memory_bytes, cpu_seconds = argv[1], int(argv[2]), int(argv[3])
    _limit(memory_bytes, cpu_seconds)
    booster = sys.stdin.buffer.read()
    lib = ctypes.CDLL(library)
    try:
        handle = _load(lib, booster)
        description = _describe(lib, handle)
        _predict(lib, handle, int(description["num_features"]))  # type: ignore[call-overload]
    except _XGBoostError as error:
        # XGBoost appends a native stack trace; its first line holds the reason.
        print(str(error).strip().splitlines()[0][:500], file=sys.stderr)
        return XGBOOST_ERROR_EXIT
    print(json.dumps(description))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
