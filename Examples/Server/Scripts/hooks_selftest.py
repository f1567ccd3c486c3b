"""Proves that our Schemathesis check (schemathesis_hooks.py) can fail, before `make example-test`
trusts its silence against the real server.

    python3 Examples/Server/Scripts/hooks_selftest.py

Two parts, both must hold:

1. The check on its own, with answers made by hand: a refusal that echoes a secret the request
   sent (as sent, or JSON-escaped), or any answer that carries the request's Bearer token, fails
   it; a success that returns a secret (a reveal), a refusal that names no value, and values too
   short or too plain to be told from ordinary words pass.
2. Schemathesis itself, with our hooks loaded the way example-test.sh loads them, against a
   stub server that leaks: it must report our check's failures (a refusal echoing `password`, an
   answer echoing the token) and exit non-zero; against the same stub without the leaks it must
   pass. A check that never ran, or never saw an answer, fails this script.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schemathesis_hooks  # noqa: E402  (the module under test, beside this script)

CHECK = schemathesis_hooks.no_secret_in_answer
TOKEN = "tok-7Hq2Lp9Xz4Wm"


def answer(status, text, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return SimpleNamespace(status_code=status, text=text, request=SimpleNamespace(headers=headers))


def case(body=None, query=None, path=None):
    return SimpleNamespace(body=body, query=query, path_parameters=path)


def fails(response, request):
    try:
        CHECK(None, response, request)
    except AssertionError:
        return True
    return False


def unit_checks():
    secret = 'S3cr3t "quoted" ✓'
    escaped = json.dumps(secret)[1:-1]
    expectations = [
        ("a refusal echoing the password as sent", answer(400, f"bad {secret}"), case({"password": secret}), True),
        ("a refusal echoing it JSON-escaped", answer(400, f'{{"m":"{escaped}"}}'), case({"password": secret}), True),
        ("a refusal echoing notes from the query", answer(404, "x notes-value-42 y"), case(query={"notes": "notes-value-42"}), True),
        ("a success carrying the Bearer token", answer(200, f"{{\"t\":\"{TOKEN}\"}}", TOKEN), case(), True),
        ("a refusal carrying the Bearer token", answer(401, TOKEN, TOKEN), case(), True),
        ("a reveal returning the password", answer(200, f'{{"password":"{secret}"}}'), case({"password": secret}), False),
        ("a refusal naming no value", answer(400, '{"code":1003}'), case({"password": secret}), False),
        ("a value under 8 characters", answer(400, "bad short"), case({"password": "short"}), False),
        ("a value of fewer than 3 distinct characters", answer(400, "aaaaaaaaaa"), case({"password": "aaaaaaaaaa"}), False),
        ("a value that is only spaces", answer(400, "          "), case({"password": "          "}), False),
        ("a field that holds no secret", answer(400, "name-value-long"), case({"name": "name-value-long"}), False),
    ]
    wrong = [name for name, response, request, expected in expectations if fails(response, request) != expected]
    for name in wrong:
        print(f"hooks self-test: the check got it wrong: {name}")
    return not wrong


STUB_SPEC = """
openapi: 3.1.0
info: {title: leaky stub, version: "1"}
paths:
  /echo:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [password]
              additionalProperties: false
              properties:
                password: {type: string, minLength: 12, maxLength: 40, pattern: "^[A-Za-z0-9]+$"}
      responses:
        "400":
          description: a refusal
          content:
            application/json:
              schema: {type: object}
  /whoami:
    get:
      responses:
        "200":
          description: who the caller is
          content:
            application/json:
              schema: {type: object}
"""


def stub(leaky):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def send(self, status, document):
            data = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                sent = json.loads(raw or b"{}").get("password", "")
            except (ValueError, AttributeError):
                sent = ""
            self.send(400, {"message": f"refused {sent}" if leaky else "refused"})

        def do_GET(self):
            header = self.headers.get("Authorization", "")
            self.send(200, {"caller": header[7:] if leaky else "someone"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def schemathesis_run(spec, port):
    here = os.path.dirname(os.path.abspath(__file__))
    environment = dict(os.environ, PYTHONPATH=here, SCHEMATHESIS_HOOKS="schemathesis_hooks", PYTHONDONTWRITEBYTECODE="1")
    command = [
        sys.executable, "-c", "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis(prog_name='st'))",
        "run", spec, "--url", f"http://127.0.0.1:{port}", "-H", f"Authorization: Bearer {TOKEN}",
        "--checks", "no_secret_in_answer", "--phases", "examples,fuzzing", "--max-examples", "10", "--seed", "1",
        "--generation-database", "none", "--request-timeout", "10", "--no-color",
    ]
    run = subprocess.run(command, cwd=os.path.dirname(spec), env=environment, capture_output=True, text=True, timeout=300)
    return run.returncode, run.stdout + run.stderr


def live_checks():
    ok = True
    with tempfile.TemporaryDirectory(prefix="hooks-selftest-") as folder:
        spec = os.path.join(folder, "stub.yaml")
        with open(spec, "w") as file:
            file.write(STUB_SPEC)
        for leaky in (True, False):
            server = stub(leaky)
            try:
                status, log = schemathesis_run(spec, server.server_address[1])
            finally:
                server.shutdown()
            if leaky:
                for message in ("a refusal echoes a secret value the request sent", "the answer carries the request's Bearer token"):
                    if message not in log:
                        ok = False
                        print(f"hooks self-test: Schemathesis did not report '{message}' against the leaky stub")
                if status == 0:
                    ok = False
                    print("hooks self-test: Schemathesis passed a leaky stub")
            elif status != 0:
                ok = False
                print("hooks self-test: Schemathesis failed a stub that leaks nothing:")
            if not ok:
                print(log[-3000:])
                break
    return ok


def main():
    if not unit_checks() or not live_checks():
        return 1
    print("hooks self-test: the secret-echo check fails a leaky stub and passes a clean one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
