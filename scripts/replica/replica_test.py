"""Read replica test: a hot standby of the local PostgreSQL cluster made with pg_basebackup, two
instances of the service reading public data from it under load, and the standby stopped under
load. Checks that:

- anonymous public reads reach the standby (its pg_stat_activity shows the service's connections)
  and catch up with a write within seconds;
- an authenticated caller reads its own write at once, from the primary;
- a revocation shows at once in verification and in the issuer's status list, on both instances;
- stopping the standby under load costs no request an error: the primary answers instead.

Run through scripts/replica-test, which finds the PostgreSQL programs and the standby's port.
"""
import argparse
import base64
import http.client
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

parser = argparse.ArgumentParser()
parser.add_argument("--binary", required=True)
parser.add_argument("--postgres", required=True, help="the primary's server URL, without a database")
parser.add_argument("--pg-bin", required=True)
parser.add_argument("--standby-port", type=int, default=5433)
args = parser.parse_args()

PORTS = (18111, 18112)
SEARCH = "/v1/catalogue/learning-environments?unit=SAMPLE-107&limit=20"
database = f"replica_test_{uuid.uuid4().hex[:12]}"
work = tempfile.mkdtemp(prefix="replica-test-")
standby_dir = os.path.join(work, "standby")
processes = []


def log(message):
    print(f"replica-test: {message}", flush=True)


def fail(message):
    raise SystemExit(f"replica-test FAILED: {message}")


