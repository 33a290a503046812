// An integrator's path through a client generated from openapi/openapi.json alone, type-checked
// with `tsc --strict` against the generated types: a token, organisations and their clients, a
// learning environment, a recognition, the public catalogue, a certificate drafted, issued, read
// as a signed credential and verified, a programme participation and the programme's statistics.
//
// Needs CONTRACT_BASE_URL, CONTRACT_CLIENT_ID and CONTRACT_CLIENT_SECRET (an administrator), and
// generated/registry.d.ts made by openapi-typescript (scripts/contract-test makes it).

import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./generated/registry.js";

// The one thing of Node.js the scenario reads, declared rather than pulling in all of @types/node.
declare const process: { env: Record<string, string | undefined> };

type Schemas = components["schemas"];
type Api = Client<paths>;

const baseUrl = required("CONTRACT_BASE_URL");

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(`scenario failed: ${what}`);
}

/** The body of a successful answer, or the scenario stops with the problem the service gave. */
function ok<T>(answer: { data?: T; error?: unknown; response: Response }, status: number): T {
  if (answer.response.status !== status || answer.data === undefined) {
    throw new Error(
      `${answer.response.url}: expected ${status}, got ${answer.response.status}: ${JSON.stringify(answer.error)}`,
    );
  }
  return answer.data;
}

