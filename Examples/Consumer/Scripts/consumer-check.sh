#!/usr/bin/env bash
# The consumer's build (issue 17, docs/contract.md §17): Examples/Consumer depends on PasswordVault
# by URL and version, the way a user's Package.swift names it. This script
#   1. checks that the consumer's manifest holds the README's "Add it to a package" lines word
#      for word (the URL aside, which is this clone's);
#   2. clones this repository's HEAD into a temporary folder and tags the clone with the
#      library's version (PasswordVaultInfo.version), so that `from: "X.Y.Z"` resolves to it;
#   3. builds the consumer there from nothing (its own scratch path), runs its tests and its
#      program. SwiftPM refuses a dependency named by version whose products carry unsafe flags,
#      so a build that passes proves they carry none.
# Uncommitted changes are not part of the clone: commit first. The temporary folder is removed at
# the end, whatever happens.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
SWIFT="${SWIFT:-swift}"

version="$(sed -n 's/^ *public static let version = "\(.*\)"$/\1/p' "$root/Sources/PasswordVault/PasswordVault.swift")"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "consumer-check: no library version found" >&2; exit 1; }

python3 - "$root/README.md" "$here/Package.swift" "$version" <<'PY'
import re, sys
readme, manifest, version = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3]
section = readme.split("Add it to a package", 1)
if len(section) != 2:
    sys.exit("consumer-check: the README has no 'Add it to a package' block")
block = re.search(r"```swift\n(.*?)```", section[1], re.S)
if not block:
    sys.exit("consumer-check: the README's 'Add it to a package' has no swift block")
lines = [l.strip() for l in block.group(1).splitlines() if l.strip()]
package = [l for l in lines if l.startswith(".package(")]
if len(package) != 1:
    sys.exit("consumer-check: the README's block must name the package once")
m = re.fullmatch(r'\.package\(url: "([^"]+)", from: "([^"]+)"\),(\s*//.*)?', package[0])
if not m:
    sys.exit(f"consumer-check: the README names the package otherwise than by URL and version: {package[0]}")
if m.group(2) != version:
    sys.exit(f"consumer-check: the README asks for {m.group(2)}, the library is {version}")
if f'.package(url: passwordVaultURL, from: "{version}")' not in manifest:
    sys.exit(f"consumer-check: Examples/Consumer/Package.swift does not ask for PasswordVault from {version}")
if f'?? "{m.group(1)}"' not in manifest:
    sys.exit(f"consumer-check: Examples/Consumer/Package.swift's default URL is not the README's {m.group(1)}")
for line in lines:
    if line.startswith(".product(") and line not in (l.strip() for l in manifest.splitlines()):
        sys.exit(f"consumer-check: the consumer's manifest lacks the README's line {line}")
print(f"consumer-check: the README's lines are the consumer's (PasswordVault from {version})")
PY

work="$(mktemp -d /tmp/pwvault-consumer.XXXXXX)"
trap 'rm -rf "$work"' EXIT
if ! git -C "$root" diff --quiet HEAD -- 2>/dev/null; then
    echo "consumer-check: uncommitted changes are not in the clone; testing HEAD $(git -C "$root" rev-parse --short HEAD)"
fi
git clone -q --no-hardlinks "$root" "$work/PasswordVault"
git -C "$work/PasswordVault" tag "$version"
cp -R "$here" "$work/Consumer"
rm -rf "$work/Consumer/.build" "$work/Consumer/Package.resolved"
cd "$work/Consumer"
export PASSWORDVAULT_URL="file://$work/PasswordVault"
started=$(date +%s)
"$SWIFT" build --scratch-path "$work/build" --build-tests
built=$(date +%s)
"$SWIFT" test --scratch-path "$work/build" --disable-xctest
"$SWIFT" run --scratch-path "$work/build" --skip-build vault-consumer
echo "consumer-check: passed (clean build $((built - started)) s, tests and run $(( $(date +%s) - built )) s)"
