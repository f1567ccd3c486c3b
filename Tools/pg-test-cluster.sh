#!/bin/sh
# Throw-away PostgreSQL cluster for tests (docs/contract.md §14).
#   Tools/pg-test-cluster.sh start DIR   initdb in DIR, listen only on a Unix socket in DIR,
#                                       create role/database "pwvault_test"; prints the socket dir.
#                                       Role "pwvault_scram" (password "pwvault-scram-test") logs in
#                                       with SCRAM-SHA-256 only, for the wrong-password test.
#   Tools/pg-test-cluster.sh restart DIR stop the server (fast: every session is ended) and start it
#                                       again, for the fault tests.
#   Tools/pg-test-cluster.sh stop DIR    stop the server and remove DIR.
# Runs the server as the `postgres` user (we are root in CI). The tests run it with fsync off;
# PWVAULT_PG_FSYNC=on (`make bench`) keeps fsync on, so that every commit measured is durable.
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
    echo "usage: $0 start|restart|stop DIR" >&2
    exit 2
fi
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${PWVAULT_PG_FSYNC:-off}" in
on | off) fsync=${PWVAULT_PG_FSYNC:-off} ;;
*)
    echo "$0: PWVAULT_PG_FSYNC is on or off" >&2
    exit 2
    ;;
esac
case "$cmd" in
start)
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
    as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    # Before initdb's trust lines, which would match first.
    as_pg sed -i '1i local all pwvault_scram scram-sha-256' "$dir/data/pg_hba.conf"
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=$fsync" start >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
    }
    as_pg "$PGBIN/psql" -h "$dir" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
        -c "CREATE ROLE pwvault_test LOGIN CREATEDB" \
        -c "CREATE DATABASE pwvault_test OWNER pwvault_test" \
        -c "CREATE ROLE pwvault_scram LOGIN PASSWORD 'pwvault-scram-test'" \
        -c "GRANT CREATE ON DATABASE pwvault_test TO pwvault_scram" >/dev/null
    echo "$dir"
    ;;
restart)
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 30 restart >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
    }
    ;;
stop)
    if [ -d "$dir/data" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|restart|stop DIR" >&2
    exit 2
    ;;
esac
