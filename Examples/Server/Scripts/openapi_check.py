#!/usr/bin/env python3
"""Validates the live example server's real answers against docs/openapi.yaml.

usage: openapi_check.py BASE_URL OPENAPI_YAML OWNER_TOKEN OWNER_ID VIEWER_TOKEN STRANGER_TOKEN CLIENT_ID CLIENT_SECRET

Drives every route of the document with each role (owner, a viewer the entry is shared with, a
stranger, no token) and the refusals (400, 401, 403, 404, 413), and checks each answer: its
status is one the document lists for that operation, it is JSON, and its body validates
against the schema given for that status (JSON Schema 2020-12, as OpenAPI 3.1 uses). Then
every operation of the document must have been answered at least once with a 2xx. Exits 1 on
the first answer that does not validate, naming the route, never printing a token or secret.
"""

import http.client
import json
import sys
import urllib.parse

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE, DOC, OWNER, OWNER_ID, VIEWER, STRANGER, CLIENT_ID, CLIENT_SECRET = sys.argv[1:9]
SECRETS = [OWNER, VIEWER, STRANGER, CLIENT_SECRET]
with open(DOC, encoding="utf-8") as handle:
    document = yaml.safe_load(handle)
registry = Registry().with_resource("urn:openapi", Resource.from_contents(document, DRAFT202012))
url = urllib.parse.urlsplit(BASE)
validated = 0
covered = set()


def fail(message):
    for secret in SECRETS:
        message = message.replace(secret, "<secret>")
    sys.exit(f"openapi_check: {message}")


def pointer(*parts):
    return "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def resolve(node):
    """A Reference Object's target inside the document (only local references)."""
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def validate(body, schema_pointer, where):
    global validated
    validator = jsonschema.Draft202012Validator({"$ref": "urn:openapi#/" + schema_pointer}, registry=registry)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        fail(f"{where}: answer does not match docs/openapi.yaml at {list(first.absolute_path)}: {first.message}")
    validated += 1


def call(method, template, path=None, token=None, body=None, form=None, raw=None, headers=None, want=None):
    """Sends one request and checks its answer against the operation `template`/`method`."""
    path = path or template
    sent = {"Accept": "application/json", **(headers or {})}
    data = None
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    if raw is not None:
        data = raw
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.request(method, path, body=data, headers=sent)
    answer = connection.getresponse()
    status, text = answer.status, answer.read()
    content_type = answer.getheader("Content-Type", "")
    connection.close()
    where = f"{method} {template} -> {status}"
    if want is not None and status != want:
        fail(f"{where}: expected {want}")
    if not content_type.startswith("application/json"):
        fail(f"{where}: Content-Type {content_type!r}")
    try:
        parsed = json.loads(text)
    except ValueError:
        fail(f"{where}: not JSON")
    if template not in document["paths"]:
        validate(parsed, pointer("components", "schemas", "NoRoute"), where)
        return status, parsed
    operation = document["paths"][template].get(method.lower())
    if operation is None:
        fail(f"{where}: no such operation in the document")
    responses = operation["responses"]
    if str(status) not in responses:
        fail(f"{where}: status not documented")
    response = responses[str(status)]
    if "$ref" in response:
        name = response["$ref"].split("/")[-1]
        base = ("components", "responses", name)
        response = resolve(response)
    else:
        base = ("paths", template, method.lower(), "responses", str(status))
    if "application/json" not in response.get("content", {}):
        fail(f"{where}: the document gives no JSON body")
    validate(parsed, pointer(*base, "content", "application/json", "schema"), where)
    if 200 <= status < 300:
        covered.add((template, method.lower()))
    for secret in SECRETS:
        if secret and secret.encode() in text and template == "/api/oauth2/token" and status >= 400:
            fail(f"{where}: a refusal echoes a secret")
    return status, parsed


P = "/api/mysafe/password"
TOKEN = "/api/oauth2/token"
big = b"a" * 1_048_577

