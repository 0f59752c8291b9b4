#!/usr/bin/env bash
# The system tools `make test` needs (`make system-packages`): Debian's docker-compose (for
# `docker-compose config -q`), nginx (the gateway, run for real), poppler-utils (the PDF
# report tests read PDFs back), Pango and HarfBuzz's subsetter (WeasyPrint renders PDF reports
# with them), Prometheus (its promtool checks deploy/prometheus.yml; the package's service is
# kept from starting), the report fonts as in the image (services/reports/reports/render/
# fonts.py): fonts-noto-core (Noto Sans for Latin, Noto Sans Devanagari for Hindi) and
# fonts-noto-cjk (Noto Sans CJK JP), in report charts and PDFs and the console's pages;
# Chromium and its WebDriver (the console's browser tests), npm (axe-core, the accessibility
# checker those tests inject into each page, installed from the npm registry into .tools/,
# which git ignores). Nothing here touches the project's virtualenv (hadolint and PyYAML come
# with its test extras), so `make test` runs this beside `make install`.
# Idempotent and quick when everything is there. Needs root for apt-get (CI runs as root).
#
#   bash deploy/install-tools.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

missing=()
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
# (No `| grep -q` here: grep stops reading at the first match, and under pipefail the
# writer's SIGPIPE would count as "missing".)
libraries=$(ldconfig -p)
[[ $libraries == *libpango-1.0.so.0* ]] || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
# WeasyPrint subsets the fonts it embeds with HarfBuzz's, as in the image (without it, with
# fontTools: far slower on a CJK font).
[[ $libraries == *libharfbuzz-subset.so.0* ]] || missing+=(libharfbuzz-subset0)
command -v promtool >/dev/null || missing+=(prometheus)
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v npm >/dev/null || missing+=(npm)
# A family is there when fc-list names it exactly (a pattern, not a substring).
has_font() { [[ -n $(fc-list "$1" family 2>/dev/null) ]]; }
has_font 'Noto Sans CJK JP' || missing+=(fonts-noto-cjk)
{ has_font 'Noto Sans' && has_font 'Noto Sans Devanagari'; } || missing+=(fonts-noto-core)
if ((${#missing[@]})); then
    if [[ $EUID -ne 0 ]]; then
        echo "install-tools: ${missing[*]} missing; run as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    # Another apt-get (unattended upgrades, a second checkout) may hold the lock: wait for it.
    echo "install-tools: apt-get install ${missing[*]}"
    apt-get -o DPkg::Lock::Timeout=600 update -q
    # The tests start their own nginx: keep the packages from starting one on port 80 (and a
    # Prometheus on 9090).
    policy=/usr/sbin/policy-rc.d
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        trap 'rm -f "$policy"' EXIT
    fi
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
fi

# axe-core, pinned to its major version, from the npm registry (not copied into the repo).
if [[ ! -f $root/.tools/node_modules/axe-core/axe.min.js ]]; then
    echo "install-tools: npm install axe-core into $root/.tools"
    mkdir -p "$root/.tools"
    (cd "$root/.tools" && npm install --no-audit --no-fund --silent axe-core@4)
fi
echo "install-tools: docker-compose, nginx, poppler-utils, Pango, HarfBuzz subset, promtool, the Noto Sans, CJK JP and Devanagari fonts, Chromium and its driver and axe-core are there"
