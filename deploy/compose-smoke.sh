#!/usr/bin/env bash
# make compose-smoke: docker-compose.yml really starts Setu, on a machine with no registry.
#
# 1. installs docker.io, docker-compose and debootstrap (Debian packages) if missing, and
#    starts dockerd if no engine answers;
# 2. builds stand-in base images with debootstrap (Debian bookworm: python3 for the Setu
#    image; redis-server, PostgreSQL 15 and nginx for the infrastructure), since no image
#    registry is reachable;
# 3. builds the Python wheels on the host and the Setu image from them (--no-index), and the
#    `ops` profile's Prometheus image on the infrastructure stand-in (Debian's prometheus
#    package: this step needs the Debian mirror);
# 4. docker-compose up with the `ops` profile (Flower and Prometheus too) and two
#    notifications workers, waits until every service is healthy, bootstraps the
#    secretariat, drives one programme through submission over the gateway on 127.0.0.1 and
#    finds the email in the SMTP catcher; then asks Prometheus, on its published port, that
#    every scrape target (each worker replica) is up and that the tasks, the email and the
#    relayed events were counted (deploy/smoke_drive.py);
# 5. tears everything down (containers and volumes; and dockerd, if it started it).
#
# Needs root. Not part of `make test`. Work files live in $SMOKE_DIR (default
# /var/tmp/setu-smoke); the debootstrapped trees are kept there and reused.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${SMOKE_DIR:-/var/tmp/setu-smoke}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
python_image="setu-standin/python:3.11-bookworm"
infra_image="setu-standin/infra:bookworm"
health_timeout="${SMOKE_HEALTH_TIMEOUT:-420}"
# deploy/Dockerfile's RUNTIME_PACKAGES, put in the stand-in base so the build needs no network.
runtime_packages="libpango-1.0-0,libpangoft2-1.0-0,libharfbuzz-subset0,fonts-noto-core,fonts-noto-cjk"

export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-setu-smoke}"
# Every docker-compose command of this script (up, ps, logs, down) includes the `ops` services.
export COMPOSE_PROFILES=ops
export SETU_HTTP_PORT="${SETU_HTTP_PORT:-18000}"
export SETU_MAIL_WEB_PORT="${SETU_MAIL_WEB_PORT:-18025}"
export SETU_FLOWER_PORT="${SETU_FLOWER_PORT:-15555}"
export SETU_PROMETHEUS_PORT="${SETU_PROMETHEUS_PORT:-19090}"
export SETU_PUBLIC_URL="http://127.0.0.1:${SETU_HTTP_PORT}"
export SETU_PYTHON_IMAGE="$python_image"
export SETU_REDIS_IMAGE="setu-standin/redis:bookworm"
export SETU_POSTGRES_IMAGE="setu-standin/postgres:15-bookworm"
export SETU_NGINX_IMAGE="$infra_image"
export SETU_PROMETHEUS_BASE_IMAGE="$infra_image"
export SETU_VERSION="smoke"
# The two secrets docker-compose.yml requires: random ones for this run unless given.
new_secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(48))'; }
export SETU_SECRET_KEY="${SETU_SECRET_KEY:-$(new_secret)}"
export SETU_INTERNAL_SECRET="${SETU_INTERNAL_SECRET:-$(new_secret)}"
# Two notifications workers: Prometheus must scrape each replica (deploy/smoke_drive.py).
notifications_workers="${SMOKE_NOTIFICATIONS_WORKERS:-2}"

