"""Fault tests: crashes, a database outage, two instances racing, and hostile input.

Run through scripts/fault-test, which builds the service and passes its path, a PostgreSQL
server URL and the command lines that stop and start PostgreSQL. Only the standard library.
"""

import argparse
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import quote, urlsplit

PROBLEM = "application/problem+json"
SQL_INJECTION = "x'); DROP TABLE organisations; -- \" OR 1=1 --"
SCRIPT_INJECTION = "<script>alert('x')</script><img src=x onerror=alert(1)>"
results = []


def report(name, ok, detail=""):
    results.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)


class Http:
    """One keep-alive connection to a service; reconnects after failures."""

    def __init__(self, base_url, timeout=15):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.conn = None

    def request(self, method, path, body=None, headers=None, raw=False):
        headers = dict(headers or {})
        if body is not None and not raw:
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, {k.lower(): v for k, v in response.getheaders()}, data
            except (http.client.HTTPException, OSError):
                self.conn = None
                if attempt == 1:
                    raise

    def json(self, method, path, body=None, headers=None):
        status, response_headers, data = self.request(method, path, body, headers)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return status, response_headers, parsed


class Service:
    """One instance of the service as a child process."""

    def __init__(self, binary, env, name):
        self.binary, self.env, self.name = binary, env, name
        self.process = None
        self.log = open(os.path.join(env["DATA_DIR"], f"{name}.log"), "ab")

    @property
    def url(self):
        return f"http://{self.env['BIND_ADDR']}"

    def start(self):
        self.process = subprocess.Popen([self.binary], env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if Http(self.url, timeout=2).request("GET", "/health/ready")[0] == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not become ready")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=40)


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(data_dir, database_url=None):
    env = dict(os.environ)
    env.update(
        DATA_DIR=data_dir,
        BIND_ADDR=f"127.0.0.1:{free_port()}",
        RUST_LOG="warn",
        TOKEN_TTL_SECONDS="3600",
    )
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def admin_token(binary, env):
    created = subprocess.run(
        [binary, "clients", "create", "--admin", "--name", "Fault test"],
        env=env, check=True, capture_output=True,
    )
    client = json.loads(created.stdout)
    return client["client_id"], client["client_secret"]


def token(service, credentials):
    import base64

    basic = base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
    status, _, data = Http(service.url).request(
        "POST", "/oauth/token", b"grant_type=client_credentials",
        {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
        raw=True,
    )
    assert status == 200, (status, data)
    return json.loads(data)["access_token"]


def organisation_body(label):
    return {"kind": "workshop", "name": {"fi": f"Kuormatyöpaja {label}"}, "municipality": "684"}


def write_load(url, bearer, threads, acknowledged, errors, stop):
    """Creates organisations until `stop`, keeping the ids the service acknowledged with 201."""

    def worker(index):
        conn = Http(url, timeout=10)
        sequence = 0
        while not stop.is_set():
            sequence += 1
            try:
                status, _, body = conn.json(
                    "POST", "/v1/organisations", organisation_body(f"{index}-{sequence}"),
                    {"Authorization": f"Bearer {bearer}", "Idempotency-Key": str(uuid.uuid4())},
                )
            except OSError:
                continue  # the service is gone: the request has no answer, so no promise
            if status == 201:
                acknowledged.append(body["id"])
            else:
                errors.append(status)

    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for thread in workers:
        thread.start()
    return workers


# --- webhooks across a crash ----------------------------------------------------------------

ENVIRONMENT = {
    "name": {"fi": "Työpajan keittiö"},
    "description": "Lounasravintola, joka valmistaa päivittäin noin 80 annosta.",
    "work_tasks": ["lounaan valmistus"],
    "sector": "food_services",
    "address": {"street_address": "Savilankatu 4", "postal_code": "26100", "post_office": "Rauma",
                "municipality": "684"},
    "capacity": 4,
    "languages": ["fi"],
}


def certificate(environment_id):
    return {
        "holder": {"given_names": "Aino", "family_name": "Virtanen", "date_of_birth": "2004-03-15"},
        "learning_environment_ids": [environment_id],
        "start_date": "2026-02-01", "end_date": "2026-10-31", "hours": 480,
        "coach": {"name": "Maija Meikäläinen", "title": "työvalmentaja"},
        "language": "fi",
        "units": [{"qualification": "351204", "unit": "SAMPLE-107",
                   "description": "Valmisti lounasta.", "skills": [{"text": "Valmistaa lounaan"}],
                   "hours": 320}],
    }


class WebhookReceiver:
    """Records every webhook; holds the first request until released, answering 204 then."""

    def __init__(self):
        import http.server

        self.received, self.first_arrived, self.release = [], threading.Event(), threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if not receiver.first_arrived.is_set():
                    receiver.first_arrived.set()
                    receiver.release.wait(30)
                receiver.received.append((self.headers.get("webhook-id"), self.headers.get("webhook-timestamp"),
                                          self.headers.get("webhook-signature"), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def signature_verifies(secret, webhook_id, timestamp, signature, body):
    import base64
    import hashlib
    import hmac

    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(
        hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
    return any(part == f"v1,{expected}" for part in (signature or "").split(" "))


def webhooks_across_a_crash(binary, env, backend):
    """Events committed while the instance that would send them is killed (one in flight, the rest
    waiting) reach the receiver from the next instance, every one, in feed order."""
    env = dict(env, WEBHOOK_ALLOW_HTTP="true", WEBHOOK_ALLOW_PRIVATE_ADDRESSES="true",
               WEBHOOK_POLL_MILLISECONDS="100", WEBHOOK_TIMEOUT_SECONDS="2")
    credentials = admin_token(binary, env)
    service = Service(binary, env, f"webhooks-{backend}").start()
    conn, admin = Http(service.url), {"Authorization": f"Bearer {token(service, credentials)}"}
    _, _, organisation = conn.json("POST", "/v1/organisations", organisation_body("webhooks"), admin)
    _, _, client = conn.json("POST", "/v1/admin/clients", {
        "name": "Student records", "organisation_id": organisation["id"],
        "scopes": ["environments:write", "certificates:read", "certificates:write", "webhooks:write"]}, admin)
    bearer = {"Authorization": f"Bearer {token(service, (client['client_id'], client['client_secret']))}"}
    _, _, environment_row = conn.json("POST", "/v1/learning-environments", ENVIRONMENT, bearer)
    receiver = WebhookReceiver()
    status, _, webhook = conn.json("POST", "/v1/webhooks",
                                   {"url": receiver.url, "events": ["certificate.issued"]}, bearer)
    assert status == 201, (status, webhook)
    issued = []
    for _ in range(5):
        status, _, draft = conn.json("POST", "/v1/certificates", certificate(environment_row["id"]), bearer)
        assert status == 201, (status, draft)
        status, _, _ = conn.json("POST", f"/v1/certificates/{draft['id']}/issue", None, bearer)
        assert status == 200, status
        issued.append(draft["id"])
    arrived = receiver.first_arrived.wait(15)
    service.kill()
    receiver.release.set()
    service.start()
    deadline = time.time() + 60
    acknowledged = []
    while time.time() < deadline:
        acknowledged = [json.loads(body)["data"]["certificate_id"] for _, _, _, body in receiver.received]
        if set(issued) <= set(acknowledged):
            break
        time.sleep(0.2)
    service.stop()
    receiver.server.shutdown()
    first_seen = list(dict.fromkeys(acknowledged))
    signed = all(signature_verifies(webhook["secret"], *item) for item in receiver.received)
    report(
        f"{backend}: kill -9 between commit and delivery loses no webhook",
        arrived and first_seen == issued and signed,
        f"{len(issued)} issued, {len(first_seen)} delivered in order, "
        f"{len(acknowledged) - len(first_seen)} sent again after the crash, signatures "
        f"{'verified' if signed else 'FAILED'}",
    )


# --- kill -9 during writes ------------------------------------------------------------------


def crash_during_writes(binary, env, backend, integrity_check):
    credentials = admin_token(binary, env)
    service = Service(binary, env, f"crash-{backend}").start()
    bearer = token(service, credentials)
    acknowledged, errors, stop = [], [], threading.Event()
    workers = write_load(service.url, bearer, 16, acknowledged, errors, stop)
    time.sleep(3)
    service.kill()
    stop.set()
    for thread in workers:
        thread.join(timeout=15)
    service.start()
    conn = Http(service.url)
    missing = [oid for oid in acknowledged if conn.request("GET", f"/v1/organisations/{oid}")[0] != 200]
    report(
        f"{backend}: kill -9 under write load keeps every acknowledged write",
        len(acknowledged) > 0 and not missing,
        f"{len(acknowledged)} writes acknowledged before the kill, {len(missing)} missing",
    )
    server_errors = [status for status in errors if status >= 500]
    report(f"{backend}: no 5xx before the kill", not server_errors, f"{len(server_errors)} server errors")
    service.stop()
    ok, detail = integrity_check()
    report(f"{backend}: integrity check after the crash", ok, detail)


# A write and its audit entry share one transaction: a crash leaves both or neither.
UNAUDITED_ORGANISATIONS = (
    "SELECT count(*) FROM organisations o WHERE NOT EXISTS "
    "(SELECT 1 FROM audit_log a WHERE a.resource_id = o.id)"
)


def sqlite_integrity(path):
    def check():
        db = sqlite3.connect(path)
        try:
            integrity = db.execute("PRAGMA integrity_check").fetchall()
            foreign_keys = db.execute("PRAGMA foreign_key_check").fetchall()
            unaudited = db.execute(UNAUDITED_ORGANISATIONS).fetchone()[0]
        finally:
            db.close()
        ok = integrity == [("ok",)] and not foreign_keys and unaudited == 0
        return ok, f"integrity_check {integrity[0][0]}, {len(foreign_keys)} foreign key violations, {unaudited} organisations without their audit entry"

    return check


def psql(server_url, database, sql):
    return subprocess.run(
        ["psql", f"{server_url}/{database}", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
        check=True, capture_output=True, text=True,
    ).stdout.strip()


def postgres_integrity(server_url, database):
    def check():
        psql(server_url, database, "CREATE EXTENSION IF NOT EXISTS amcheck")
        indexes = psql(
            server_url, database,
            "SELECT count(bt_index_check(c.oid, true)) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE am.amname = 'btree' AND n.nspname = 'public'",
        )
        unaudited = psql(
            server_url, database,
            UNAUDITED_ORGANISATIONS,
        )
        return unaudited == "0", f"{indexes} B-tree indexes verified by amcheck, {unaudited} organisations without their audit entry"

    return check


# --- PostgreSQL outage ------------------------------------------------------------------------


def postgres_outage(binary, env, stop_command, start_command):
    credentials = admin_token(binary, env)
    service = Service(binary, env, "outage").start()
    bearer = token(service, credentials)
    during, stop = [], threading.Event()
    outage = {"down": False}

    def reader():
        conn = Http(service.url, timeout=30)
        while not stop.is_set():
            started = time.time()
            try:
                status, headers, _ = conn.request("GET", "/v1/organisations?limit=5")
            except OSError:
                status, headers = 0, {}
            if outage["down"]:
                during.append((status, headers.get("content-type", ""), time.time() - started))
            time.sleep(0.05)

    readers = [threading.Thread(target=reader, daemon=True) for _ in range(4)]
    for thread in readers:
        thread.start()
    time.sleep(1)
    subprocess.run(stop_command, shell=True, check=True, capture_output=True)
    outage["down"] = True
    down_since = time.time()
    time.sleep(2)
    ready_status, ready_headers, _ = Http(service.url, timeout=30).request("GET", "/health/ready")
    writes = Http(service.url, timeout=30).request(
        "POST", "/v1/organisations", json.dumps(organisation_body("outage")).encode(),
        {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}, raw=True,
    )
    time.sleep(max(0.0, 10 - (time.time() - down_since)))
    outage["down"] = False
    subprocess.run(start_command, shell=True, check=True, capture_output=True)
    back_at = time.time()
    recovered_after = None
    conn = Http(service.url, timeout=30)
    while time.time() - back_at < 60:
        if conn.request("GET", "/health/ready")[0] == 200 and conn.request("GET", "/v1/organisations?limit=5")[0] == 200:
            recovered_after = time.time() - back_at
            break
        time.sleep(0.2)
    stop.set()
    for thread in readers:
        thread.join(timeout=40)
    statuses = sorted({status for status, _, _ in during})
    unavailable = [entry for entry in during if entry[0] == 503]
    proper = all(status in (200, 503) and (status == 200 or content_type.startswith(PROBLEM)) for status, content_type, _ in during)
    slowest = max((elapsed for _, _, elapsed in during), default=0)
    report(
        "PostgreSQL stopped for 10 s: reads answer 503 problem+json, never 500 or a hang",
        bool(unavailable) and proper and slowest < 10,
        f"{len(during)} reads during the outage, statuses {statuses}, slowest {slowest:.1f} s",
    )
    report(
        "PostgreSQL stopped: a write answers 503 problem+json",
        writes[0] == 503 and writes[1].get("content-type", "").startswith(PROBLEM),
        f"status {writes[0]}",
    )
    report(
        "PostgreSQL stopped: /health/ready reports it",
        ready_status == 503 and ready_headers.get("content-type", "").startswith(PROBLEM),
        f"status {ready_status}",
    )
    report(
        "PostgreSQL back: the service recovers without a restart",
        recovered_after is not None and service.process.poll() is None,
        f"serving again {recovered_after:.1f} s after PostgreSQL started" if recovered_after is not None else "did not recover in 60 s",
    )
    service.stop()


# --- two instances ----------------------------------------------------------------------------


def two_instances(binary, env_a, env_b, races):
    credentials = admin_token(binary, env_a)
    first = Service(binary, env_a, "instance-a").start()
    second = Service(binary, env_b, "instance-b").start()
    bearer = token(first, credentials)
    auth = {"Authorization": f"Bearer {bearer}"}
    status, _, created = Http(first.url).json("POST", "/v1/organisations", organisation_body("kilpa"), auth)
    assert status == 201, (status, created)
    oid = created["id"]
    increments = {"done": 0, "conflicts": 0}
    lock = threading.Lock()

    def racer(service):
        conn = Http(service.url)
        while True:
            with lock:
                if increments["done"] >= races:
                    return
            status, headers, body = conn.json("GET", f"/v1/organisations/{oid}")
            counter = int(body["name"].get("en") or 0)
            status, _, _ = conn.json(
                "PATCH", f"/v1/organisations/{oid}", {"name": {"en": str(counter + 1)}},
                {**auth, "If-Match": headers["etag"], "Content-Type": "application/merge-patch+json"},
            )
            with lock:
                if status == 200:
                    increments["done"] += 1
                elif status == 412:
                    increments["conflicts"] += 1
                else:
                    increments.setdefault("other", []).append(status)

    threads = [threading.Thread(target=racer, args=(service,)) for service in (first, second) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _, headers, final = Http(second.url).json("GET", f"/v1/organisations/{oid}")
    counter = int(final["name"]["en"])
    # Four racers on two instances read and write the same record: some writes must meet a
    # version another racer already replaced. No 412 at all would mean the races never raced,
    # and the check would have tested nothing.
    report(
        f"two instances, {races} If-Match races: no update lost, stale versions refused with 412",
        counter == increments["done"]
        and final["version"] == increments["done"] + 1
        and increments["conflicts"] > 0
        and "other" not in increments,
        f"{increments['done']} updates accepted, {increments['conflicts']} refused with 412, counter {counter}, version {final['version']}",
    )

    key = str(uuid.uuid4())
    body = organisation_body("idempotent")
    first_answer = Http(first.url).json("POST", "/v1/organisations", body, {**auth, "Idempotency-Key": key})
    replay = Http(second.url).json("POST", "/v1/organisations", body, {**auth, "Idempotency-Key": key})
    report(
        "an Idempotency-Key replayed on the other instance returns the first response",
        first_answer[0] == 201 and replay[0] == 201 and replay[2] == first_answer[2]
        and replay[1].get("idempotent-replayed") == "true",
        f"first {first_answer[0]}, replay {replay[0]} replayed={replay[1].get('idempotent-replayed')}",
    )
    first.stop()
    second.stop()


# --- hostile input ----------------------------------------------------------------------------


def string_fields(schema, components, depth=0):
    """Dotted paths of the string properties of a request schema (following $refs)."""
    if depth > 6 or not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        return string_fields(components[schema["$ref"].rsplit("/", 1)[1]], components, depth + 1)
    paths = []
    for name, prop in (schema.get("properties") or {}).items():
        resolved = prop
        if "$ref" in prop:
            resolved = components[prop["$ref"].rsplit("/", 1)[1]]
        types = resolved.get("type")
        types = types if isinstance(types, list) else [types]
        if "string" in types and "enum" not in resolved:
            paths.append([name])
        elif "object" in types or "properties" in resolved:
            paths.extend([name] + sub for sub in string_fields(resolved, components, depth + 1))
    return paths


def example_body(operation, components):
    content = (operation.get("requestBody") or {}).get("content") or {}
    for media_type, media in content.items():
        if "json" not in media_type:
            continue
        if "example" in media:
            return media["example"], media.get("schema", {}), media_type
        schema = media.get("schema", {})
        if "$ref" in schema:
            component = components[schema["$ref"].rsplit("/", 1)[1]]
            return component.get("example"), component, media_type
        return None, schema, media_type
    return None, None, None


def known_ids(conn, auth, spec):
    """A real record's id (or code) under each collection the document lists, so that hostile
    requests reach records and not only the 404 of a made-up id."""
    ids = {}
    for path, item in spec["paths"].items():
        if "{" in path or "get" not in item:
            continue
        status, _, data = conn.json("GET", path + "?limit=1", None, auth)
        items = data.get("items") if status == 200 and isinstance(data, dict) else None
        if items:
            ids[path] = items[0].get("id") or items[0].get("code")
    return ids


def with_real_id(path, names, ids):
    """`path` with its first parameter a real record's id where one is known, the rest made up."""
    collection = path.split("/{", 1)[0]
    for index, name in enumerate(names):
        value = ids.get(collection) if index == 0 and ids.get(collection) else str(uuid.uuid4())
        path = path.replace("{" + name + "}", str(value))
    return path


def with_value(body, path, value):
    body = json.loads(json.dumps(body))
    node = body
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value
    return body


def hostile_input(binary, env, body_limit, backend):
    credentials = admin_token(binary, env)
    service = Service(binary, env, "hostile").start()
    bearer = token(service, credentials)
    spec = json.loads(Http(service.url).request("GET", "/openapi.json")[2])
    components = spec["components"]["schemas"]
    conn = Http(service.url, timeout=30)
    auth = {"Authorization": f"Bearer {bearer}"}
    bad = []
    sent = 0

    def send(method, path, body=None, headers=None, raw=False, name="", refused=False):
        """Sends one hostile request; `refused`: only a 4xx will do (a body no operation may take)."""
        nonlocal sent
        sent += 1
        try:
            status, response_headers, data = conn.request(method, path, body, {**auth, **(headers or {})}, raw=raw)
        except OSError as error:
            bad.append(f"{name} {method} {path[:80]}: no answer ({error})")
            return None, b""
        content_type = response_headers.get("content-type", "")
        if refused and not 400 <= status < 500:
            bad.append(f"{name} {method} {path[:80]}: {status}, not refused")
        elif status >= 500:
            bad.append(f"{name} {method} {path[:80]}: {status}")
        elif status >= 400 and not content_type.startswith(PROBLEM) and not path.startswith("/oauth/"):
            # Error pages for people (the verification page, the holder's page) may be HTML; the API
            # answers problems.
            if not (path.startswith(("/verify/", "/holder")) and content_type.startswith("text/html")):
                bad.append(f"{name} {method} {path[:80]}: {status} as {content_type}")
        return status, data

    status, _, created = conn.json("POST", "/v1/organisations", organisation_body("vihamielinen"), auth)
    assert status == 201, (status, created)
    ids = known_ids(conn, auth, spec)
    deep = b"[" * 100_000 + b"]" * 100_000
    over_limit = b'{"name": "' + b"a" * (body_limit + 10) + b'"}'
    invalid_utf8 = b'{"name": {"fi": "\xff\xfe\xfd"}, "kind": "workshop"}'
    bad_ids = ["not-a-uuid", "%27%20OR%201%3D1--", "..%2F..%2Fetc%2Fpasswd", "0" * 5000, "%00", "%F0%28%8C%BC"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            method = method.upper()
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            real_path = with_real_id(path, names, ids)
            for bad_id in bad_ids:
                broken = path
                for name in names:
                    broken = broken.replace("{" + name + "}", bad_id)
                if names:
                    send(method, broken, name="bad id")
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                for text in (SQL_INJECTION, SCRIPT_INJECTION, "x" * 8_000, "\u0000\ud7ff\ufffd"):
                    encoded = quote(text.encode("utf-8", "surrogatepass"), safe="")
                    send(method, f"{real_path}?{parameter['name']}={encoded}", name=f"query {parameter['name']}")
            if method not in ("POST", "PUT", "PATCH"):
                continue
            example, schema, media_type = example_body(operation, components)
            content = {"Content-Type": media_type or "application/json"}
            send(method, real_path, over_limit, content, raw=True, name="over the limit", refused=True)
            send(method, real_path, deep, content, raw=True, name="deeply nested", refused=True)
            send(method, real_path, invalid_utf8, content, raw=True, name="invalid UTF-8", refused=True)
            send(method, real_path, b"{\"a\": ", content, raw=True, name="truncated JSON", refused=True)
            if isinstance(example, dict) and schema is not None:
                for field in string_fields(schema, components):
                    for text in (SQL_INJECTION, SCRIPT_INJECTION, "x" * 200_000, "a\u0000b"):
                        body = json.dumps(with_value(example, field, text)).encode()
                        send(method, real_path, body, content, raw=True, name=f"field {'.'.join(field)}")
    # A request head over the HTTP server's limit (32 KiB) is refused by the HTTP layer itself,
    # before any route: a bare 4xx, not a problem document, and never a 5xx.
    try:
        head_status = Http(service.url).request("GET", "/v1/organisations?q=" + "x" * 100_000)[0]
    except OSError:
        head_status = 0
    report(
        f"{backend}: a 100 KB URL is refused by the HTTP layer with a 4xx",
        400 <= head_status < 500,
        f"status {head_status}",
    )
    report(
        f"{backend}: hostile input on every route (NUL characters too): 4xx problem+json, never a 5xx",
        not bad,
        f"{sent} hostile requests, {len(ids)} collections with a real record to aim at"
        + (f"; {len(bad)} bad answers, first: {bad[:5]}" if bad else ""),
    )

    # Injected text is stored and served as data: JSON keeps it verbatim, HTML escapes it.
    status, _, created = Http(service.url).json(
        "POST", "/v1/organisations",
        {"kind": "workshop", "name": {"fi": SQL_INJECTION, "sv": SCRIPT_INJECTION}, "municipality": "684"},
        auth,
    )
    status_list, _, listed = Http(service.url).json("GET", "/v1/organisations?q=" + quote("DROP TABLE"))
    verbatim = (
        status == 201 and created["name"]["fi"] == SQL_INJECTION and created["name"]["sv"] == SCRIPT_INJECTION
        and status_list == 200 and any(item["id"] == created["id"] for item in listed["items"])
    )
    programme = {
        "name": {"fi": SCRIPT_INJECTION}, "starts_on": "2026-01-01", "ends_on": "2026-12-31",
        "status": "running", "funders": [{"name": SCRIPT_INJECTION, "instrument": "esf"}], "regions": ["04"],
        "administrator_organisation_id": created["id"] if status == 201 else None,
    }
    status_p, _, made = Http(service.url).json("POST", "/v1/programmes", programme, auth)
    html_status, html = None, b""
    if status_p == 201:
        html_status, _, html = Http(service.url).request(
            "GET", f"/v1/programmes/{made['id']}/statistics?format=html", headers=auth
        )
    escaped = html_status == 200 and b"<script>alert" not in html and b"&lt;script&gt;" in html
    report(
        f"{backend}: injected SQL and script come back inert: verbatim in JSON, escaped in HTML, tables intact",
        verbatim and escaped,
        f"organisation {status}, search {status_list}, programme {status_p}, report {html_status}",
    )
    service.stop()


# --- token flood and lockout ----------------------------------------------------------------


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def token_request(url, client_id, secret, forwarded_for=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    body = f"grant_type=client_credentials&client_id={client_id}&client_secret={secret}".encode()
    try:
        return Http(url, timeout=60).request("POST", "/oauth/token", body, headers, raw=True)[0]
    except OSError:
        return 0


def token_flood(binary, env):
    """200 valid token requests over 32 threads: answered, memory flat, reads stay quick."""
    client_id, secret = admin_token(binary, env)
    service = Service(binary, env, "flood").start()
    # Warm up: the first hashes and connections set the baseline.
    for _ in range(3):
        token_request(service.url, client_id, secret)
    before = rss_kib(service.process.pid)
    statuses, read_times = [], []
    stop = threading.Event()

    def reader():
        conn = Http(service.url, timeout=30)
        while not stop.is_set():
            started = time.time()
            conn.request("GET", "/v1/regions")
            read_times.append(time.time() - started)

    def flood(count):
        for _ in range(count):
            statuses.append(token_request(service.url, client_id, secret))

    reading = threading.Thread(target=reader, daemon=True)
    reading.start()
    flooders = [threading.Thread(target=flood, args=(200 // 32 + 1,)) for _ in range(32)]
    started = time.time()
    for thread in flooders:
        thread.start()
    for thread in flooders:
        thread.join(timeout=120)
    elapsed = time.time() - started
    stop.set()
    reading.join(timeout=30)
    after = rss_kib(service.process.pid)
    service.stop()
    answered = [status for status in statuses if status in (200, 429, 503)]
    median_read = sorted(read_times)[len(read_times) // 2] if read_times else 99
    growth_mib = (after - before) / 1024
    report(
        "a token flood is answered (200 or 429), memory stays flat and reads stay quick",
        len(answered) == len(statuses) and growth_mib < 64 and median_read < 0.2 and 200 in statuses,
        f"{len(statuses)} requests in {elapsed:.1f} s: {statuses.count(200)} tokens, {statuses.count(429)} x 429, "
        f"{statuses.count(503)} x 503, {len(statuses) - len(answered)} others; RSS {before // 1024} -> "
        f"{after // 1024} MiB; median read {median_read * 1000:.0f} ms",
    )


def lockout(binary, env):
    """Failures from other addresses never lock out the right secret; parallel failures count exactly."""
    env = dict(env, TRUSTED_PROXIES="127.0.0.1")
    client_id, secret = admin_token(binary, env)
    service = Service(binary, env, "lockout").start()
    for attacker in range(1, 11):
        for _ in range(11):
            token_request(service.url, client_id, "wrong", f"203.0.113.{attacker}")
    elsewhere = token_request(service.url, client_id, secret, "198.51.100.7")
    locked = token_request(service.url, client_id, secret, "203.0.113.1")
    report(
        "ten addresses' failures do not lock out the right secret from another address",
        elsewhere == 200 and locked == 429,
        f"right secret elsewhere {elsewhere}, from an attacker's address {locked}",
    )
    statuses = []
    parallel = [
        threading.Thread(target=lambda: statuses.append(token_request(service.url, client_id, "wrong", "203.0.113.77")))
        for _ in range(60)
    ]
    for thread in parallel:
        thread.start()
    for thread in parallel:
        thread.join(timeout=120)
    service.stop()
    report(
        "60 parallel failures from one address: exactly 10 are checked, the rest answer 429",
        statuses.count(401) == 10 and statuses.count(429) == 50,
        f"{statuses.count(401)} x 401, {statuses.count(429)} x 429, others {[s for s in statuses if s not in (401, 429)]}",
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--postgres", required=True, help="server URL without a database")
    parser.add_argument("--stop-postgres", required=True)
    parser.add_argument("--start-postgres", required=True)
    parser.add_argument("--races", type=int, default=1000)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="fault-")
    databases = []

    def fresh_database(label):
        name = f"fault_{label}_{os.getpid()}"
        psql(args.postgres, "postgres", f"DROP DATABASE IF EXISTS {name}")
        psql(args.postgres, "postgres", f"CREATE DATABASE {name}")
        databases.append(name)
        return name

    def data_dir(label):
        path = os.path.join(work, label)
        os.makedirs(path)
        return path

    try:
        sqlite_dir = data_dir("sqlite")
        crash_during_writes(
            args.binary, environment(sqlite_dir), "SQLite",
            sqlite_integrity(os.path.join(sqlite_dir, "registry.db")),
        )
        crash_db = fresh_database("crash")
        crash_dir = data_dir("postgres-crash")
        crash_during_writes(
            args.binary, environment(crash_dir, f"{args.postgres}/{crash_db}"), "PostgreSQL",
            postgres_integrity(args.postgres, crash_db),
        )
        webhooks_across_a_crash(args.binary, environment(data_dir("webhooks-sqlite")), "SQLite")
        webhook_db = fresh_database("webhooks")
        webhooks_across_a_crash(
            args.binary, environment(data_dir("webhooks-postgres"), f"{args.postgres}/{webhook_db}"),
            "PostgreSQL",
        )
        outage_db = fresh_database("outage")
        postgres_outage(
            args.binary, environment(data_dir("outage"), f"{args.postgres}/{outage_db}"),
            args.stop_postgres, args.start_postgres,
        )
        shared_db = fresh_database("shared")
        shared_dir = data_dir("shared")
        env_a = environment(shared_dir, f"{args.postgres}/{shared_db}")
        env_b = environment(shared_dir, f"{args.postgres}/{shared_db}")
        two_instances(args.binary, env_a, env_b, args.races)
        hostile_input(args.binary, environment(data_dir("hostile")), 1024 * 1024, "SQLite")
        hostile_db = fresh_database("hostile")
        hostile_input(
            args.binary, environment(data_dir("hostile-postgres"), f"{args.postgres}/{hostile_db}"),
            1024 * 1024, "PostgreSQL",
        )
        token_flood(args.binary, environment(data_dir("flood")))
        lockout(args.binary, environment(data_dir("lockout")))
    finally:
        subprocess.run(args.start_postgres, shell=True, capture_output=True)
        for name in databases:
            try:
                psql(args.postgres, "postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            except subprocess.CalledProcessError:
                pass

    failed = [name for name, ok, _ in results if not ok]
    print(f"\n{len(results) - len(failed)} of {len(results)} fault checks passed")
    if failed:
        print("service logs are in", work)
    else:
        subprocess.run(["rm", "-rf", work])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
