#!/usr/bin/env bash
# The part of the official postgres image's entrypoint that Setu relies on: on an empty data
# directory, initdb with POSTGRES_PASSWORD, run /docker-entrypoint-initdb.d/* against a
# server on its socket only, then start the real server on every interface.
set -euo pipefail

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
    pwfile="$(mktemp)"
    printf '%s' "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}" > "$pwfile"
    initdb --username=postgres --pwfile="$pwfile" --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 -D "$PGDATA"
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
    for script in /docker-entrypoint-initdb.d/*; do
        case "$script" in
            *.sh) echo "init: running $script"; bash "$script" ;;
            *.sql) echo "init: running $script"; psql -v ON_ERROR_STOP=1 -U postgres -f "$script" ;;
            *) ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop
fi

if [[ "${1:-}" == "postgres" ]]; then
    shift
    exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
fi
exec "$@"