mkdir -p "$work"
say() { printf '%s compose-smoke: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

install_tools() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v docker-compose >/dev/null || missing+=(docker-compose)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    if ((${#missing[@]})); then
        say "installing ${missing[*]}"
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            "${missing[@]}" iptables ca-certificates
    fi
}

started_dockerd=""
start_engine() {
    if docker info >/dev/null 2>&1; then
        say "using the running Docker engine"
        return
    fi
    say "starting dockerd (log: $work/dockerd.log)"
    dockerd >"$work/dockerd.log" 2>&1 &
    started_dockerd=$!
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && return
        sleep 1
    done
    say "dockerd did not start:"
    tail -n 30 "$work/dockerd.log"
    exit 1
}

# debootstrap a Debian bookworm tree once, and import it as an image.
base_image() {
    local image="$1" packages="$3"
    local tree="$work/rootfs-$2-$(md5sum <<<"$packages" | cut -c1-8)"
    if [[ "$(docker image inspect --format '{{index .Config.Labels "setu.packages"}}' \
            "$image" 2>/dev/null)" == "$packages" ]]; then
        say "stand-in $image exists"
        return
    fi
    if [[ ! -x "$tree/usr/bin/python3" ]]; then
        say "debootstrap $tree ($packages)"
        rm -rf "$tree"
        debootstrap --variant=minbase --include="$packages" bookworm "$tree" "$mirror" \
            >"$work/debootstrap-$2.log" 2>&1
    fi
    rm -rf "$tree"/var/cache/apt/archives/*.deb "$tree"/var/lib/apt/lists/*
    say "importing $tree as $image"
    tar -C "$tree" -c . | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["bash"]' --change "LABEL setu.packages=$packages" - "$image" >/dev/null
}

build_images() {
    base_image "$python_image" python "python3,python3-venv,ca-certificates,$runtime_packages"
    base_image "$infra_image" infra \
        "python3,redis-server,redis-tools,postgresql-15,postgresql-client-15,nginx-light,curl,ca-certificates"
    say "building stand-in redis and postgres images"
    docker build --quiet -t "$SETU_REDIS_IMAGE" -f "$root/deploy/standin/redis.Dockerfile" \
        "$root/deploy/standin" >/dev/null
    docker build --quiet -t "$SETU_POSTGRES_IMAGE" -f "$root/deploy/standin/postgres.Dockerfile" \
        "$root/deploy/standin" >/dev/null
    say "building wheels on the host"
    bash "$root/deploy/build-wheels.sh"
    say "building the Setu image"
    compose build --quiet migrate
    say "building the Prometheus image on $infra_image (Debian's package, from $mirror)"
    compose build --quiet prometheus
}

# SMOKE_EXTRA_COMPOSE: an override file layered on docker-compose.yml (optional).
# The image runs as non-root and carries no compiler and no pip.
check_image() {
    local report
    report="$(docker run --rm "setu:$SETU_VERSION" sh -c \
        'echo "uid=$(id -u)"; for t in gcc cc c++ make pip pip3; do command -v $t; done; true')"
    say "image setu:$SETU_VERSION: $(docker image inspect --format '{{.Size}}' "setu:$SETU_VERSION") bytes, $(tr '\n' ' ' <<<"$report")"
    [[ "$report" == "uid=10001" ]] || { say "the image runs as root or carries build tools"; exit 1; }
    local prometheus="setu-prometheus:$SETU_VERSION"
    report="$(docker run --rm --entrypoint sh "$prometheus" -c \
        'echo "user=$(id -un)"; prometheus --version 2>&1 | head -n 1')"
    say "image $prometheus: $(docker image inspect --format '{{.Size}}' "$prometheus") bytes, $(tr '\n' ' ' <<<"$report")"
    [[ "$report" == "user=prometheus"* ]] || { say "Prometheus runs as root"; exit 1; }
}

compose() {
    local files=(-f "$root/docker-compose.yml")
    [[ -n "${SMOKE_EXTRA_COMPOSE:-}" ]] && files+=(-f "$SMOKE_EXTRA_COMPOSE")
    docker-compose --project-directory "$root" "${files[@]}" "$@"
}

unhealthy_services() {
    local id state
    for id in $(compose ps -q); do
        state="$(docker inspect --format \
            '{{.Name}}|{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{end}}|{{.State.ExitCode}}' "$id")"
        case "$state" in
            *_migrate_*"|exited|"*"|0") ;;
            *"|running|healthy|"*) ;;
            *) echo "$state" ;;
        esac
    done
}

wait_healthy() {
    local start=$SECONDS deadline=$((SECONDS + health_timeout)) pending
    while ((SECONDS < deadline)); do
        pending="$(unhealthy_services)"
        if [[ -z "$pending" ]]; then
            say "every service is healthy, $((SECONDS - start))s after docker-compose up returned"
            return 0
        fi
        if grep -qE '_migrate_.*\|exited\|.*\|[1-9]' <<<"$pending"; then
            say "the migrate step failed:"
            compose logs --no-color migrate | tail -n 40
            break
        fi
        sleep 5
    done
    say "not healthy in time:"
    printf '%s\n' "$pending"
    return 1
}

compose_up=""
teardown() {
    local status=$?
    if ((status != 0)) && [[ -n "$compose_up" ]]; then
        say "FAILED; state and the last log lines of every service:"
        compose ps || true
        compose logs --no-color --tail=40 || true
    fi
    say "tearing down"
    if docker info >/dev/null 2>&1; then
        compose down --volumes --remove-orphans --timeout 20 >/dev/null 2>&1 || true
        local label="label=com.docker.compose.project=$COMPOSE_PROJECT_NAME"
        say "left of $COMPOSE_PROJECT_NAME: $(docker ps -aq --filter "$label" | wc -l) containers, $(docker volume ls -q --filter "$label" | wc -l) volumes, $(docker network ls -q --filter "$label" | wc -l) networks"
    fi
    if [[ -n "$started_dockerd" ]]; then
        say "stopping the dockerd it started (pid $started_dockerd)"
        kill "$started_dockerd" 2>/dev/null || true
        wait "$started_dockerd" 2>/dev/null || true
    fi
    say "exit $status"
    exit "$status"
}

main() {
    [[ $EUID -eq 0 ]] || { echo "compose-smoke: run as root (it installs and starts dockerd)" >&2; exit 1; }
    install_tools
    # From here on, whatever fails: the project down and a dockerd this script started stopped.
    trap teardown EXIT
    start_engine
    build_images
    check_image
    say "docker-compose up (profiles: $COMPOSE_PROFILES)"
    compose_up=1
    compose up -d --no-build --scale "notifications-worker=$notifications_workers"
    wait_healthy
    say "bootstrapping the secretariat"
    local key
    key="$(compose run --rm --no-deps -T programmes-api setu bootstrap | tail -n 1 | tr -d '\r')"
    [[ -n "$key" ]] || { say "setu bootstrap printed no key"; exit 1; }
    local flower
    flower="$(curl --fail --silent --show-error "http://127.0.0.1:${SETU_FLOWER_PORT}/healthcheck")"
    say "Flower on 127.0.0.1:$SETU_FLOWER_PORT: /healthcheck $flower"
    SMOKE_REPLICAS="notifications-worker=$notifications_workers" \
        python3 "$root/deploy/smoke_drive.py" "http://127.0.0.1:${SETU_HTTP_PORT}" \
        "http://127.0.0.1:${SETU_MAIL_WEB_PORT}" "$key" "http://127.0.0.1:${SETU_PROMETHEUS_PORT}"
}

main "$@"
