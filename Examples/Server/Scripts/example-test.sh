#!/usr/bin/env bash
# make example-test: the server's own tests, then a live server on a free loopback port with a
# temporary vault, driven through the seeds' scenario with curl, then stopped with SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/../../.."
SWIFT=${SWIFT:-swift}
$SWIFT test --package-path Examples/Server
$SWIFT build --package-path Examples/Server --product mysafe-server
$SWIFT build --product pwvault
SERVER=$($SWIFT build --package-path Examples/Server --show-bin-path)/mysafe-server
PWVAULT=$($SWIFT build --show-bin-path)/pwvault

WORK=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export PWVAULT_PATH=$WORK/vault.db PWVAULT_PASSPHRASE=example-test-passphrase
"$PWVAULT" init >/dev/null
for u in npass pduarte mallory; do "$PWVAULT" user add "$u" >/dev/null; done
# Each add (pwvault client add) prints the id and the secret once: read both from one call.
add() { "$PWVAULT" client add "$1" >"$WORK/$1.client"; }
add npass; add pduarte; add mallory
field() { awk -v k="$2" '$1 == k":" {print $2}' "$WORK/$1.client"; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$SERVER" --port "$PORT" 2>"$WORK/server.log" &
PID=$!
BASE=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -s -o /dev/null "$BASE/" && break; sleep 0.1; done

fail() { echo "example-test: $*" >&2; exit 1; }
# expect STATUS METHOD PATH [curl args…]: prints the body
expect() {
    local want=$1 method=$2 path=$3; shift 3
    local out; out=$(curl -s -w '\n%{http_code}' -X "$method" "$BASE$path" "$@")
    local code=${out##*$'\n'}
    [ "$code" = "$want" ] || fail "$method $path: $code, wanted $want: ${out%$'\n'*}"
    printf '%s' "${out%$'\n'*}"
}
token() {
    expect 200 POST /api/oauth2/token -d grant_type=client_credentials \
        -d "client_id=$(field "$1" client_id)" -d "client_secret=$(field "$1" client_secret)" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
OWNER=$(token npass); VIEWER=$(token pduarte); STRANGER=$(token mallory)
# GET with the query, as seed 003 writes it
expect 200 GET "/api/oauth2/token?grant_type=client_credentials&client_id=$(field npass client_id)&client_secret=$(field npass client_secret)" >/dev/null
refusal=$(expect 401 POST /api/oauth2/token -d grant_type=client_credentials -d "client_id=$(field npass client_id)" -d client_secret=guess-s3cr3t)
case $refusal in *guess-s3cr3t*|*"$(field npass client_secret)"*) fail "secret echoed in a refusal";; esac
expect 401 GET /api/mysafe/password >/dev/null
expect 401 GET /api/mysafe/password -H "Authorization: Bearer 00" >/dev/null
J=(-H "Content-Type: application/json")
expect 201 POST /api/mysafe/password -H "Authorization: Bearer $OWNER" "${J[@]}" \
    -d '{"name":"senseg account","url":"www.senhasegura.com","username":"npass","password":"8jhfy@3789","tags":"tag1, tag2","users_allowed":[{"username":"pduarte","can_edit":false}]}' >/dev/null
expect 200 GET /api/mysafe/password -H "Authorization: Bearer $OWNER" | grep -q 'senseg account' || fail "list"
expect 200 GET /api/mysafe/password/1 -H "Authorization: Bearer $OWNER" | grep -q '8jhfy@3789' || fail "get"
expect 200 GET /api/mysafe/password/1 -H "Authorization: Bearer $VIEWER" | grep -q '8jhfy@3789' || fail "viewer get"
body=$(curl -s "$BASE/api/mysafe/password/1" -H "Authorization: Bearer $STRANGER")
case $body in *8jhfy*) fail "stranger saw the password";; esac
expect 200 PUT /api/mysafe/password/update/1 -H "Authorization: Bearer $OWNER" "${J[@]}" -d '{"password":"n3w-pass"}' >/dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$BASE/api/mysafe/password/update/1" -H "Authorization: Bearer $VIEWER" "${J[@]}" -d '{"password":"x"}')
[ "${code:0:1}" = 4 ] || fail "viewer update: $code"
expect 200 GET /api/mysafe/password/history/1 -H "Authorization: Bearer $OWNER" >/dev/null
# Every route, by role, and each refusal: the real answers validate against docs/openapi.yaml.
python3 Examples/Server/Scripts/openapi_check.py "$BASE" docs/openapi.yaml "$OWNER" 1 "$VIEWER" "$STRANGER" \
    "$(field npass client_id)" "$(field npass client_secret)" || fail "answers do not match docs/openapi.yaml"
head -c 1048577 /dev/zero | tr '\0' a >"$WORK/big"
# One byte over the limit: docs/contract.md §8's envelope, and the connection is closed.
curl -s -D "$WORK/big.head" -o "$WORK/big.body" -X POST "$BASE/api/mysafe/password" -H "Authorization: Bearer $OWNER" \
    "${J[@]}" --data-binary @"$WORK/big"
grep -q '^HTTP/1.1 413' "$WORK/big.head" || fail "oversize body: $(head -1 "$WORK/big.head")"
grep -qi '^connection: close' "$WORK/big.head" || fail "oversize body: connection not closed"
python3 - "$WORK/big.body" <<'PY' || fail "oversize body: not the contract's 413 envelope: $(cat "$WORK/big.body")"
import json, sys
body = json.load(open(sys.argv[1]))
message = "Request body is too large (at most 1048576 bytes)"
assert body["code"] == 413 and body["exception"]["code"] == 413, body
assert body["response"]["status"] == 413 and body["response"]["message"] == message, body
PY
"$SERVER" client revoke "$(field mallory client_id)" >/dev/null
expect 401 GET /api/mysafe/password -H "Authorization: Bearer $STRANGER" >/dev/null
expect 200 DELETE /api/mysafe/password/1 -H "Authorization: Bearer $OWNER" >/dev/null
# Hostile clients: Schemathesis generates requests from docs/openapi.yaml against the live server
# (a bounded run: at most 50 cases per operation in each phase, a fixed seed unless
# SCHEMATHESIS_SEED says otherwise). Every check runs — no 5xx, answers conform to the document
# (status, content type, headers, schema), schema-violating requests refused, 401 without a token —
# and ours (Scripts/schemathesis_hooks.py): no secret sent comes back in an answer. Two checks are
# left out because the contract decides otherwise: positive_data_acceptance (every catalogue
# refusal, "not found" 1005 included, is HTTP 400 in the envelope, docs/contract.md §8) and
# unsupported_method (a method no route serves is the gateway's 404, not 405, §8).
ROOT=$(pwd)
# First, that our check can fail at all: against a stub that echoes secrets it must (the check
# alone, and through Schemathesis with the hooks loaded as below); against a clean stub it must not.
python3 Examples/Server/Scripts/hooks_selftest.py || fail "the secret-echo check does not catch a leaky stub"
(cd "$WORK" && PYTHONPATH="$ROOT/Examples/Server/Scripts" SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONDONTWRITEBYTECODE=1 \
    python3 -c 'import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis(prog_name="st"))' \
    run "$ROOT/docs/openapi.yaml" --url "$BASE" -H "Authorization: Bearer $OWNER" \
    --phases examples,coverage,fuzzing --max-examples 50 --seed "${SCHEMATHESIS_SEED:-1}" --workers 2 \
    --generation-database none --exclude-checks positive_data_acceptance,unsupported_method \
    --request-timeout 10 --no-color) >"$WORK/schemathesis.log" 2>&1 ||
    { tail -80 "$WORK/schemathesis.log" >&2; fail "Schemathesis found failures (above)"; }
echo "example-test: Schemathesis: $(grep -E '^ +[0-9]+ generated' "$WORK/schemathesis.log" | tail -1 | sed 's/^ *//')"
# A bounded load check (8 clients × 50 requests of GET one, then of create; every answer a success).
python3 Examples/Server/Scripts/loadcheck.py "$PORT" "$OWNER" 8 50 || fail "load check"
! grep -q -e "$OWNER" -e "$(field npass client_secret)" -e 8jhfy "$WORK/server.log" || fail "secret in the log"
# Graceful shutdown (SIGTERM): 20 creates whose heads the server has read when SIGTERM comes
# each get a complete 201; the server stops accepting, then exits 0; afterwards every
# acknowledged create is in the vault and the audit trail verifies (Scripts/inflight.py).
python3 Examples/Server/Scripts/inflight.py "$PORT" "$PID" "$OWNER" 20 "$WORK/inflight.ids" ||
    fail "requests in flight at SIGTERM"
status=0; wait "$PID" || status=$?
PID=
[ "$status" = 0 ] || fail "server exit status $status after SIGTERM"
"$PWVAULT" list --as npass --json >"$WORK/after.jsonl"
python3 - "$WORK/inflight.ids" "$WORK/after.jsonl" <<'PY' || fail "acknowledged creates missing after shutdown"
import json, sys
ids = open(sys.argv[1]).read().split()
listed = {e["identifier"]: e["name"] for e in map(json.loads, open(sys.argv[2]))}
missing = [i for i in ids if not listed.get(i, "").startswith("inflight ")]
if len(ids) != 20 or missing:
    sys.exit(f"{len(ids)} acknowledged, missing: {missing}")
PY
"$PWVAULT" audit verify | grep -q '^intact' || fail "audit trail not intact after shutdown"
echo "example-test: scenario passed; 20 requests in flight at SIGTERM all answered 201 and stored; exit 0"
