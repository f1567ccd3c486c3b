#!/usr/bin/env python3
"""Prints the benchmark table: operation, our median, the peer's median, the ratio.

Reads the per-benchmark percentile files that package-benchmark writes with
`--format histogramPercentiles --path DIR`: one TSV per benchmark and metric, named
`Current_run.<target>.<benchmark name>.<metric>.histogram.percentiles.tsv` (spaces as `_`).
Every benchmark times in nanoseconds per operation (`timeUnits: .nanoseconds`, values
already divided by the scaling factor); allocations are per operation too.

A peer row is the benchmark of the same name followed by ` [C]`; other ` … [C]` rows are
references shown under it. Targets (issue 7) are checked where they apply.

Usage: bench_table.py DIR [--markdown] [--expect-all] [--smoke]

--expect-all fails (exit 1) when a row of the table was not measured; --smoke says that the
figures are single samples of a smoke run and leaves the targets unchecked.
"""
import math
import os
import re
import sys

SUFFIX = ".histogram.percentiles.tsv"

# Rows in display order: (benchmark name, target check or None). A check takes (ours, peer)
# medians in nanoseconds (or the row's own unit) and returns (text, met).
# `wall` gives another row's median, for targets set against another of our rows.
def at_most_ns(limit, text):
    return lambda ours, peer, wall: (text, ours is not None and ours <= limit)

def ratio_at_most(limit, text):
    return lambda ours, peer, wall: (text, ours is not None and peer and ours / peer <= limit)

def rate_at_least(fraction, text):
    # bulk rows: time for the whole batch; a higher rate is a lower time
    return lambda ours, peer, wall: (text, ours is not None and peer and peer / ours >= fraction)

def rate_of_row_at_least(factor, row, text):
    # both rows time one operation: a rate `factor` times `row`'s is a time `factor` times lower
    def check(ours, peer, wall):
        other = wall(row)
        return (text, ours is not None and other is not None and other / ours >= factor)
    return check

def bytes_at_most(limit, text):
    return lambda ours, peer, wall: (text, ours is not None and ours <= limit)

ORDER = [
    ("TOTP SHA-1 6 digits", at_most_ns(125, "≤ 125 ns")),
    ("TOTP SHA-1 8 digits", None),
    ("TOTP SHA-256 6 digits", None),
    ("TOTP SHA-256 8 digits", None),
    ("TOTP SHA-512 6 digits", None),
    ("TOTP SHA-512 8 digits", None),
    ("base32 decode 16 chars", None),
    ("base32 decode 32 chars", None),
    ("secretbox seal+open 32 B", None),
    ("secretbox seal+open 200 B", ratio_at_most(1.1, "≤ 1.1 × C")),
    ("secretbox seal+open 4 KiB", None),
    ("vault update notes + revealNotes 200 B, in memory", None),
    ("Argon2id minimum", None),
    ("Argon2id interactive", None),
    ("vault create, in memory", None),
    ("vault revealPassword warm, in memory", at_most_ns(3_000, "≤ 3 µs")),
    ("vault code(at:), in memory", None),
    ("vault revealPassword as a viewer, no policy, in memory", None),
    ("vault revealPassword as a viewer, justification policy, in memory", None),
    ("vault revealPassword as a viewer, approval policy and a grant, in memory", None),
    ("vault update password, in memory", None),
    ("vault list 100 among 10,000, in memory", None),
    ("vault list 100 among 1,000,000, in memory", at_most_ns(500_000, "≤ 0.5 ms")),
    ("wire create round trip, in memory", None),
    ("memory per entry, 1,000,000 entries in memory", None),
    ("SQLite bulk create 100,000 entries", rate_at_least(0.5, "≥ 0.5 × C rate")),
    ("SQLite vault create, one commit each", ratio_at_most(1.5, "≤ 1.5 × C")),
    # A reveal commits its audit record: the peers do too (the select-only peers: references).
    ("SQLite vault revealPassword warm, with its audit commit", None),
    ("SQLite vault revealPassword cold, with its audit commit", None),
    ("SQLite vault code(at:)", None),
    ("SQLite vault update password", ratio_at_most(1.5, "≤ 1.5 × C")),
    ("SQLite vault list 100 among 100,000", None),
    # Issue 13: the audit trail (docs/contract.md §12). The 8-caller rows time one reveal of a
    # round of concurrent reveals (their rate); the target is group commit's gain.
    ("SQLite reveal with audit record, one caller", ratio_at_most(1.5, "≤ 1.5 × C")),
    ("SQLite reveal with audit record, 8 callers",
     rate_of_row_at_least(4, "SQLite reveal with audit record, one caller", "≥ 4 × one caller's rate")),
    ("SQLite verify audit trail, 1,000,000 records", at_most_ns(2_000_000_000, "≤ 2 s")),
    ("SQLite history of an entry with 10 versions", None),
    # Issue 15: PostgreSQL (docs/contract.md §14), each row beside a C peer on libpq running the
    # adapter's statements; the 8-host rows time one create of a round spread over 8 hosts.
    ("PostgreSQL vault create, one commit each", ratio_at_most(1.5, "≤ 1.5 × C")),
    ("PostgreSQL vault revealPassword, with its audit commit", ratio_at_most(1.5, "≤ 1.5 × C")),
    ("PostgreSQL vault update password, with history", ratio_at_most(1.5, "≤ 1.5 × C")),
    ("PostgreSQL vault list 100 among 1,000,000", at_most_ns(3_000_000, "≤ 3 ms")),
    ("PostgreSQL vault rotateDataKey 100,000 entries", ratio_at_most(1.5, "≤ 1.5 × C")),
    ("PostgreSQL vault create, 8 hosts",
     rate_of_row_at_least(4, "PostgreSQL vault create, one commit each", "≥ 4 × one host's rate")),
]

