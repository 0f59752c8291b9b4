#!/usr/bin/env bash
# Install the load generator the benchmarks drive the APIs with (wrk, from Debian's packages).
# `python -m bench` runs this when wrk is missing.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq wrk
