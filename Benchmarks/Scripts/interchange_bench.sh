#!/usr/bin/env bash
# Import and export of N entries (default 10,000) with `pwvault` beside `keepassxc-cli`, whole
# processes, same run (docs/contract.md §15). KDFs at their minimum cost, so that they do not hide
# the rest: the vault at `--cost minimum`, our KDBX export at `--kdf-cost minimum` (Argon2id
# 1 MiB, 1 pass), KeePassXC's database at its lowest `-t` (100 ms of AES-KDF).
# Usage: interchange_bench.sh PWVAULT_BINARY [N]
set -euo pipefail
pwvault=$1
count=${2:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PWVAULT_PATH=$work/vault.db PWVAULT_PASSPHRASE=bench PWVAULT_FILE_PASSPHRASE=bench
python3 - "$count" "$work/in.json" "$work/in.xml" <<'PY'
import json, sys
n = int(sys.argv[1])
items = [{"id": str(i), "type": 1, "name": f"entry {i}", "notes": f"note {i}\nline 2", "folderId": None,
          "login": {"username": f"user{i}@example.com", "password": f"pässword-{i}",
                    "uris": [{"uri": f"https://site{i}.example"}], "totp": "JBSWY3DPEHPK3PXP"}}
         for i in range(n)]
json.dump({"encrypted": False, "folders": [], "items": items}, open(sys.argv[2], "w"))
def esc(s): return s.replace("&", "&amp;").replace("<", "&lt;")
with open(sys.argv[3], "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?><KeePassFile><Meta/><Root><Group><Name>Root</Name>')
    for i in range(n):
        f.write(f'<Entry><String><Key>Title</Key><Value>entry {i}</Value></String>'
                f'<String><Key>UserName</Key><Value>user{i}@example.com</Value></String>'
                f'<String><Key>Password</Key><Value>pässword-{i}</Value></String>'
                f'<String><Key>URL</Key><Value>https://site{i}.example</Value></String>'
                f'<String><Key>Notes</Key><Value>note {i}\nline 2</Value></String></Entry>')
    f.write('</Group></Root></KeePassFile>')
PY
seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; end=$(date +%s.%N); python3 -c "print(f'{$end - $start:.2f}')"; }
"$pwvault" init --cost minimum >/dev/null
"$pwvault" user add bench >/dev/null
ours_import_json=$(seconds "$pwvault" import "$work/in.json" --format bitwarden-json --as bench)
ours_export_kdbx=$(seconds "$pwvault" export "$work/ours.kdbx" --format kdbx --kdf-cost minimum --as bench)
ours_export_json=$(seconds "$pwvault" export "$work/ours.json" --format bitwarden-json --plaintext --as bench)
"$pwvault" init --cost minimum --vault "$work/vault2.db" >/dev/null
"$pwvault" user add bench --vault "$work/vault2.db" >/dev/null
ours_import_kdbx=$(seconds "$pwvault" import "$work/ours.kdbx" --format kdbx --as bench --vault "$work/vault2.db")
theirs_import_xml=$(seconds sh -c "printf 'bench\nbench\n' | keepassxc-cli import -q -p -t 100 '$work/in.xml' '$work/theirs.kdbx'")
theirs_export_xml=$(seconds sh -c "printf 'bench\n' | keepassxc-cli export -q -f xml '$work/ours.kdbx' > '$work/theirs.xml'")
theirs_export_csv=$(seconds sh -c "printf 'bench\n' | keepassxc-cli export -q -f csv '$work/ours.kdbx' > '$work/theirs.csv'")
echo "Interchange, $count entries, whole processes (seconds):"
printf '%-58s %8s\n' \
    "pwvault import bitwarden-json" "$ours_import_json" \
    "pwvault export kdbx (Argon2id 1 MiB, ChaCha20)" "$ours_export_kdbx" \
    "pwvault export bitwarden-json" "$ours_export_json" \
    "pwvault import kdbx (our export)" "$ours_import_kdbx" \
    "keepassxc-cli import xml -> kdbx (AES-KDF 100 ms)" "$theirs_import_xml" \
    "keepassxc-cli export xml (our kdbx)" "$theirs_export_xml" \
    "keepassxc-cli export csv (our kdbx)" "$theirs_export_csv"