async function token(clientId: string, clientSecret: string): Promise<Api> {
  const anonymous = createClient<paths>({ baseUrl });
  const answer = await anonymous.POST("/oauth/token", {
    body: { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret },
    bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  const granted: Schemas["TokenResponse"] = ok(answer, 200);
  return createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${granted.access_token}` } });
}

async function clientFor(admin: Api, organisationId: string, scopes: Schemas["Scope"][]): Promise<Api> {
  const created = ok(
    await admin.POST("/v1/admin/clients", {
      body: { name: "TypeScript scenario", organisation_id: organisationId, scopes },
    }),
    201,
  );
  check(created.client_secret, "a new client's secret is shown once");
  return token(created.client_id, created.client_secret);
}

async function organisations(admin: Api) {
  const workshop = ok(
    await admin.POST("/v1/organisations", {
      body: { kind: "workshop", name: { fi: "Porin nuorten työpaja" }, municipality: "609" },
    }),
    201,
  );
  const provider = ok(
    await admin.POST("/v1/organisations", {
      body: { kind: "education_provider", name: { fi: "Porin ammattiopisto" }, municipality: "609" },
    }),
    201,
  );
  return { workshop, provider };
}

async function environmentRecognised(workshop: Api, provider: Api, publicApi: Api) {
  const environment = ok(
    await workshop.POST("/v1/learning-environments", {
      body: {
        name: { fi: "Työpajan puusepänverstas" },
        sector: "woodwork",
        work_tasks: ["huonekalujen kunnostus"],
        address: { street_address: "Itsenäisyydenkatu 33", postal_code: "28100", municipality: "609" },
        capacity: 3,
        languages: ["fi"],
      },
    }),
    201,
  );
  const batch = ok(
    await provider.POST("/v1/learning-environments/{id}/recognitions", {
      params: { path: { id: environment.id } },
      body: { units: [{ qualification: "381141", unit: "SAMPLE-104" }], valid_from: "2026-01-01" },
    }),
    201,
  );
  const recognition = batch.items[0];
  check(recognition, "the batch holds the recognition");
  const accepted = ok(
    await workshop.POST("/v1/learning-environments/{id}/recognitions/{recognition_id}/accept", {
      params: { path: { id: environment.id, recognition_id: recognition.id } },
    }),
    200,
  );
  check(accepted.owner_consent === "accepted", "the owner's consent is recorded");
  const found = ok(
    await publicApi.GET("/v1/catalogue/learning-environments", {
      params: { query: { unit: ["SAMPLE-104"], municipality: ["609"] } },
    }),
    200,
  );
  check(
    found.items.map((item) => item.id).join() === environment.id,
    "the catalogue finds the environment",
  );
  return environment;
}

async function certificateIssuedAndVerified(workshop: Api, publicApi: Api, environmentId: string) {
  const draft = ok(
    await workshop.POST("/v1/certificates", {
      body: {
        holder: { given_names: "Eero", family_name: "Laine", date_of_birth: "2003-05-20" },
        learning_environment_ids: [environmentId],
        start_date: "2026-03-01",
        end_date: "2026-09-30",
        hours: 400,
        coach: { name: "Pekka Puuseppä", title: "työvalmentaja" },
        language: "fi",
        units: [
          {
            qualification: "381141",
            unit: "SAMPLE-104",
            description: "Huonekalujen kunnostus ja pintakäsittely.",
            skills: [{ text: "Valitsee pintakäsittelyaineen puulajin mukaan" }],
            hours: 300,
          },
        ],
      },
    }),
    201,
  );
  const path = { path: { id: draft.id } };
  const issued = ok(await workshop.POST("/v1/certificates/{id}/issue", { params: path }), 200);
  check(issued.status === "issued" && issued.verification_code, "the certificate is issued with a code");
  const credential = await workshop.GET("/v1/certificates/{id}/credential", { params: path, parseAs: "text" });
  const jwt = ok(credential, 200);
  check(jwt.split(".").length === 3, "the credential is a compact JWS");
  const byCode = ok(
    await publicApi.GET("/v1/verify/{code}", { params: { path: { code: issued.verification_code } } }),
    200,
  );
  check(byCode.genuine && byCode.status === "issued", "the printed code verifies");
  const byCredential = ok(await publicApi.POST("/v1/verify", { body: { credential: jwt } }), 200);
  check(byCredential.genuine, "the signed credential verifies");
  return issued;
}

async function participationAndStatistics(admin: Api, workshopId: string, environmentId: string, certificateId: string) {
  const runner = await clientFor(admin, workshopId, ["programmes:read", "programmes:write", "certificates:read"]);
  const programme = ok(
    await runner.POST("/v1/programmes", {
      body: {
        name: { fi: "Taidot näkyviksi Porissa" },
        starts_on: "2026-01-01",
        ends_on: "2027-12-31",
        funders: [{ name: "Euroopan sosiaalirahasto", instrument: "esf" }],
        municipalities: ["609"],
        status: "running",
      },
    }),
    201,
  );
  const participation: Schemas["ParticipationInput"] = {
    starts_on: "2026-03-01",
    ends_on: "2026-09-30",
    municipality: "609",
    coach_organisation_id: workshopId,
    gender: "male",
    age_band: "from_25_to_29",
    unemployment_duration: "under_12_months",
    education_level: "upper_secondary",
    immigrant_background: "yes",
    next_step: "employment",
    learning_environment_ids: [environmentId],
    certificate_ids: [certificateId],
  };
  const recorded = ok(
    await runner.POST("/v1/programmes/{id}/participations", {
      params: { path: { id: programme.id } },
      body: participation,
    }),
    201,
  );
  const read = ok(
    await runner.GET("/v1/programmes/{id}/participations/{participation_id}", {
      params: { path: { id: programme.id, participation_id: recorded.id } },
    }),
    200,
  );
  check(read.age_band === "from_25_to_29" && read.next_step === "employment", "the categories read back");
  const statistics = ok(
    await runner.GET("/v1/programmes/{id}/statistics", {
      params: { path: { id: programme.id } },
      headers: { Accept: "application/json" },
    }),
    200,
  );
  // The operation also answers CSV and HTML: the type says so, and JSON is what was asked for.
  check(typeof statistics !== "string", "the statistics come as JSON");
  const participants = statistics.tables.find((table) => table.name === "participants");
  check(statistics.exact && participants?.total?.count === 1, "the administrator counts one participant");
}

async function main() {
  const admin = await token(required("CONTRACT_CLIENT_ID"), required("CONTRACT_CLIENT_SECRET"));
  const publicApi = createClient<paths>({ baseUrl });
  const { workshop, provider } = await organisations(admin);
  const workshopApi = await clientFor(admin, workshop.id, ["environments:write", "certificates:read", "certificates:write"]);
  const providerApi = await clientFor(admin, provider.id, ["environments:write"]);
  const environment = await environmentRecognised(workshopApi, providerApi, publicApi);
  const certificate = await certificateIssuedAndVerified(workshopApi, publicApi, environment.id);
  await participationAndStatistics(admin, workshop.id, environment.id, certificate.id);
  console.log(
    "TypeScript scenario passed: token, organisations, clients, environment, recognition, catalogue, " +
      "certificate issued, credential, verified, participation, statistics",
  );
}

await main();
