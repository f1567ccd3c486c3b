"""Schemathesis checks of our own, loaded by `make example-test` (SCHEMATHESIS_HOOKS).

no_secret_in_answer: no answer, refusals above all, carries a secret the request sent: the
Bearer token, or a value of at least 8 characters (not all whitespace) of `password`,
`secret_key`, `notes`, `password_saved`, `client_secret` or `justification` (docs/contract.md §3:
a refusal's reason never echoes a value).
"""

import json

import schemathesis

SECRET_FIELDS = ("password", "secret_key", "notes", "password_saved", "client_secret", "justification")


def _secrets(case):
    found = []
    sources = [case.body, case.query, case.path_parameters]
    for source in sources:
        if isinstance(source, dict):
            for key in SECRET_FIELDS:
                value = source.get(key)
                if isinstance(value, str) and len(value) >= 8 and value.strip() and len(set(value)) >= 3:
                    found.append(value)
    return found


@schemathesis.check
def no_secret_in_answer(ctx, response, case):
    text = response.text or ""
    authorization = (response.request.headers or {}).get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
        if len(token) >= 8 and token in text:
            raise AssertionError("the answer carries the request's Bearer token")
    if response.status_code < 400:
        return None
    for value in _secrets(case):
        # JSON escapes some characters: look for the value as sent and as JSON writes it.
        if value in text or json.dumps(value)[1:-1] in text:
            raise AssertionError("a refusal echoes a secret value the request sent")
    return None
