"""Strip a `pip install --target` folder of what never runs in the serving image.

`python3 scripts/strip_bundle.py FOLDER`: removes test suites, `__pycache__` folders, `.pyi` stubs,
`.pyc` files, the wheels' RECORD files, console scripts (`bin/`) and NumPy's build and test tooling.
One implementation for the Dockerfile's builder stage, scripts/lambda_bundle.sh and the benchmark's
original stack.

Standard library only, on purpose: the Lambda Python 3.12 base image is Amazon Linux 2023 minimal, which
ships python3 but no `find`, `xargs` or the like (aws/aws-lambda-base-images issue 196).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

STRIPPED_DIRS = ("tests", "__pycache__")
STRIPPED_SUFFIXES = (".pyi", ".pyc")
# NumPy's build and test tooling: Fortran wrapping, distutils, C headers, and the extension modules
# only its own test suite loads (`import numpy` and every array operation work without them).
NUMPY_DEV_PATHS = ("numpy/f2py", "numpy/distutils", "numpy/_core/include", "numpy/_pyinstaller")
NUMPY_TEST_MODULES = (
    *("_simd", "_multiarray_tests", "_operand_flag_tests"),
    *("_rational_tests", "_struct_ufunc_tests", "_umath_tests"),
)


def strip_bundle(folder: Path) -> None:
    """Remove test suites, caches, stubs, RECORD files and console scripts from `folder`."""
    # Deepest first, so a folder is never removed before the ones inside it were looked at.
    for directory in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if directory.is_dir() and not directory.is_symlink() and directory.name in STRIPPED_DIRS:
            shutil.rmtree(directory)
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in STRIPPED_SUFFIXES:
            path.unlink()
    for record in folder.glob("*.dist-info/RECORD"):
        record.unlink()
    shutil.rmtree(folder / "bin", ignore_errors=True)
    for dev_path in NUMPY_DEV_PATHS:
        shutil.rmtree(folder / dev_path, ignore_errors=True)
    for module in NUMPY_TEST_MODULES:
        for extension in (folder / "numpy" / "_core").glob(f"{module}.*.so"):
            extension.unlink()


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(
            f"usage: python3 {Path(__file__).name} FOLDER (an existing folder); got {argv}", file=sys.stderr
        )
        return 2
    strip_bundle(Path(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
