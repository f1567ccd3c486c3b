#!/usr/bin/env python3
"""A bounded load check of the live example server: GET one and create.

usage: loadcheck.py PORT TOKEN [CLIENTS [REQUESTS]]

CLIENTS threads (default 8), each on its own keep-alive connection to 127.0.0.1:PORT, send
REQUESTS requests each (default 50) of one kind, then of the next; every answer must be the
route's success (200 for GET one, 201 for create). Prints, per kind, the number of requests,
the throughput over the wall-clock time and the median and 99th-percentile latency. Loopback
only, bounded in count, stops by itself. The token is never printed.
"""

import http.client
import json
import math
import statistics
import sys
import threading
import time

PORT = int(sys.argv[1])
TOKEN = sys.argv[2]
CLIENTS = int(sys.argv[3]) if len(sys.argv) > 3 else 8
REQUESTS = int(sys.argv[4]) if len(sys.argv) > 4 else 50
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


def request(connection, method, path, body=None):
    connection.request(method, path, body=body, headers=HEADERS)
    answer = connection.getresponse()
    return answer.status, answer.read()


setup = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
status, text = request(setup, "POST", "/api/mysafe/password",
                       json.dumps({"name": "load target", "username": "u", "password": "p4ss-load"}))
if status != 201:
    sys.exit(f"loadcheck: setup create answered {status}")
target = json.loads(text)["password_entity"]["identifier"]
setup.close()

KINDS = [
    ("GET one", "GET", f"/api/mysafe/password/{target}", lambda c, i: None, 200),
    ("create", "POST", "/api/mysafe/password",
     lambda c, i: json.dumps({"name": f"load {c}-{i}", "username": "u", "password": f"pw-{c}-{i}"}), 201),
]
failed = False
for label, method, path, body, want in KINDS:
    latencies = []
    errors = []
    lock = threading.Lock()

    def client(number):
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine = []
        try:
            for index in range(REQUESTS):
                started = time.perf_counter()
                status, _ = request(connection, method, path, body(number, index))
                mine.append(time.perf_counter() - started)
                if status != want:
                    with lock:
                        errors.append(status)
        except (OSError, http.client.HTTPException) as error:
            with lock:
                errors.append(type(error).__name__)
        finally:
            connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[max(0, math.ceil(len(latencies) * 0.99) - 1)] if latencies else float("nan")  # nearest rank
    print(f"loadcheck: {label}: {len(latencies)} requests from {CLIENTS} clients in {elapsed:.2f} s: "
          f"{len(latencies) / elapsed:.0f} requests/s, p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms")
    if errors:
        print(f"loadcheck: {label}: {len(errors)} failed: {sorted(set(map(str, errors)))}", file=sys.stderr)
        failed = True
sys.exit(1 if failed else 0)
