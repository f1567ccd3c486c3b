#!/usr/bin/env bash
# Makes `first-release.db`, the SQLite fixture, with the FIRST RELEASE's `pwvault` (commit
# 1cc8194). See README.md beside this file.
#   make-sqlite-vault.sh /work/wt-first-release/.build/debug/pwvault first-release.db
set -euo pipefail
pwvault=$1
export PWVAULT_PATH=$2
export PWVAULT_PASSPHRASE=first-release-fixture
if [ -e "$PWVAULT_PATH" ]; then echo "$PWVAULT_PATH exists" >&2; exit 2; fi

"$pwvault" init --cost minimum
"$pwvault" user add alice --id 1
"$pwvault" user add bob --id 2
"$pwvault" user add carol --id 3
"$pwvault" group add ops --member bob
# 1: alice's, every field, shared with bob (viewer) and ops (editor).
"$pwvault" create --as alice --name mail --username alice@example.com --password alice-mail-pw-1 \
    --url https://mail.example.com --secret-key JBSWY3DPEHPK3PXP --notes 'recovery codes: 1111 2222' \
    --tags 'work, email' --share-user bob --share-group ops:edit
# 2: bob's, shared with carol (viewer), then updated once (version 2).
"$pwvault" create --as bob --name server --username root --password bob-server-pw-1 \
    --url ssh://server.example.com --share-user carol
# 3: carol's, then disabled (version 2).
"$pwvault" create --as carol --name 'old wiki' --username carol --password carol-wiki-pw-1 --tags legacy
"$pwvault" update 2 --as bob --password bob-server-pw-2 --notes 'rotated once'
"$pwvault" disable 3 --as carol
# The last connection's close checkpoints the write-ahead log into the file and removes it.
for leftover in "$PWVAULT_PATH-wal" "$PWVAULT_PATH-shm"; do
    if [ -e "$leftover" ]; then echo "$leftover is left: the file is not self-contained" >&2; exit 1; fi
done
