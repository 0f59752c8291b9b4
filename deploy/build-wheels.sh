#!/usr/bin/env bash
# Build every Python wheel the image needs into deploy/wheels/, on the host (which reaches
# PyPI), so that `docker build` installs them with --no-index and needs no network.
# The host's Python must be the image's minor version (3.11) on the same libc (glibc, x86_64).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
wheels="$root/deploy/wheels"
# SETU_SOURCE: the project to build (default: this checkout).
source="${SETU_SOURCE:-$root}"

want="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
if [[ "$want" != "3.11" ]]; then
    echo "build-wheels: $python is Python $want; the image runs 3.11" >&2
    exit 1
fi
rm -rf "$wheels"
mkdir -p "$wheels"
# flower: the `ops` profile's monitor runs from the same image. async-timeout: redis-py
# needs it on Python < 3.11.3 (Debian bookworm's python3 is 3.11.2), whatever the host runs.
"$python" -m pip wheel --quiet --wheel-dir "$wheels" "$source" flower "async-timeout>=4.0.3"
echo "build-wheels: $(find "$wheels" -name '*.whl' | wc -l) wheels in $wheels"
