"""Seeds the load test's certificates through the API: a workshop with a client and a learning
environment, then COUNT certificates drafted and issued by that workshop (16 threads). Prints
the workshop's client credentials and the certificate ids as JSON for the load scripts.

Usage: certificates.py BASE_URL ADMIN_ID ADMIN_SECRET COUNT OUT_FILE
"""

import base64
import http.client
import json
import sys
import threading
from urllib.parse import urlsplit

base_url, admin_id, admin_secret, count, out_file = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
parts = urlsplit(base_url)


def connection():
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)


def call(conn, method, path, body=None, headers=None, form=False):
    headers = dict(headers or {})
    if body is not None and not form:
        body = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
    return json.loads(data) if data else None


def token(conn, client_id, secret):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    answer = call(conn, "POST", "/oauth/token", "grant_type=client_credentials",
                  {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"}, form=True)
    return answer["access_token"]


conn = connection()
admin = {"Authorization": f"Bearer {token(conn, admin_id, admin_secret)}"}
workshop = call(conn, "POST", "/v1/organisations",
                {"kind": "workshop", "name": {"fi": "Kuormitustestin työpaja"}, "municipality": "684"}, admin)
client = call(conn, "POST", "/v1/admin/clients",
              {"name": "Load test workshop", "organisation_id": workshop["id"],
               "scopes": ["environments:write", "certificates:read", "certificates:write", "organisations:write"]}, admin)
bearer = {"Authorization": f"Bearer {token(conn, client['client_id'], client['client_secret'])}"}
environment = call(conn, "POST", "/v1/learning-environments", {
    "name": {"fi": "Kuormitustestin keittiö"}, "sector": "food_services", "work_tasks": ["ruoanvalmistus"],
    "address": {"street_address": "Savilankatu 4", "postal_code": "26100", "municipality": "684"},
    "capacity": 4, "languages": ["fi"], "contact": {"name": "Maija Meikäläinen", "title": "työvalmentaja", "private": True},
}, bearer)

draft = {
    "holder": {"given_names": "Aino", "family_name": "Virtanen", "date_of_birth": "2004-03-15"},
    "learning_environment_ids": [environment["id"]], "start_date": "2026-02-01", "end_date": "2026-10-31",
    "hours": 480, "coach": {"name": "Maija Meikäläinen", "title": "työvalmentaja"}, "language": "fi",
    "units": [{"qualification": "381141", "unit": "SAMPLE-104", "description": "Toimitilojen ylläpitosiivous.",
               "skills": [{"text": "Valitsee puhdistusaineet pinnan mukaan"}], "hours": 320}],
}
ids, lock, next_index = [], threading.Lock(), [0]


def worker():
    conn = connection()
    while True:
        with lock:
            if next_index[0] >= count:
                return
            next_index[0] += 1
        created = call(conn, "POST", "/v1/certificates", draft, bearer)
        call(conn, "POST", f"/v1/certificates/{created['id']}/issue", None, bearer)
        with lock:
            ids.append(created["id"])
            if len(ids) % 20000 == 0:
                print(f"  {len(ids)} certificates issued", flush=True)


threads = [threading.Thread(target=worker) for _ in range(16)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with open(out_file, "w") as out:
    json.dump({"client_id": client["client_id"], "client_secret": client["client_secret"],
               "environment_id": environment["id"], "certificates": ids}, out)
