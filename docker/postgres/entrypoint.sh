#!/bin/sh
# What testcontainers' PostgresContainer expects of the official image:
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, initdb on first start,
# listening on every interface inside the container (the port is published
# on 127.0.0.1 only by the backend), password auth over TCP.
set -eu
# like the official image: a command starting with "postgres" is the server's options
if [ "${1:-}" = postgres ]; then shift; fi
: "${PGDATA:=/var/lib/postgresql/data}"
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "edu-postgres: POSTGRES_PASSWORD must be set" >&2
        exit 1
    fi
    pwfile="$(mktemp)"
    printf '%s' "$POSTGRES_PASSWORD" > "$pwfile"
    # --locale=C like the embedded backend: no OS locale files are needed
    initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -E UTF8 --locale=C \
        --auth-local=trust --auth-host=scram-sha-256 --no-sync --no-instructions
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    if [ "$db" != "postgres" ]; then
        echo "CREATE DATABASE \"$db\"" | postgres --single -D "$PGDATA" -j postgres > /dev/null
    fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories='' "$@"
