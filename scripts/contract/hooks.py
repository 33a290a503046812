"""Schemathesis hooks for the contract test: a real OAuth 2.0 token, a fresh Idempotency-Key for
every call, as a well-behaved client sends (a key reused for another request is refused), and no
made-up cursors in requests meant to be valid (a cursor is opaque: a client only sends one the
service gave it, and any other is refused with 400), and in those no `radius_km` without `near`
(the radius belongs to a place; a rule between parameters that a schema cannot state), and no NUL
characters (a JSON Schema string allows them, but no text the registry keeps may hold one, and
PostgreSQL cannot store one: they are refused with 400 or 422 on every route, which the fault
test's hostile input checks)."""

import os
import re
import uuid

import requests
import schemathesis
from schemathesis import GenerationMode

VALID_KEY = re.compile(r"^[!-~]{1,255}$")
# The documented form of If-Match: * or entity tags in double quotes.
ENTITY_TAGS = re.compile(r'^(\*|(W/)?"[!#-~]*"([ \t]*,[ \t]*(W/)?"[!#-~]*")*)$')


@schemathesis.auth(refresh_interval=None)
class ClientCredentials:
    """Exchanges the test client's credentials for an access token once per run."""

    def get(self, case, context):
        response = requests.post(
            f"{os.environ['CONTRACT_BASE_URL']}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(os.environ["CONTRACT_CLIENT_ID"], os.environ["CONTRACT_CLIENT_SECRET"]),
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


def without_nul(value):
    """`value` with every NUL character of its strings replaced, keeping their lengths."""
    if isinstance(value, str):
        return value.replace("\x00", "x")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


@schemathesis.hook
def before_call(context, case, kwargs):
    meta = getattr(case, "meta", None)
    positive = meta is not None and meta.generation.mode == GenerationMode.POSITIVE
    if positive and isinstance(case.query, dict):
        case.query.pop("cursor", None)
        if "near" not in case.query:
            case.query.pop("radius_km", None)
    # The stateful phase fills an optional If-Match with values its pattern does not allow (such as
    # 0); a valid request carries an entity tag, which names no current version here.
    if_match = (case.headers or {}).get("If-Match")
    if positive and isinstance(if_match, str) and not ENTITY_TAGS.match(if_match):
        case.headers["If-Match"] = '"0"'
    if positive:
        case.query = without_nul(case.query)
        case.path_parameters = without_nul(case.path_parameters)
        if isinstance(case.body, (dict, list, str)):
            case.body = without_nul(case.body)
    # Keys that break the documented rules stay as generated: they test the rejection.
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and VALID_KEY.match(key):
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
