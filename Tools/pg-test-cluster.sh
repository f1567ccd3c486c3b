#!/bin/sh
# Throw-away PostgreSQL cluster for tests (docs/contract.md §14).
#   Tools/pg-test-cluster.sh start DIR   initdb in DIR, listen only on a Unix socket in DIR,
#                                       create role/database "pwvault_test"; prints the socket dir.
#   Tools/pg-test-cluster.sh stop DIR    stop the server and remove DIR.
# Runs the server as the `postgres` user (we are root in CI).
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
    as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off" start >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
    }
    as_pg "$PGBIN/psql" -h "$dir" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
        -c "CREATE ROLE pwvault_test LOGIN CREATEDB" \
        -c "CREATE DATABASE pwvault_test OWNER pwvault_test" >/dev/null
    echo "$dir"
    ;;
stop)
    if [ -d "$dir/data" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
