"""An end-to-end scenario through a client generated from openapi/openapi.json alone.

A third-party frontend's path: get a token, register a workshop and an education provider, give
each a client, register a learning environment, recognise it, find it in the public catalogue,
issue a competence certificate, open the holder's view with the link issuing shows, and verify the
certificate by its printed code and by its signed credential;
then run a programme, record a participant's coaching period with every category the funder
counts, read it and list it, and read the programme's statistics.

Needs CONTRACT_BASE_URL, CONTRACT_CLIENT_ID and CONTRACT_CLIENT_SECRET (an administrator) and the
generated package `registry_client` on PYTHONPATH.
"""

import http.server
import json
import os
import sys
import threading
import time
import uuid

import standardwebhooks

from registry_client import AuthenticatedClient, Client
from registry_client.api.administration import clients_create
from registry_client.api.authentication import token
from registry_client.api.catalogue import by_unit, list_environments
from registry_client.api.holders import holder_view
from registry_client.api.certificates import (
    certificates_create,
    certificates_get,
    certificates_revoke,
    credential,
    issue,
)
from registry_client.api.learning_environments import (
    accept_recognition,
    learning_environments_create,
    recognitions_create,
)
from registry_client.api.organisations import organisations_create, organisations_get
from registry_client.api.programmes import (
    participations_create,
    participations_get,
    participations_list,
    programmes_create,
)
from registry_client.api.statistics import programme_statistics
from registry_client.api.verification import verify_code, verify_credential
from registry_client.api.wallets import create_offer
from registry_client.api.webhooks import list_deliveries, webhooks_create
from registry_client.models import (
    Certificate,
    CertificateInput,
    ClientInput,
    CreatedClient,
    CreatedWebhook,
    PageDelivery,
    EnvironmentInput,
    HolderView,
    LearningEnvironment,
    Organisation,
    OrganisationInput,
    PageCatalogueEnvironment,
    PageParticipation,
    Participation,
    ParticipationInput,
    Programme,
    ProgrammeInput,
    ProgrammeStatistics,
    Recognition,
    RecognitionBatch,
    RevokeInput,
    RecognitionInput,
    TokenRequest,
    TokenResponse,
    UnitCatalogue,
    Verification,
    VerifyInput,
    WebhookInput,
)

BASE_URL = os.environ["CONTRACT_BASE_URL"]


def check(condition, what):
    """Stops the scenario when a condition fails (unlike `assert`, also under `python -O`)."""
    if not condition:
        sys.exit(f"scenario failed: {what}")


def expect(response, status, model):
    """The response has the status and parsed into the documented model."""
    if response.status_code != status or not isinstance(response.parsed, model):
        sys.exit(
            f"expected {status} {model.__name__}, got {int(response.status_code)}: "
            f"{response.content[:500]!r}"
        )
    return response.parsed


def authenticated(client_id, client_secret):
    answer = token.sync_detailed(
        client=Client(base_url=BASE_URL),
        body=TokenRequest(
            grant_type="client_credentials", client_id=client_id, client_secret=client_secret
        ),
    )
    access_token = expect(answer, 200, TokenResponse).access_token
    return AuthenticatedClient(base_url=BASE_URL, token=access_token)


def client_for(admin, organisation_id, scopes):
    created = clients_create.sync_detailed(
        client=admin,
        body=ClientInput.from_dict(
            {"name": "Contract scenario", "organisation_id": organisation_id, "scopes": scopes}
        ),
    )
    created = expect(created, 201, CreatedClient)
    return authenticated(created.client_id, created.client_secret)


def organisation(admin, body):
    key = str(uuid.uuid4())
    first = organisations_create.sync_detailed(
        client=admin, body=OrganisationInput.from_dict(body), idempotency_key=key
    )
    created = expect(first, 201, Organisation)
    # A retry with the same Idempotency-Key gets the same organisation, not a second one.
    retry = organisations_create.sync_detailed(
        client=admin, body=OrganisationInput.from_dict(body), idempotency_key=key
    )
    check(expect(retry, 201, Organisation).id == created.id, "a retry answers the same organisation")
    return created


