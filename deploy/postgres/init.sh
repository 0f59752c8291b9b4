#!/usr/bin/env bash
# One database and one owner role per service (each service owns its database; none can
# read another's). Run once by the postgres image's entrypoint, on an empty data volume,
# with the role passwords from the environment (docker-compose.yml).
set -euo pipefail

create() {
    local name="$1" password="$2"
    psql --set ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        --set name="$name" --set password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'name', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'name') \gexec
SQL
}

create programmes "${PROGRAMMES_DB_PASSWORD:?set PROGRAMMES_DB_PASSWORD}"
create notifications "${NOTIFICATIONS_DB_PASSWORD:?set NOTIFICATIONS_DB_PASSWORD}"
create reports "${REPORTS_DB_PASSWORD:?set REPORTS_DB_PASSWORD}"