# Rows whose median is for a whole batch: the number of entries, to show a rate.
BATCH_ROWS = {"SQLite bulk create 100,000 entries": 100_000}

MEMORY_ROW = "memory per entry, 1,000,000 entries in memory"

# The batch rows time from an explicit startMeasurement() (creating the database is left out);
# their allocation counts come out far too low (callgrind counts ~30 mallocs per row of ours):
# marked, not to be relied on.
UNDERCOUNTED = " †"
FOOTNOTES = [
    "ours ÷ C on a reference row (↳) divides our median by that reference's.",
    "† not reliable: far below callgrind's count (about 5 mallocs per row of ours); these rows time"
    " from an explicit startMeasurement().",
]


def read_results(directory):
    """{benchmark name: {metric: median}} from the percentile files."""
    results = {}
    for file in os.listdir(directory):
        if not (file.startswith("Current_run.") and file.endswith(SUFFIX)):
            continue
        stem = file[len("Current_run."):-len(SUFFIX)]
        parts = stem.split(".")
        if len(parts) < 3:
            continue
        name = ".".join(parts[1:-1]).replace("_", " ")
        metric = parts[-1].replace("_", " ")
        median = None
        with open(os.path.join(directory, file), encoding="utf-8") as handle:
            for line in handle:
                fields = line.rstrip("\n").split("\t")
                if len(fields) == 2 and fields[0] == "50":
                    median = float(fields[1])
        if median is not None:
            results.setdefault(name, {})[metric] = median
    return results


def time_text(ns):
    if ns is None:
        return "—"
    if ns < 1_000:
        return f"{ns:.0f} ns"
    if ns < 1_000_000:
        return f"{ns / 1_000:.{2 if ns < 10_000 else 1}f} µs"
    if ns < 1_000_000_000:
        return f"{ns / 1_000_000:.{2 if ns < 10_000_000 else 1}f} ms"
    return f"{ns / 1_000_000_000:.2f} s"


def rate_text(ns, rows):
    if ns is None or ns <= 0:
        return ""
    return f" ({rows / (ns / 1e9):,.0f}/s)"


def allocs_text(value):
    if value is None:
        return "—"
    return f"{value:.0f}" if value >= 1 or value == 0 else f"{value:.2f}"