def main():
    admin = authenticated(os.environ["CONTRACT_CLIENT_ID"], os.environ["CONTRACT_CLIENT_SECRET"])
    workshop = organisation(
        admin,
        {
            "kind": "workshop",
            "name": {"fi": "Rauman nuorten työpaja"},
            "business_id": "0112038-9",
            "municipality": "684",
        },
    )
    provider = organisation(
        admin,
        {
            "kind": "education_provider",
            "name": {"fi": "Satakunnan koulutuskuntayhtymä"},
            "municipality": "609",
        },
    )
    public = Client(base_url=BASE_URL)
    read_back = organisations_get.sync_detailed(workshop.id, client=public)
    check(expect(read_back, 200, Organisation).id == workshop.id, "the public reads the workshop")

    workshop_system = client_for(
        admin, workshop.id, ["environments:write", "certificates:read", "certificates:write", "webhooks:write"]
    )
    provider_system = client_for(admin, provider.id, ["environments:write", "certificates:read"])

    environment = learning_environments_create.sync_detailed(
        client=workshop_system,
        body=EnvironmentInput.from_dict(
            {
                "name": {"fi": "Työpajan siivous- ja kiinteistöpalvelut"},
                "sector": "cleaning_services",
                "work_tasks": ["toimitilojen siivous"],
                "address": {"street_address": "Savilankatu 4", "postal_code": "26100", "municipality": "684"},
                "coordinates": {"latitude": 61.1272, "longitude": 21.5112},
                "capacity": 4,
                "languages": ["fi"],
                "contact": {"name": "Maija Meikäläinen", "title": "työvalmentaja", "private": True},
            }
        ),
    )
    environment = expect(environment, 201, LearningEnvironment)

    recognised = recognitions_create.sync_detailed(
        environment.id,
        client=provider_system,
        body=RecognitionInput.from_dict(
            {
                "units": [{"qualification": "381141", "unit": "SAMPLE-104"}],
                "valid_from": "2026-01-01",
            }
        ),
    )
    recognised = expect(recognised, 201, RecognitionBatch)
    # Another organisation's recognition is public once the environment's owner accepts it.
    accepted = accept_recognition.sync_detailed(environment.id, recognised.items[0].id, client=workshop_system)
    check(expect(accepted, 200, Recognition).owner_consent == "accepted", accepted)

    found = list_environments.sync_detailed(client=public, unit=["SAMPLE-104"], municipality=["684"])
    found = expect(found, 200, PageCatalogueEnvironment)
    check([item.id for item in found.items] == [environment.id], found)
    by_region = by_unit.sync_detailed("SAMPLE-104", client=public, region="04")
    check(expect(by_region, 200, UnitCatalogue).learning_environments == 1, "one environment in the region")

    content = CertificateInput.from_dict(
        {
            "holder": {
                "given_names": "Aino Maria",
                "family_name": "Virtanen",
                "date_of_birth": "2004-03-15",
                "hetu": "150304A1233",
            },
            "learning_environment_ids": [environment.id],
            "start_date": "2026-02-01",
            "end_date": "2026-10-31",
            "hours": 480,
            "coach": {"name": "Maija Meikäläinen", "title": "työvalmentaja"},
            "language": "fi",
            "units": [
                {
                    "qualification": "381141",
                    "unit": "SAMPLE-104",
                    "description": "Toimitilojen ylläpitosiivous.",
                    "skills": [{"text": "Valitsee puhdistusaineet pinnan mukaan"}],
                    "hours": 320,
                }
            ],
        }
    )
    receiver = Receiver()
    subscribed = webhooks_create.sync_detailed(
        client=workshop_system,
        body=WebhookInput.from_dict({"url": receiver.url, "events": ["certificate.issued", "certificate.revoked"]}),
    )
    subscribed = expect(subscribed, 201, CreatedWebhook)
    drafted = expect(certificates_create.sync_detailed(client=workshop_system, body=content), 201, Certificate)
    issued = expect(issue.sync_detailed(drafted.id, client=workshop_system), 200, Certificate)
    check(issued.status == "issued", issued.status)
    holder_sees(public, issued, drafted.id)
    read = expect(certificates_get.sync_detailed(drafted.id, client=workshop_system), 200, Certificate)
    code = read.verification_code
    check(isinstance(code, str) and code, read)

    by_code = expect(verify_code.sync_detailed(code, client=public), 200, Verification)
    check(by_code.genuine and by_code.status == "issued", by_code)
    signed = credential.sync_detailed(drafted.id, client=workshop_system)
    check(signed.status_code == 200 and signed.content.count(b".") == 2, signed.content[:200])
    by_credential = verify_credential.sync_detailed(
        client=public, body=VerifyInput(credential=signed.content.decode())
    )
    by_credential = expect(by_credential, 200, Verification)
    check(by_credential.genuine and by_credential.status == "issued", by_credential)
    tampered = verify_credential.sync_detailed(
        client=public, body=VerifyInput(credential=signed.content.decode()[:-4] + "AAAA")
    )
    check(not expect(tampered, 200, Verification).genuine, "a tampered credential is not genuine")
    revoked = revoked_credential(workshop_system, content)
    webhooks_arrive(receiver, subscribed, workshop_system, drafted.id)
    offered = create_offer.sync_detailed(drafted.id, client=workshop_system)
    check(offered.status_code == 201, offered.content[:300])
    offered = json.loads(offered.content)
    check(len(offered["tx_code"]) == 6 and offered["offer_url"].startswith("openid-credential-offer://"), offered)
    if os.environ.get("CONTRACT_CREDENTIALS_FILE"):
        # For the independent verifiers that run next (scripts/contract/verify_credential.py and
        # status_check.mjs): a valid and a revoked credential; for the independent wallet
        # (wallet.mjs): the offer of the valid one, its PIN, and the issuer's token to revoke it.
        wallet = {
            "offer_url": offered["offer_url"],
            "tx_code": offered["tx_code"],
            "certificate_id": drafted.id,
            "issuer_token": workshop_system.token,
        }
        with open(os.environ["CONTRACT_CREDENTIALS_FILE"], "w", encoding="utf-8") as file:
            json.dump({"valid": signed.content.decode(), "revoked": revoked, "wallet": wallet}, file)

    participations(admin, workshop, environment, drafted.id)
    print(
        "end-to-end scenario passed: token, organisations, clients, environment, recognition, "
        "catalogue, certificate issued, the holder's view opened, verified by code and by credential, its webhooks "
        "verified by the Standard Webhooks library, programme, "
        "participation recorded, read and listed, statistics"
    )


