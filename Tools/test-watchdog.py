#!/usr/bin/env python3
"""Runs the test suite under a time limit and says what hung when it is reached.

    Tools/test-watchdog.py SECONDS swift test --disable-xctest

The command's output (stdout and stderr, merged) is passed through line by line. Its standard
input is /dev/null, so that no test's child process can wait on a terminal or an open pipe the
suite inherited. When the command outlives SECONDS, the watchdog prints

  - every Swift Testing test and suite that printed "started" and never ended,
  - the command's process tree (a child that never exited is usually the cause),
  - the test process's thread backtraces (gdb, when the machine has it),

then stops the whole process group and exits 124. A hang is then a failure that names itself,
instead of a CI run that is cut off with no word of where it stood. Otherwise it exits with the
command's status.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

STARTED = re.compile(r"^\S+ (Test|Suite) (.+?) started\.$")
ENDED = re.compile(r"^\S+ (Test|Suite) (.+?)(?: with \d+ test cases?)? (passed|failed|skipped)\b")
CASE = re.compile(r"^\S+ Test case passing .+ to (.+?) started\.$")


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()[:300]
    except OSError:
        return "?"


def report(root: int, running: dict[str, float], limit: int) -> None:
    now = time.monotonic()
    out = sys.stdout
    out.write(f"\nwatchdog: the tests were still running after {limit} s; what had not ended:\n")
    for name, since in sorted(running.items(), key=lambda item: item[1]):
        out.write(f"  {name} (started {now - since:.0f} s ago)\n")
    if not running:
        out.write("  (no test or suite was running: the process hung before or after them)\n")
    pids = descendants(root)
    out.write("watchdog: the process tree:\n")
    for pid in pids:
        out.write(f"  {pid} {command_line(pid)}\n")
    gdb = shutil.which("gdb")
    tests = [pid for pid in pids if "xctest" in command_line(pid) or "PackageTests" in command_line(pid)]
    if gdb and tests:
        out.write(f"watchdog: thread backtraces of {tests[0]} (gdb):\n")
        out.flush()
        try:
            traces = subprocess.run(
                [gdb, "-p", str(tests[0]), "-batch", "-nx", "-ex", "thread apply all bt 25"],
                stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace", timeout=120,
            ).stdout
            frames = [line for line in traces.splitlines() if line.startswith(("Thread ", "#"))]
            out.write("\n".join(frames[:1500]) + "\n")
        except (OSError, subprocess.TimeoutExpired) as error:
            out.write(f"  gdb gave nothing: {error}\n")
    out.flush()


def main() -> int:
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.stderr.write("usage: test-watchdog.py SECONDS COMMAND [ARGUMENT...]\n")
        return 2
    limit = int(sys.argv[1])
    process = subprocess.Popen(
        sys.argv[2:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    running: dict[str, float] = {}
    lock = threading.Lock()

    def forward() -> None:
        assert process.stdout is not None
        for raw in iter(process.stdout.readline, b""):
            sys.stdout.buffer.write(raw)
            sys.stdout.buffer.flush()
            line = raw.decode(errors="replace").rstrip("\n")
            with lock:
                if match := CASE.match(line):
                    running.setdefault(f"Test {match.group(1)}", time.monotonic())
                elif match := STARTED.match(line):
                    running[f"{match.group(1)} {match.group(2)}"] = time.monotonic()
                elif match := ENDED.match(line):
                    running.pop(f"{match.group(1)} {match.group(2)}", None)

    reader = threading.Thread(target=forward, daemon=True)
    reader.start()

    def stop(signum: int, _frame: object) -> None:
        os.killpg(process.pid, signal.SIGTERM)
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        status = process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        with lock:
            report(process.pid, dict(running), limit)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return 124
    reader.join(timeout=10)
    return status


if __name__ == "__main__":
    sys.exit(main())