def find_metric(metrics, *names):
    for name in names:
        for key, value in metrics.items():
            if key.lower().replace(" ", "") == name.lower().replace(" ", ""):
                return value
    return None


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    directory = argv[1]
    markdown = "--markdown" in argv
    expect_all = "--expect-all" in argv
    smoke = "--smoke" in argv
    results = read_results(directory) if os.path.isdir(directory) else {}
    if not results:
        print(f"no benchmark results in {directory}", file=sys.stderr)
        return 1

    def wall(name):
        return find_metric(results.get(name, {}), "wallClock", "Time (wall clock)")

    def allocs(name):
        return find_metric(results.get(name, {}), "mallocCountTotal", "Malloc (total)")

    header = ["operation", "ours (median)", "C peer (median)", "ours ÷ C", "allocs/op ours", "allocs/op C", "target"]
    rows = []
    shown = set()
    known = [name for name, _ in ORDER]
    ordered = [(n, c) for n, c in ORDER if n in results]
    ordered += [(n, None) for n in sorted(results) if n not in known and not n.endswith("[C]")]
    missing = [n for n in known if n not in results]
    # The SQLite rows exist once the library has its SQLite adapter (see Package.swift).
    adapter = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources",
                           "PasswordVaultSQLite", "SQLiteStorage.swift")
    if not os.path.exists(adapter):
        missing = [n for n in missing if not n.startswith("SQLite ")]
    if not os.path.exists(os.path.join(os.path.dirname(adapter), "..", "PasswordVaultPostgres",
                                       "PostgresStorage.swift")):
        missing = [n for n in missing if not n.startswith("PostgreSQL ")]

    for name, check in ordered:
        shown.add(name)
        metrics = results[name]
        if name == MEMORY_ROW:
            heap = find_metric(metrics, "heap bytes per entry")
            resident = find_metric(metrics, "resident bytes per entry")
            per_entry = allocs(name)
            text = f"{heap:,.0f} B heap, {resident:,.0f} B resident" if heap is not None else "—"
            met = heap is not None and heap <= 1024 and (resident or 0) <= 1024
            target = "" if smoke else f"≤ 1 KiB {'✓' if met else '✗'}"
            rows.append([name, text, "—", "—", allocs_text(per_entry), "—", target])
            continue
        ours = wall(name)
        peer_name = name + " [C]"
        peer = wall(peer_name)
        if peer is not None:
            shown.add(peer_name)
        batch = None if smoke else BATCH_ROWS.get(name)  # a smoke run's batches are smaller
        ours_text = time_text(ours) + (rate_text(ours, batch) if batch else "")
        peer_text = time_text(peer) + (rate_text(peer, batch) if batch and peer else "")
        ratio = f"{ours / peer:.2f}" if ours is not None and peer else "—"
        target = ""
        if check and not smoke:
            text, met = check(ours, peer, wall)
            target = f"{text} {'✓' if met else '✗'}"
        mark = UNDERCOUNTED if name in BATCH_ROWS else ""
        rows.append([name, ours_text, peer_text, ratio, allocs_text(allocs(name)) + mark,
                     (allocs_text(allocs(peer_name)) + mark) if peer is not None else "—", target])
        # References in C for this row (e.g. "… with field keys [C]"), right under it.
        for other in sorted(results):
            if other.startswith(name + " ") and other.endswith("[C]") and other != peer_name:
                shown.add(other)
                reference = wall(other)
                ratio = f"{ours / reference:.2f}" if ours is not None and reference else "—"
                rows.append(["  ↳ " + other[len(name) + 1:-4] + " (C reference)", "", time_text(reference),
                             ratio, "", allocs_text(allocs(other)) + mark, ""])

    for name in sorted(results):
        if name not in shown:
            rows.append([name, "", time_text(wall(name)), "", "", allocs_text(allocs(name)), ""])

    if smoke:
        print("Smoke run (BENCH_SMOKE=1): one iteration of each benchmark, small stores; not measurements.\n")
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    else:
        widths = [max(len(header[i]), *(len(row[i]) for row in rows)) for i in range(len(header))]
        line = "  ".join(header[i].ljust(widths[i]) for i in range(len(header)))
        print(line)
        print("  ".join("-" * widths[i] for i in range(len(header))))
        for row in rows:
            print("  ".join(row[i].ljust(widths[i]) if i == 0 else row[i].ljust(widths[i]) for i in range(len(header))))

    if any(UNDERCOUNTED in cell for row in rows for cell in row) or any("↳" in row[0] for row in rows):
        print()
        for note in FOOTNOTES:
            print(note)

    if missing:
        print(f"\nnot measured: {', '.join(missing)}", file=sys.stderr)
        if expect_all:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