def as_postgres(command, **kwargs):
    """Runs a PostgreSQL server program as the postgres user (they refuse to run as root)."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--"] + command
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        fail(f"{' '.join(command)}: {done.stderr.strip() or done.stdout.strip()}")
    return done


def psql(url, sql):
    return subprocess.run(["psql", "-qAt", url, "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


def call(port, method, path, body=None, token=None, form=None, expect=(200,)):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        body = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    if response.status not in expect:
        fail(f"{method} {path} on :{port} answered {response.status}: {data[:300]!r}")
    return response.status, (json.loads(data) if data and data[:1] in (b"{", b"[") else data)


def token(port, client_id, secret):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/oauth/token", body="grant_type=client_credentials",
                 headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"})
    return json.loads(conn.getresponse().read())["access_token"]


def start_standby():
    as_postgres([os.path.join(args.pg_bin, "pg_ctl"), "-D", standby_dir, "-l", os.path.join(standby_dir, "server.log"),
                 "-w", "start"])


def stop_standby():
    as_postgres([os.path.join(args.pg_bin, "pg_ctl"), "-D", standby_dir, "-m", "immediate", "-w", "stop"])


def make_standby():
    """pg_basebackup of the primary, configured as a hot standby on its own port and socket."""
    postgres_user = pwd.getpwnam("postgres")
    os.chmod(work, 0o755)
    os.mkdir(standby_dir, 0o700)
    if os.geteuid() == 0:
        os.chown(standby_dir, postgres_user.pw_uid, postgres_user.pw_gid)
    parsed = urllib.parse.urlsplit(args.postgres)
    as_postgres([os.path.join(args.pg_bin, "pg_basebackup"), "-h", parsed.hostname or "127.0.0.1",
                 "-p", str(parsed.port or 5432), "-U", parsed.username or "postgres",
                 "-D", standby_dir, "-R", "-X", "stream", "-c", "fast"])
    with open(os.path.join(standby_dir, "postgresql.conf"), "w") as conf:
        conf.write(f"port = {args.standby_port}\nlisten_addresses = '127.0.0.1'\n"
                   f"unix_socket_directories = '{standby_dir}'\nhot_standby = on\n"
                   f"hba_file = '{standby_dir}/pg_hba.conf'\nident_file = '{standby_dir}/pg_ident.conf'\n")
    with open(os.path.join(standby_dir, "pg_hba.conf"), "w") as hba:
        hba.write("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    open(os.path.join(standby_dir, "pg_ident.conf"), "w").close()
    for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
        os.chown(os.path.join(standby_dir, name), postgres_user.pw_uid, postgres_user.pw_gid)
    start_standby()


def start_instance(port, primary_url, replica_url):
    data = os.path.join(work, f"instance-{port}")
    os.makedirs(data, exist_ok=True)
    for name in os.listdir(os.path.join(work, "keys")):
        shutil.copy(os.path.join(work, "keys", name), data)
    env = dict(os.environ, DATABASE_URL=primary_url, DATABASE_READ_URL=replica_url, DATA_DIR=data,
               BIND_ADDR=f"127.0.0.1:{port}", RUST_LOG="warn", TOKENS_PER_CLIENT_PER_MINUTE="100000",
               AUTH_FAILURES_PER_ADDRESS="100000")
    process = subprocess.Popen([args.binary], env=env, stdout=open(os.path.join(data, "log"), "w"),
                               stderr=subprocess.STDOUT)
    processes.append(process)
    for _ in range(120):
        try:
            if call(port, "GET", "/health/ready", expect=(200, 503))[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    fail(f"the instance on :{port} did not start")


def setup(primary_url):
    """An administrator, a workshop and a provider with clients, and one recognised environment."""
    keys = os.path.join(work, "keys")
    os.makedirs(keys)
    created = subprocess.run([args.binary, "clients", "create", "--admin", "--name", "replica-test"],
                             env=dict(os.environ, DATABASE_URL=primary_url, DATA_DIR=keys),
                             check=True, capture_output=True, text=True)
    admin = json.loads(created.stdout)
    return admin


def clients(port, admin):
    admin_token = token(port, admin["client_id"], admin["client_secret"])
    made = {}
    for kind, municipality in (("workshop", "684"), ("education_provider", "609")):
        _, organisation = call(port, "POST", "/v1/organisations",
                               {"kind": kind, "name": {"fi": f"Replica {kind}"}, "municipality": municipality},
                               admin_token, expect=(201,))
        _, client = call(port, "POST", "/v1/admin/clients",
                         {"name": f"replica {kind}", "organisation_id": organisation["id"],
                          "scopes": ["environments:write", "certificates:read", "certificates:write"]},
                         admin_token, expect=(201,))
        made[kind] = token(port, client["client_id"], client["client_secret"])
    return made


def new_environment(port, tokens, name):
    _, environment = call(port, "POST", "/v1/learning-environments", {
        "name": {"fi": name}, "sector": "food_services", "work_tasks": ["ruoanvalmistus"],
        "address": {"street_address": "Savilankatu 4", "postal_code": "26100", "municipality": "684"},
        "capacity": 4, "languages": ["fi"], "contact": {"name": "Maija Meikäläinen", "title": "työvalmentaja", "private": True},
    }, tokens["workshop"], expect=(201,))
    _, recognised = call(port, "POST", f"/v1/learning-environments/{environment['id']}/recognitions",
                         {"units": [{"qualification": "351204", "unit": "SAMPLE-107"}], "valid_from": "2020-01-01"},
                         tokens["education_provider"], expect=(201,))
    for item in recognised["items"]:
        # The environment's owner accepts the provider's recognition: then it is public.
        call(port, "POST", f"/v1/learning-environments/{environment['id']}/recognitions/{item['id']}/accept",
             None, tokens["workshop"])
    return environment["id"]


def listed(port, token_=None):
    _, page = call(port, "GET", SEARCH, token=token_)
    return {item["id"] for item in page["items"]}


def check_reads_follow_writes(tokens):
    kitchen = new_environment(PORTS[0], tokens, "Replica-keittiö")
    if kitchen not in listed(PORTS[1], tokens["workshop"]):
        fail("an authenticated caller did not read its own write at once")
    started = time.monotonic()
    while kitchen not in listed(PORTS[1]):
        if time.monotonic() - started > 10:
            fail("the standby did not show a write within 10 s")
        time.sleep(0.05)
    log(f"anonymous read showed the write after {time.monotonic() - started:.3f} s (replication lag)")
    replica_url = f"postgresql://postgres@127.0.0.1:{args.standby_port}/{database}"
    connections = int(psql(replica_url, f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' "
                                        "AND pid <> pg_backend_pid()"))
    if connections == 0:
        fail("the service holds no connection to the standby: public reads did not go there")
    log(f"the standby serves the service on {connections} connections")


def check_revocation_shows_at_once(tokens):
    environment = new_environment(PORTS[0], tokens, "Replica-verstas")
    draft = {
        "holder": {"given_names": "Aino", "family_name": "Virtanen", "date_of_birth": "2004-03-15"},
        "learning_environment_ids": [environment], "start_date": "2026-02-01", "end_date": "2026-10-31",
        "hours": 480, "coach": {"name": "Maija Meikäläinen", "title": "työvalmentaja"}, "language": "fi",
        "units": [{"qualification": "381141", "unit": "SAMPLE-104", "description": "Ylläpitosiivous.",
                   "skills": [{"text": "Valitsee puhdistusaineet"}], "hours": 320}],
    }
    _, certificate = call(PORTS[0], "POST", "/v1/certificates", draft, tokens["workshop"], expect=(201,))
    _, issued = call(PORTS[0], "POST", f"/v1/certificates/{certificate['id']}/issue", None, tokens["workshop"])
    code = issued["verification_code"]
    call(PORTS[0], "POST", f"/v1/certificates/{certificate['id']}/revoke", {"reason": "Väärä henkilö."},
         tokens["workshop"])
    for port in PORTS:
        _, verification = call(port, "GET", f"/v1/verify/{code}")
        if verification.get("status") != "revoked":
            fail(f"verification on :{port} right after the revocation says {verification.get('status')!r}")
    log("a revocation showed at once in verification on both instances")


class Load:
    """Anonymous catalogue reads on both instances from several threads, counting failures."""

    def __init__(self, threads=8):
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.done, self.failures = 0, []
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(threads)]

    def run(self, n):
        port = PORTS[n % 2]
        day = 0
        while not self.stop.is_set():
            day += 1
            path = f"{SEARCH}&recognised_on={time.strftime('%Y-%m-%d', time.gmtime(1577836800 + (n * 5000 + day) * 86400))}"
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                conn.close()
                outcome = None if response.status == 200 else f"{response.status} on :{port}"
            except OSError as error:
                outcome = f"{error} on :{port}"
            with self.lock:
                self.done += 1
                if outcome:
                    self.failures.append(outcome)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        for thread in self.threads:
            thread.join()


def main():
    primary_url = f"{args.postgres}/{database}"
    psql(f"{args.postgres}/postgres", f"CREATE DATABASE {database}")
    try:
        admin = setup(primary_url)
        make_standby()
        replica_url = f"postgres://postgres@127.0.0.1:{args.standby_port}/{database}?sslmode=disable"
        for port in PORTS:
            start_instance(port, primary_url, replica_url)
        tokens = clients(PORTS[0], admin)
        check_reads_follow_writes(tokens)
        with Load() as load:
            time.sleep(5)
            check_revocation_shows_at_once(tokens)
            before = load.done
            stop_standby()
            log(f"standby stopped under load after {before} reads")
            time.sleep(8)
        if load.failures:
            fail(f"{len(load.failures)} of {load.done} reads failed, e.g. {load.failures[:3]}")
        log(f"{load.done} anonymous reads under load, {load.done - before} after the standby stopped, none failed")
        for port in PORTS:
            if kitchen_count := len(listed(port)):
                continue
            fail(f"no environment listed on :{port} after the standby stopped ({kitchen_count})")
        log("passed")
    finally:
        for process in processes:
            process.terminate()
            process.wait()
        if os.path.exists(os.path.join(standby_dir, "postmaster.pid")):
            stop_standby()
        subprocess.run(["psql", "-q", f"{args.postgres}/postgres", "-c",
                        f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], capture_output=True)
        if os.environ.get("REPLICA_TEST_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
