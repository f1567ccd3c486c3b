#!/usr/bin/env python3
"""Graceful shutdown with requests in flight (issue 18; docs/contract.md §8).

usage: inflight.py PORT SERVER_PID TOKEN N IDS_FILE

Opens N connections, each sending a create (`POST /api/mysafe/password`) whose head and first
half of the body are sent at once. It waits until the server has accepted every connection and
read every byte sent (the listening socket's accept queue and each connection's receive queue,
from /proc/net/tcp, are empty): the N requests are then in progress in the server. It sends
SIGTERM, checks that the server stops accepting new connections while the N are still open,
then sends the rest of each body and reads each answer to its end. Every answer must be a
complete `201` with the envelope and the name sent (Content-Length honoured, JSON parsed), and
the connection closed after it. The identifiers acknowledged are written to IDS_FILE, one per
line, for the caller to find in the vault after the server has exited. Exit 0 when all N pass.
"""

import json
import os
import signal
import socket
import sys
import time


def fail(message):
    print(f"inflight: {message}", file=sys.stderr)
    sys.exit(1)


def tcp_rows():
    """(local port, remote port, state, rx_queue) of every IPv4/IPv6 TCP socket."""
    rows = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, state, queues = fields[1], fields[2], fields[3], fields[4]
            rx = int(queues.split(":")[1], 16)
            rows.append((int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16), state, rx))
    return rows


def server_has_read_everything(port, client_ports):
    """True when the accept queue is empty and the server side of every connection is drained."""
    rows = tcp_rows()
    listening = [r for r in rows if r[0] == port and r[2] == "0A"]
    if not listening or any(r[3] != 0 for r in listening):  # rx_queue of a listener: its backlog
        return False
    server_side = {r[1]: r for r in rows if r[0] == port and r[2] == "01" and r[1] in client_ports}
    return len(server_side) == len(client_ports) and all(r[3] == 0 for r in server_side.values())


def read_answer(sock):
    """The whole answer: status, headers (lower-case names), body; then the connection's end."""
    data = b""
    sock.settimeout(60)
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        fail(f"half-written answer (no end of head): {len(data)} bytes")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        fail(f"not an HTTP answer: {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers, body


def main():
    if len(sys.argv) != 6:
        fail(__doc__.strip().splitlines()[2])
    port, pid, token, n, ids_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
    socks, rests, names = [], [], []
    for i in range(n):
        name = f"inflight {i}"
        body = json.dumps({"name": name, "username": f"u{i}", "password": f"p-{i}-" + "x" * 64}).encode()
        head = (
            f"POST /api/mysafe/password HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        half = len(body) // 2
        s.sendall(head + body[:half])
        socks.append(s)
        rests.append(body[half:])
        names.append(name)
    client_ports = {s.getsockname()[1] for s in socks}
    deadline = time.monotonic() + 30
    while not server_has_read_everything(port, client_ports):
        if time.monotonic() > deadline:
            fail("the server did not read the requests' heads within 30 s")
        time.sleep(0.05)
    # Each head is read: the requests are in progress. SIGTERM now.
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while True:
        try:
            probe = socket.create_connection(("127.0.0.1", port), timeout=1)
        except OSError:
            break  # refused: it stopped accepting
        probe.close()
        if time.monotonic() > deadline:
            fail("the server still accepts connections 10 s after SIGTERM")
        time.sleep(0.05)
    # Still in flight after the listener closed: a little later, the rest of every body.
    time.sleep(0.5)
    for s, rest in zip(socks, rests):
        s.sendall(rest)
    ids = []
    for s, name in zip(socks, names):
        status, headers, body = read_answer(s)
        s.close()
        if status != 201:
            fail(f"{name}: status {status}, wanted 201")
        length = headers.get("content-length")
        if length is None or int(length) != len(body):
            fail(f"{name}: half-written body: {len(body)} bytes, Content-Length {length}")
        answer = json.loads(body)
        entity = answer.get("password_entity") or {}
        if answer.get("code") != 201 or entity.get("name") != name or not entity.get("identifier"):
            fail(f"{name}: unexpected answer {answer.get('response')}")
        ids.append(entity["identifier"])
    if len(set(ids)) != n:
        fail(f"identifiers repeat: {ids}")
    with open(ids_file, "w") as f:
        f.write("".join(f"{i}\n" for i in ids))
    print(f"inflight: {n} requests in flight at SIGTERM, {n} complete 201 answers")


if __name__ == "__main__":
    main()