# The token endpoint.
call("POST", TOKEN, form={"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}, want=200)
query = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
call("GET", TOKEN, path=f"{TOKEN}?{query}", want=200)
call("POST", TOKEN, form={"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "guess"}, want=401)
call("POST", TOKEN, form={"client_id": CLIENT_ID}, want=400)
call("POST", TOKEN, form={"grant_type": "password"}, want=400)
call("POST", TOKEN, raw=big, headers={"Content-Type": "application/x-www-form-urlencoded"}, want=413)

# Without a valid token.
call("GET", P, want=401)
call("GET", P, token="0" * 64, want=401)
call("POST", P, raw=big, headers={"Content-Type": "application/json"}, want=401)

# Create: the seeds' body, a refusal, an oversize body.
status, created = call(
    "POST", P, token=OWNER, want=201,
    body={"name": "openapi ✓", "url": "https://api.example", "username": "npass", "password": "s3cret-ü",
          "secret_key": "JBSWY3DPEHPK3PXP", "notes": "two\nlines", "tags": "tag1, tag2",
          "users_allowed": [{"username": "pduarte", "can_edit": False}],
          "groups_allowed": [{"name": "No such group", "can_edit": False}]})
entry = created["password_entity"]["identifier"]
call("POST", P, token=OWNER, body={"name": "no username", "password": "x"}, want=400)
call("POST", P, token=OWNER, raw=b"{not json", headers={"Content-Type": "application/json"}, want=400)
call("POST", P, token=OWNER, raw=big, headers={"Content-Type": "application/json"}, want=413)

# List and GET one, by role.
call("GET", P, path=f"{P}?tag=TAG1&name=openapi&include_disabled=1", token=OWNER, want=200)
call("GET", P, token=VIEWER, want=200)
call("GET", P, token=STRANGER, want=200)
call("GET", f"{P}/{{id}}", path=f"{P}/{entry}", token=OWNER, want=200)
call("GET", f"{P}/{{id}}", path=f"{P}/{entry}", token=VIEWER, want=200)
call("GET", f"{P}/{{id}}", path=f"{P}/{entry}", token=STRANGER, want=400)
call("GET", f"{P}/{{id}}", path=f"{P}/abc", token=OWNER, want=400)

# Update, with a policy and a share without reveal: the viewer then needs a justification and
# sees no secret.
call("PUT", f"{P}/update/{{id}}", path=f"{P}/update/{entry}", token=OWNER, want=200,
     body={"password": "n3w", "need_justify": True, "need_approval": 1,
           "users_allowed": [{"username": "pduarte", "can_edit": False, "can_reveal": False}]})
call("PUT", f"{P}/update/{{id}}", path=f"{P}/update/{entry}", token=VIEWER, body={"password": "x"}, want=400)
call("PUT", f"{P}/update/{{id}}", path=f"{P}/update/{entry}", token=OWNER, body={"tags": 7}, want=400)
call("GET", f"{P}/{{id}}", path=f"{P}/{entry}", token=VIEWER, want=400)
status, viewed = call("GET", f"{P}/{{id}}", path=f"{P}/{entry}?justification=INC-7", token=VIEWER)
call("GET", P, token=VIEWER, want=200)

# History, one version, restore.
call("GET", f"{P}/history/{{id}}", path=f"{P}/history/{entry}", token=OWNER, want=200)
call("GET", f"{P}/history/{{id}}", path=f"{P}/history/{entry}", token=STRANGER, want=400)
call("GET", f"{P}/history/{{id}}/{{version}}", path=f"{P}/history/{entry}/1", token=OWNER, want=200)
call("GET", f"{P}/history/{{id}}/{{version}}", path=f"{P}/history/{entry}/99", token=OWNER, want=400)
call("POST", f"{P}/restore/{{id}}/{{version}}", path=f"{P}/restore/{entry}/1", token=OWNER, want=200)
call("POST", f"{P}/restore/{{id}}/{{version}}", path=f"{P}/restore/{entry}/x", token=OWNER, want=400)

# Access requests: the viewer asks, the owner approves one and denies another.
status, asked = call("POST", f"{P}/request/{{id}}", path=f"{P}/request/{entry}", token=VIEWER, want=201,
                     body={"justification": "INC-7", "minutes": 30})
call("GET", f"{P}/requests", token=OWNER, want=200)
call("POST", f"{P}/request/approve/{{request}}", path=f"{P}/request/approve/{asked['access_request']['identifier']}",
     token=OWNER, want=200)
call("GET", f"{P}/requests", token=VIEWER, want=200)
status, again = call("POST", f"{P}/request/{{id}}", path=f"{P}/request/{entry}", token=VIEWER, want=201,
                     body={"justification": "INC-8", "minutes": None})
call("POST", f"{P}/request/deny/{{request}}", path=f"{P}/request/deny/{again['access_request']['identifier']}",
     token=OWNER, want=200)
call("POST", f"{P}/request/deny/{{request}}", path=f"{P}/request/deny/99999", token=OWNER, want=400)
call("POST", f"{P}/request/{{id}}", path=f"{P}/request/{entry}", token=OWNER, body={"justification": ""}, want=400)

# Disable and enable, each twice (both messages).
for verb in ("inactive", "inactive", "active", "active"):
    call("POST", f"{P}/{verb}/{{id}}", path=f"{P}/{verb}/{entry}", token=OWNER, want=200)
call("POST", f"{P}/inactive/{{id}}", path=f"{P}/inactive/{entry}", token=STRANGER, want=400)

# Save-passwords, in DRF's shapes.
SAVE = "/api/password-generator/save-passwords/"
call("POST", SAVE, token=OWNER, body={"user": int(OWNER_ID), "password_saved": "g3n", "url": "https://gen.example"}, want=200)
call("POST", SAVE, token=OWNER, body={"user": int(OWNER_ID) + 1, "password_saved": "g3n", "url": "https://x"}, want=403)
call("POST", SAVE, token=OWNER, body={"password_saved": "", "url": None}, want=400)
call("POST", SAVE, token=OWNER, body=[1], want=400)
call("POST", SAVE, token=OWNER, raw=b"{", headers={"Content-Type": "application/json"}, want=400)
call("POST", SAVE, token=OWNER, raw=big, headers={"Content-Type": "application/json"}, want=413)

# Delete: the owner only; a second delete finds nothing.
call("DELETE", f"{P}/{{id}}", path=f"{P}/{entry}", token=VIEWER, want=400)
call("DELETE", f"{P}/{{id}}", path=f"{P}/{entry}", token=OWNER, want=200)
call("DELETE", f"{P}/{{id}}", path=f"{P}/{entry}", token=OWNER, want=400)

# No route: the gateway's 404, no envelope.
call("GET", "/api/no/such/route", token=OWNER, want=404)
call("PATCH", "/api/mysafe/password/patched", token=OWNER, want=404)

operations = {(path, method) for path, item in document["paths"].items() for method in item if method != "parameters"}
missing = sorted(operations - covered)
if missing:
    fail(f"operations never answered with a 2xx: {missing}")
print(f"openapi_check: {validated} answers validated against docs/openapi.yaml; "
      f"all {len(operations)} operations answered with a 2xx")