def holder_sees(public, issued, certificate_id):
    """The holder's access link, shown once in the answer to issuing, opens the holder's view
    without an account; a made-up secret opens nothing."""
    url = issued.holder_access.url
    secret = url.split("/holder?access=", 1)[1]
    view = expect(holder_view.sync_detailed(client=public, access=secret), 200, HolderView)
    check([item.id for item in view.certificates] == [certificate_id], view)
    check(view.certificates[0].status == "issued" and not view.certificates[0].imported, view)
    unknown = holder_view.sync_detailed(client=public, access="not-a-secret")
    check(unknown.status_code == 404, unknown.content[:200])


class Receiver:
    """A webhook receiver on a free port: keeps each request's headers and body, answers 204."""

    def __init__(self):
        self.received = []
        received = self.received

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append(({name.lower(): value for name, value in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks"
        threading.Thread(target=server.serve_forever, daemon=True).start()


def webhooks_arrive(receiver, subscribed, workshop_system, first_id):
    """The three events (two issues, one revocation) arrive in order, each verified by the Standard
    Webhooks reference library with the secret shown at subscription; the log lists them."""
    deadline = time.time() + 30
    while len(receiver.received) < 3 and time.time() < deadline:
        time.sleep(0.1)
    verifier = standardwebhooks.Webhook(subscribed.secret)
    events = [verifier.verify(body, headers) for headers, body in receiver.received]
    kinds = [event["type"] for event in events]
    check(kinds == ["certificate.issued", "certificate.issued", "certificate.revoked"], kinds)
    check(events[0]["data"]["certificate_id"] == first_id, events[0])
    positions = [event["data"]["position"] for event in events]
    check(positions == sorted(positions), positions)
    headers, body = receiver.received[0]
    try:
        standardwebhooks.Webhook("whsec_" + "A" * 43 + "=").verify(body, headers)
        check(False, "a wrong secret verifies")
    except standardwebhooks.WebhookVerificationError:
        pass
    log = expect(list_deliveries.sync_detailed(subscribed.id, client=workshop_system), 200, PageDelivery)
    check([item.state for item in log.items] == ["delivered"] * 3, log)


def revoked_credential(workshop_system, content):
    """Issues a second certificate of the same content and revokes it: its signed credential."""
    drafted = expect(certificates_create.sync_detailed(client=workshop_system, body=content), 201, Certificate)
    expect(issue.sync_detailed(drafted.id, client=workshop_system), 200, Certificate)
    reason = RevokeInput(reason="Annettu väärälle henkilölle.")
    revoked = expect(certificates_revoke.sync_detailed(drafted.id, client=workshop_system, body=reason), 200, Certificate)
    check(revoked.status == "revoked", revoked.status)
    signed = credential.sync_detailed(drafted.id, client=workshop_system)
    check(signed.status_code == 200, signed.content[:200])
    return signed.content.decode()


def participations(admin, workshop, environment, certificate_id):
    """A programme run by the workshop, one participant's coaching period, and its statistics."""
    runner = client_for(
        admin, workshop.id, ["programmes:read", "programmes:write", "certificates:read"]
    )
    programme = programmes_create.sync_detailed(
        client=runner,
        body=ProgrammeInput.from_dict(
            {
                "name": {"fi": "Osaaminen näkyväksi Satakunnassa"},
                "starts_on": "2026-01-01",
                "ends_on": "2027-12-31",
                "funders": [{"name": "Euroopan sosiaalirahasto", "instrument": "esf"}],
                "municipalities": ["684"],
                "status": "running",
            }
        ),
    )
    programme = expect(programme, 201, Programme)
    # Every category as a generated client spells it: the document's names are the service's.
    recorded = participations_create.sync_detailed(
        programme.id,
        client=runner,
        body=ParticipationInput.from_dict(
            {
                "starts_on": "2026-02-01",
                "ends_on": "2026-10-31",
                "municipality": "684",
                "coach_organisation_id": workshop.id,
                "gender": "female",
                "age_band": "under_25",
                "unemployment_duration": "at_least_12_months",
                "education_level": "basic",
                "immigrant_background": "no",
                "next_step": "studies",
                "learning_environment_ids": [environment.id],
                "certificate_ids": [certificate_id],
            }
        ),
    )
    recorded = expect(recorded, 201, Participation)
    read = participations_get.sync_detailed(programme.id, recorded.id, client=runner)
    read = expect(read, 200, Participation)
    check(read.gender == "female" and read.next_step == "studies", read)
    check(read.certificate_ids == [certificate_id], read.certificate_ids)
    listed = expect(participations_list.sync_detailed(programme.id, client=runner), 200, PageParticipation)
    check([item.id for item in listed.items] == [recorded.id], listed)
    statistics = expect(
        programme_statistics.sync_detailed(programme.id, client=runner), 200, ProgrammeStatistics
    )
    check(statistics.exact, "the programme's administrator reads exact figures")
    participants = next(table for table in statistics.tables if table.name == "participants")
    check(participants.total.count == 1, participants)


if __name__ == "__main__":
    main()
