"""Wait until a URL answers 200 (used by the demo to wait for `mlpipe serve`)."""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request


def wait_for(url: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback URL from the demo)
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):  # refused, reset or timed out while starting up
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout_s:.0f} s; see the server log in $MLPIPE_HOME")


if __name__ == "__main__":
    wait_for(sys.argv[1])
