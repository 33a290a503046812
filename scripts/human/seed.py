"""Makes what people read, through the API: a certificate for a holder whose name needs more than
Finnish letters, its PDF, the holder's own page and handout, and a programme with participants whose report has the same share in
several tables. Writes the documents and a list of the pages to check into OUT (an argument).

Needs HUMAN_BASE_URL, HUMAN_CLIENT_ID and HUMAN_CLIENT_SECRET (an administrator). Standard
library only.
"""

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = os.environ["HUMAN_BASE_URL"]


def call(method, path, token=None, body=None, headers=None, raw=False):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request) as response:
            content = response.read()
    except urllib.error.HTTPError as error:
        sys.exit(f"{method} {path}: {error.code} {error.read()[:600]!r}")
    return content if raw else json.loads(content or b"null")


def token(client_id, secret):
    form = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    ).encode()
    request = urllib.request.Request(BASE + "/oauth/token", data=form, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())["access_token"]


def client_for(admin, organisation, scopes):
    created = call("POST", "/v1/admin/clients", admin,
                   {"name": "Pages", "organisation_id": organisation, "scopes": scopes})
    return token(created["client_id"], created["client_secret"])


def certificate(admin):
    workshop = call("POST", "/v1/organisations", admin, {
        "kind": "workshop",
        "name": {"fi": "Rauman nuorten työpaja", "sv": "Raumo ungdomsverkstad",
                 "en": "Rauma Youth Workshop"},
        "business_id": "0112038-9",
        "municipality": "684",
        "address": {"street": "Nortamonkatu 18", "postal_code": "26100", "post_office": "Rauma"},
    })
    writer = client_for(admin, workshop["id"],
                        ["environments:write", "certificates:read", "certificates:write",
                         "programmes:read", "programmes:write"])
    environment = call("POST", "/v1/learning-environments", writer, {
        "name": {"fi": "Työpajan keittiö", "sv": "Verkstadens kök"},
        "sector": "food_services",
        "work_tasks": ["lounaan valmistus", "astiahuolto"],
        "address": {"street_address": "Nortamonkatu 18", "postal_code": "26100", "municipality": "684"},
        "capacity": 4,
        "languages": ["fi"],
    })
    body = {
        "holder": {"given_names": "Łukasz Đức", "family_name": "Nguyễn-Čuđe",
                   "date_of_birth": "2003-05-17"},
        "learning_environment_ids": [environment["id"]],
        "programme_reference": "Osaaminen näkyväksi Satakunnassa (ESR+)",
        "start_date": "2026-02-01",
        "end_date": "2026-10-31",
        "hours": 480,
        "coach": {"name": "Máret Ŋuolggá", "title": "työvalmentaja"},
        "language": "fi",
        "units": [{
            "qualification": "351204", "unit": "SAMPLE-107",
            "description": "Valmisti päivittäin lounasta noin 80 ruokailijalle ja huolehti "
                           "astiahuollosta sekä keittiön siisteydestä omavalvontasuunnitelman mukaan.",
            "skills": [
                {"text": "Valmistaa lounaan annoskortin mukaan", "requirement_code": "R1"},
                {"text": "Työskentelee hygieenisesti ja turvallisesti (ohjeet myös: Працює безпечно)"},
            ],
            "hours": 320,
        }],
        "other_competences": [{"name": "Hygieniaosaamistodistus", "framework": "Ruokavirasto"}],
    }
    drafted = call("POST", "/v1/certificates", writer, body)
    issued = call("POST", f"/v1/certificates/{drafted['id']}/issue", writer, body=None)
    pdf = call("GET", f"/v1/certificates/{drafted['id']}/pdf", writer, raw=True)
    return workshop, writer, environment, issued, pdf


def holder_view(admin, writer, issued):
    """Shares the certificate with an education provider and has the administrator read it, so that
    the holder's page lists a read and a share with its withdrawal button; returns the link's secret
    and the handout PDF that prints the link."""
    provider = call("POST", "/v1/organisations", admin, {
        "kind": "education_provider",
        "name": {"fi": "Satakunnan koulutuskuntayhtymä", "sv": "Satakunta samkommun för utbildning"},
        "municipality": "609",
    })
    call("POST", f"/v1/certificates/{issued['id']}/shares", writer, {
        "organisation_id": provider["id"], "consent_given_on": "2026-11-02", "consent_method": "written",
    })
    call("GET", f"/v1/certificates/{issued['id']}", admin)
    access = issued["holder_access"]
    secret = access["url"].split("access=", 1)[1]
    handout = call("GET", access["handout_url"], writer, raw=True)
    return secret, handout


