#!/bin/sh
# Runs a command beside a throw-away PostgreSQL cluster (docs/contract.md §14):
#   Tools/with-pg-cluster.sh swift test --disable-xctest
# starts the cluster (Tools/pg-test-cluster.sh) in a new temporary folder, runs the command with
# PWVAULT_TEST_PG_SOCKET naming the socket folder (role and database "pwvault_test"), and stops and
# removes the cluster when the command ends, fails or is interrupted. Exits with the command's status.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/pwvault-pg.XXXXXX)
cleanup() { "$here/pg-test-cluster.sh" stop "$dir"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
"$here/pg-test-cluster.sh" start "$dir" >/dev/null
echo "PostgreSQL test cluster on $dir (stopped and removed at the end)"
set +e
PWVAULT_TEST_PG_SOCKET=$dir "$@"
status=$?
set -e
exit $status