PEOPLE = [
    # gender, age band, unemployment, education, immigrant background, next step
    ("female", "under_25", "at_least_12_months", "basic", "yes", "studies"),
    ("female", "under_25", "under_12_months", "basic", "no", "employment"),
    ("female", "from_25_to_29", "at_least_12_months", "upper_secondary", "no", "subsidised_employment"),
    ("male", "from_30_to_54", "at_least_12_months", "basic", "yes", "job_seeking"),
    ("male", "under_25", "none", "basic", "no", "other_education"),
    ("male", "from_55", "at_least_12_months", "higher", "no", None),
    ("other", "under_25", "under_12_months", "upper_secondary", "unknown", "employment"),
]


def programme(writer, workshop, environment):
    created = call("POST", "/v1/programmes", writer, {
        "name": {"fi": "Osaaminen näkyväksi Satakunnassa", "sv": "Kunnandet synligt i Satakunta",
                 "en": "Making competence visible in Satakunta"},
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
        "funders": [{"name": "Euroopan sosiaalirahasto plus", "instrument": "esf"}],
        "municipalities": ["684"],
        "status": "running",
    })
    for gender, age, unemployment, education, background, step in PEOPLE:
        person = {
            "starts_on": "2026-02-01", "ends_on": "2026-10-31", "municipality": "684",
            "coach_organisation_id": workshop["id"], "gender": gender, "age_band": age,
            "unemployment_duration": unemployment, "education_level": education,
            "immigrant_background": background, "learning_environment_ids": [environment["id"]],
        }
        if step:
            person["next_step"] = step
        call("POST", f"/v1/programmes/{created['id']}/participations", writer, person)
    report = call("GET", f"/v1/programmes/{created['id']}/statistics?format=pdf&lang=fi", writer, raw=True)
    return created["id"], report


def main():
    out = sys.argv[1]
    admin = token(os.environ["HUMAN_CLIENT_ID"], os.environ["HUMAN_CLIENT_SECRET"])
    workshop, writer, environment, issued, certificate_pdf = certificate(admin)
    code = issued["verification_code"]
    secret, handout_pdf = holder_view(admin, writer, issued)
    programme_id, report_pdf = programme(writer, workshop, environment)
    with open(os.path.join(out, "certificate.pdf"), "wb") as file:
        file.write(certificate_pdf)
    with open(os.path.join(out, "handout.pdf"), "wb") as file:
        file.write(handout_pdf)
    with open(os.path.join(out, "report.pdf"), "wb") as file:
        file.write(report_pdf)
    report = f"/v1/programmes/{programme_id}/statistics?format=html"
    pages = [
        {"name": "verify-fi", "path": f"/verify/{code}", "phone": True},
        {"name": "verify-sv", "path": f"/verify/{code}?lang=sv", "phone": True},
        {"name": "verify-en", "path": f"/verify/{code}?lang=en", "phone": True},
        {"name": "verify-unknown", "path": "/verify/AAAAA-AAAAA", "phone": True, "status": 404},
        {"name": "report-fi", "path": f"{report}&lang=fi", "phone": True, "auth": True},
        {"name": "report-sv", "path": f"{report}&lang=sv", "phone": False, "auth": True},
        {"name": "report-en", "path": f"{report}&lang=en", "phone": False},
        {"name": "region-fi", "path": "/v1/statistics/regions/04?format=html&lang=fi", "phone": False},
        {"name": "problem-type", "path": "/problems/validation-error", "phone": True},
        {"name": "holder-fi", "path": f"/holder?access={secret}", "phone": True},
        {"name": "holder-sv", "path": f"/holder?access={secret}&lang=sv", "phone": True},
        {"name": "holder-en", "path": f"/holder?access={secret}&lang=en", "phone": False},
        {"name": "holder-unknown", "path": "/holder?access=unknown", "phone": True, "status": 404},
    ]
    with open(os.path.join(out, "pages.json"), "w", encoding="utf-8") as file:
        json.dump({"base": BASE, "token": writer, "pages": pages}, file)
    print(f"made a certificate ({code}), its PDF, a programme report and {len(pages)} pages to check")


if __name__ == "__main__":
    main()
