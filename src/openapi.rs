//! The OpenAPI document: generated from the handlers' annotations, then completed with what every
//! operation shares (problem responses, `Idempotency-Key`, `If-Match`) so that no operation can
//! forget them.

mod links;

use actix_web::App;
use utoipa::{
    openapi::{
        header::HeaderBuilder,
        path::{Operation, Parameter, ParameterBuilder, ParameterIn},
        schema::{ArrayItems, Schema},
        security::{
            ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityRequirement,
            SecurityScheme,
        },
        ContentBuilder, OpenApi as OpenApiDocument, Ref, RefOr, Required, ResponseBuilder, Server,
    },
    OpenApi,
};
use utoipa_actix_web::AppExt;

use crate::{
    auth::Scope,
    error::{ApiError, FieldError, Problem, PROBLEM_CONTENT_TYPE},
    problems::ProblemKind,
    statistics::{programme::ProgrammeTable, regional::RegionTable},
};

const DESCRIPTION: &str = "\
The registry of work-based learning (*opinnollistaminen*) in Finland: regional guidelines and \
their signatories, cooperation agreements, recognised learning environments and competence \
certificates.

Conventions:
- JSON with `snake_case` fields, RFC 3339 timestamps in UTC, ISO dates.
- Collections take `limit` (1–200, default 50) and an opaque `cursor`, and answer \
`{\"items\": [...], \"next_cursor\": ...}`; pass `next_cursor` back as `cursor` until it is `null`.
- Every mutable resource has a `version` and an `ETag`; changes require `If-Match` with that ETag \
(428 without it, 412 when it is stale).
- A POST with an `Idempotency-Key` header is performed once: a retry with the same key and body \
within 24 hours gets the first response again (with `Idempotent-Replayed: true`).
- Errors are RFC 9457 problem details (`application/problem+json`) with a stable `type`; \
validation errors list the fields at fault in `errors`.
- Every response carries `X-Request-Id` (yours, when you send one).
- Codes of regions, municipalities, qualifications and units are taken as ours (`100754`) or as \
their koodisto URI (`tutkinnonosat_100754`), and in bodies also in KOSKI's shape \
(`{\"koodiarvo\": \"100754\", \"koodistoUri\": \"tutkinnonosat\", \"koodistoVersio\": 1}`); \
answers name them by our code, with the KOSKI reference beside it.

Authentication: get an access token from `POST /oauth/token` with the OAuth 2.0 client credentials \
grant and send it as `Authorization: Bearer <token>`. Tokens are EdDSA-signed JWTs verifiable with \
the keys at `/.well-known/jwks.json`; each names the client's organisation (`org`) and scopes \
(`scope`). Reads of reference data and organisations are public.";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Opinto registry API",
        description = DESCRIPTION,
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    tags(
        (name = "authentication", description = "OAuth 2.0 client credentials: access tokens and the keys that verify them"),
        (name = "reference-data", description = "Official regions, municipalities, qualifications and their units"),
        (name = "organisations", description = "Workshops, education providers and the other organisations of the registry"),
        (name = "guidelines", description = "Regional guidelines, their signatures and the public list of signatories"),
        (name = "agreements", description = "Cooperation agreements between work organisations and education providers"),
        (name = "learning-environments", description = "Learning environments and the qualification units education providers recognise them for"),
        (name = "catalogue", description = "The public catalogue: where a qualification unit can be learned, near a place"),
        (name = "certificates", description = "Competence certificates: drafted and issued by workshops, shared with education providers with the holder's consent, pulled through a change feed"),
        (name = "verification", description = "Public verification of issued certificates by their printed code or their signed credential (an Open Badges 3.0 VC-JWT), and what an outside verifier dereferences: issuer profiles, credential keys and status lists"),
        (name = "programmes", description = "Programmes that fund coaching, their participants' coaching periods kept as statistical categories, and the qualification units participants completed"),
        (name = "statistics", description = "Outcome statistics from the registry's own records: a programme's funder report and public regional figures, as JSON, CSV or a printable report"),
        (name = "wallets", description = "Certificates in the holder's digital wallet: offers made by issuers, and the OpenID for Verifiable Credential Issuance 1.0 endpoints and metadata wallets use (pre-authorized code flow; Open Badges 3.0 as jwt_vc_json, SD-JWT VC as dc+sd-jwt)"),
        (name = "holders", description = "The holder's own view through the access link made when a certificate is issued, without an account: their certificates from one issuer, who read each and for what, with whom each is shared, and the withdrawal of consent"),
        (name = "webhooks", description = "Signed events pushed to a subscriber's URL by the Standard Webhooks scheme, in feed order and at least once, with a delivery log per subscription"),
        (name = "audit", description = "The append-only log of writes and reads of personal data"),
        (name = "administration", description = "API clients, for platform administrators"),
        (name = "operations", description = "Health checks"),
        (name = "problems", description = "What each problem `type` means and what to do about it"),
    ),
    // Enumerations that only query parameters name: utoipa collects body schemas by itself.
    components(schemas(Problem, FieldError, ProblemKind, ProgrammeTable, RegionTable))
)]
struct ApiDoc;

/// The complete document, as served at `/openapi.json` and committed under `openapi/`.
pub fn document() -> OpenApiDocument {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::routes)
        .split_for_parts();
    api.info.version = env!("CARGO_PKG_VERSION").to_owned();
    // Relative to where the document is read from: the service serves its own document.
    let mut server = Server::new("/");
    server.description = Some("This service (the document is served at /openapi.json)".to_owned());
    api.servers = Some(vec![server]);
    add_shared_parts(&mut api);
    unique_operation_ids(&mut api);
    name_page_items(&mut api);
    links::add_links(&mut api);
    api
}

/// utoipa writes `Page<T>`'s items inline; a `$ref` to `T` lets a client generator make one class
/// per resource rather than one per page.
fn name_page_items(api: &mut OpenApiDocument) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let pages: Vec<String> = components
        .schemas
        .keys()
        .filter(|name| name.starts_with("Page_"))
        .cloned()
        .collect();
    for page in pages {
        let item_name = page.trim_start_matches("Page_").to_owned();
        let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&page) else {
            continue;
        };
        let Some(RefOr::T(Schema::Array(array))) = object.properties.get_mut("items") else {
            continue;
        };
        let ArrayItems::RefOrSchema(items) = &mut array.items else {
            continue;
        };
        let inline = std::mem::replace(items.as_mut(), Ref::from_schema_name(&item_name).into());
        components.schemas.entry(item_name).or_insert(inline);
    }
}

/// Handler names repeat across resources (`list`, `get`, …); client generators need every
/// `operationId` unique, so a repeated one is prefixed with its resource, the last path segment
/// that is neither a parameter nor the name itself: `programmes_list`, `certificates_revoke`.
fn unique_operation_ids(api: &mut OpenApiDocument) {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for item in api.paths.paths.values_mut() {
        for operation in operations(item) {
            if let Some(id) = &operation.operation_id {
                *seen.entry(id.clone()).or_default() += 1;
            }
        }
    }
    for (path, item) in api.paths.paths.iter_mut() {
        for operation in operations(item) {
            let Some(id) = operation
                .operation_id
                .clone()
                .filter(|id| seen.get(id).is_some_and(|&n| n > 1))
            else {
                continue;
            };
            let resource = path
                .split('/')
                .rfind(|segment| !segment.is_empty() && !segment.starts_with('{') && *segment != id)
                .unwrap_or_default()
                .replace('-', "_");
            operation.operation_id = Some(format!("{resource}_{id}"));
        }
    }
}

fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// The document as pretty JSON with a trailing newline.
pub fn document_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
    json.push('\n');
    json
}

const PROBLEMS: [(&str, &str); 14] = [
    ("400", "The request is malformed: bad JSON, query or header"),
    ("401", "No valid access token; see WWW-Authenticate"),
    (
        "403",
        "The token lacks the scope, or the caller may not act on this record",
    ),
    ("404", "The resource does not exist"),
    (
        "406",
        "`Accept` allows none of the media types this operation answers in (listed in `detail`)",
    ),
    (
        "409",
        "The request conflicts with the current state, or an Idempotency-Key is in use",
    ),
    ("412", "If-Match names a version that is no longer current"),
    ("413", "The body is over the size limit"),
    ("415", "The body is not JSON"),
    (
        "422",
        "Fields are invalid (listed in `errors`), or an Idempotency-Key was reused for another request",
    ),
    ("428", "If-Match is required"),
    ("429", "Too many requests"),
    ("500", "A bug: quote the request_id when reporting it"),
    (
        "503",
        "The database is unavailable; retry after Retry-After seconds",
    ),
];

fn problem_response_name(status: &str) -> String {
    format!("Problem{status}")
}

/// The request id the problem examples show.
const EXAMPLE_REQUEST_ID: &str = "0193a2b4-8d2f-7e4b-a011-6c2d3e4f5061";

/// A shared problem response: its own example, and the headers that come with the status.
fn problem_response(status: &str, description: &str) -> utoipa::openapi::Response {
    let example = serde_json::to_value(example_error(status).to_problem(
        Some("/v1/certificates/0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50"),
        Some(EXAMPLE_REQUEST_ID),
    ))
    .ok();
    let mut response = ResponseBuilder::new().description(description).content(
        PROBLEM_CONTENT_TYPE,
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .example(example)
            .build(),
    );
    use utoipa::openapi::schema::Type;
    let header = match status {
        "401" => Some((
            "WWW-Authenticate",
            "The Bearer challenge; `error` says why the token was refused (RFC 6750)",
            Type::String,
        )),
        "429" => Some((
            "Retry-After",
            "Seconds to wait before trying again",
            Type::Integer,
        )),
        _ => None,
    };
    if let Some((name, description, schema)) = header {
        let header = HeaderBuilder::new()
            .schema(utoipa::openapi::ObjectBuilder::new().schema_type(schema))
            .description(Some(description))
            .build();
        response = response.header(name, header);
    }
    response.build()
}

/// A typical problem of each shared status, shown as its example.
fn example_error(status: &str) -> ApiError {
    match status {
        "400" => ApiError::bad_field("limit", "must be between 1 and 200"),
        "401" => ApiError::Unauthorized {
            error: Some("invalid_token"),
            description: "The access token has expired.".into(),
        },
        "403" => ApiError::InsufficientScope(Scope::CertificatesWrite.as_str()),
        "404" => ApiError::NotFound {
            resource: "certificate",
        },
        "406" => ApiError::NotAcceptable {
            available: "application/json".into(),
        },
        "409" => ApiError::IdempotencyKeyInProgress,
        "412" => ApiError::PreconditionFailed,
        "413" => ApiError::PayloadTooLarge { limit: 262_144 },
        "415" => ApiError::UnsupportedMediaType {
            expected: "application/json",
        },
        "422" => ApiError::Validation(vec![
            FieldError::new("business_id", "business_id", "the check digit does not match"),
            FieldError::new("name.fi", "length", "must be 1 to 200 characters long"),
        ]),
        "428" => ApiError::PreconditionRequired,
        "429" => ApiError::TooManyRequests { retry_after_secs: 30 },
        "500" => ApiError::internal("an example"),
        _ => ApiError::database_unavailable("an example"),
    }
}

fn add_shared_parts(api: &mut OpenApiDocument) {
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "oauth2",
        SecurityScheme::OAuth2(OAuth2::with_description(
            [Flow::ClientCredentials(ClientCredentials::new(
                "/oauth/token",
                Scopes::from_iter(Scope::ALL.map(|scope| (scope.as_str(), scope.description()))),
            ))],
            "OAuth 2.0 client credentials; the token goes in `Authorization: Bearer`.",
        )),
    );
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "An access token from `/oauth/token`, pasted as it is: the same token as the \
                     oauth2 flow gets, for tools that cannot run the flow themselves.",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        "wallet_access_token",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "A wallet's access token: what `/oauth/token` answers for a credential offer's \
                     pre-authorized code and PIN (grant type \
                     `urn:ietf:params:oauth:grant-type:pre-authorized_code`).",
                ))
                .build(),
        ),
    );
    for (status, description) in PROBLEMS {
        components.responses.insert(
            problem_response_name(status),
            RefOr::T(problem_response(status, description)),
        );
    }
    for path_item in api.paths.paths.values_mut() {
        let operations = [
            (&mut path_item.get, "GET"),
            (&mut path_item.post, "POST"),
            (&mut path_item.put, "PUT"),
            (&mut path_item.patch, "PATCH"),
            (&mut path_item.delete, "DELETE"),
        ];
        for (operation, method) in operations {
            if let Some(operation) = operation {
                complete_operation(operation, method);
            }
        }
    }
}

/// What an operation is, as far as the shared parts it needs are concerned.
struct Traits {
    has_json_body: bool,
    has_body: bool,
    has_path_params: bool,
    has_params: bool,
    changes: bool,
    /// A token is read when sent: required, or optional (`security: [{}, …]`).
    secured: bool,
    /// The token is an API client's (`oauth2`), not a wallet's.
    oauth: bool,
    /// Anyone may call it, a token showing more: the handler takes an optional caller.
    anonymous_too: bool,
    /// The scopes a token needs, per alternative.
    scopes: Vec<Vec<String>>,
    idempotent: bool,
}

impl Traits {
    fn of(operation: &Operation, method: &str) -> Self {
        let requirements: Vec<serde_json::Map<String, serde_json::Value>> = operation
            .security
            .iter()
            .flatten()
            .filter_map(|requirement| match serde_json::to_value(requirement) {
                Ok(serde_json::Value::Object(schemes)) => Some(schemes),
                _ => None,
            })
            .collect();
        let anonymous_too = requirements.iter().any(serde_json::Map::is_empty);
        let scopes = requirements
            .iter()
            .filter(|schemes| !schemes.is_empty())
            .map(|schemes| {
                schemes
                    .values()
                    .flat_map(|scopes| scopes.as_array().into_iter().flatten())
                    .filter_map(|scope| scope.as_str().map(str::to_owned))
                    .collect()
            })
            .collect::<Vec<Vec<String>>>();
        let secured = !scopes.is_empty();
        let oauth = requirements.iter().any(|schemes| schemes.contains_key("oauth2"));
        Self {
            // Form bodies (the OAuth token endpoint) answer in their own protocol's errors.
            has_json_body: operation
                .request_body
                .as_ref()
                .is_some_and(|body| body.content.keys().any(|media_type| media_type.contains("json"))),
            has_body: operation.request_body.is_some(),
            has_path_params: operation
                .parameters
                .iter()
                .flatten()
                .any(|parameter| parameter.parameter_in == ParameterIn::Path),
            has_params: operation.parameters.as_ref().is_some_and(|p| !p.is_empty()),
            changes: matches!(method, "PUT" | "PATCH" | "DELETE"),
            secured,
            oauth,
            anonymous_too,
            scopes,
            // Idempotency keys belong to authenticated clients.
            idempotent: method == "POST" && oauth && !anonymous_too,
        }
    }

    /// Who may call the operation and how to change safely, as a paragraph of its description.
    fn access(&self) -> String {
        let scopes = self
            .scopes
            .iter()
            .flatten()
            .map(|scope| format!("`{scope}`"))
            .collect::<Vec<_>>();
        let mut access = match (self.secured, self.anonymous_too, scopes.as_slice()) {
            (false, _, _) => "**Access:** public; no token is needed.".to_owned(),
            (true, true, []) => {
                "**Access:** public; with a token, the answer may show more, as described above.".to_owned()
            }
            (true, true, scopes) => format!(
                "**Access:** public; with a token (scope {}), the answer may show more, as described above.",
                scopes.join(" or ")
            ),
            (true, false, _) if !self.oauth => {
                "**Access:** a wallet's access token, from the pre-authorized \
                                                 code grant at `/oauth/token`."
                    .to_owned()
            }
            (true, false, []) => "**Access:** a token.".to_owned(),
            (true, false, [scope]) if scope == "`admin`" => {
                "**Access:** a platform administrator's token.".to_owned()
            }
            (true, false, scopes) => format!("**Access:** a token with the scope {}.", scopes.join(" or ")),
        };
        if self.changes {
            access.push_str(
                " **Concurrency:** send the `ETag` you read as `If-Match`: 412 when the record changed \
                 since, 428 without it.",
            );
        }
        if self.idempotent {
            access.push_str(" **Retries:** safe with an `Idempotency-Key`.");
        }
        access
    }
}

fn complete_operation(operation: &mut Operation, method: &str) {
    let traits = Traits::of(operation, method);
    // A token obtained elsewhere serves as well as the flow: every secured operation takes either.
    // A public one says so (`security: []`) rather than leaving a reader to guess.
    match operation.security.as_mut() {
        Some(security) if traits.secured => {
            if traits.oauth {
                security.push(SecurityRequirement::new("bearer", Vec::<String>::new()));
            }
        }
        _ => operation.security = Some(Vec::new()),
    }
    split_summary(operation);
    // Swagger UI and client generators show a summary as plain text: Markdown stays in the
    // description, where it is rendered.
    if let Some(summary) = operation.summary.as_mut() {
        summary.retain(|character| character != '`' && character != '*');
    }
    exemplify_own_problems(operation);
    let access = traits.access();
    operation.description = Some(match operation.description.take() {
        Some(description) if !description.is_empty() => format!("{description}\n\n{access}"),
        _ => access,
    });
    if traits.idempotent {
        add_header(
            operation,
            "Idempotency-Key",
            "Makes a retry safe: the same key and body within 24 hours returns the first response. \
             1 to 255 visible ASCII characters; a new UUID for each new request is a good choice.",
            Required::False,
        );
    }
    for parameter in operation.parameters.iter_mut().flatten() {
        tighten(parameter);
    }
    if traits.changes {
        add_header(
            operation,
            "If-Match",
            "The ETag of the version being changed, e.g. `\"3\"`.",
            Required::True,
        );
    }
    for status in problem_statuses(operation, &traits) {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| {
                RefOr::Ref(Ref::new(format!(
                    "#/components/responses/{}",
                    problem_response_name(status)
                )))
            });
    }
}

/// An operation's own problem responses (a 409 saying what conflicts) show an example of their
/// own status and meaning, not the Problem schema's generic one.
fn exemplify_own_problems(operation: &mut Operation) {
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        let Some(content) = response.content.get_mut(PROBLEM_CONTENT_TYPE) else {
            continue;
        };
        if content.example.is_some() || !content.examples.is_empty() {
            continue;
        }
        let error = match status.as_str() {
            "409" => ApiError::Conflict(response.description.clone()),
            "422" => ApiError::Validation(Vec::new()),
            status => example_error(status),
        };
        let mut problem = error.to_problem(None, Some(EXAMPLE_REQUEST_ID));
        if problem.status.to_string() != *status {
            continue;
        }
        problem.detail = Some(response.description.clone());
        content.example = serde_json::to_value(problem).ok();
    }
}

/// A doc comment's first paragraph becomes the summary: where it runs over several lines, its first
/// sentence stays the summary (one line in Swagger UI and in generated clients) and the rest opens
/// the description.
fn split_summary(operation: &mut Operation) {
    let Some(summary) = operation
        .summary
        .as_deref()
        .filter(|summary| summary.contains('\n'))
    else {
        return;
    };
    let summary = summary.split_whitespace().collect::<Vec<_>>().join(" ");
    // The first full stop outside parentheses: "(… e.g. …)" does not end a sentence.
    let mut depth = 0_i32;
    let end = summary.char_indices().find(|&(at, character)| {
        match character {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        character == '.' && depth == 0 && summary[at..].starts_with(". ")
    });
    let Some((first, rest)) = end.map(|(at, _)| (&summary[..at], &summary[at + 2..])) else {
        operation.summary = Some(summary);
        return;
    };
    let rest = match operation.description.take() {
        Some(description) if !description.is_empty() => format!("{rest}\n\n{description}"),
        _ => rest.to_owned(),
    };
    operation.summary = Some(format!("{first}."));
    operation.description = Some(rest);
}

/// Gives a parameter the rules the service applies to it.
fn tighten(parameter: &mut Parameter) {
    // Headers a handler declares itself get the same rules as the shared ones.
    if parameter.parameter_in == ParameterIn::Header && parameter.name == "If-Match" {
        parameter.schema = Some(RefOr::T(header_schema("If-Match").into()));
    }
    // A query parameter sent empty is refused (400): every string one has at least one character.
    if parameter.parameter_in == ParameterIn::Query {
        if let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut() {
            let is_string = matches!(
                &object.schema_type,
                utoipa::openapi::schema::SchemaType::Type(utoipa::openapi::schema::Type::String)
            );
            if is_string && object.enum_values.is_none() && object.min_length.is_none() {
                object.min_length = Some(1);
            }
        }
    }
    // A repeated query parameter (`unit=A&unit=B`) names codes: an empty one names nothing.
    if let Some(RefOr::T(Schema::Array(array))) = parameter.schema.as_mut() {
        if let ArrayItems::RefOrSchema(items) = &mut array.items {
            if let RefOr::T(Schema::Object(item)) = items.as_mut() {
                item.min_length = Some(1);
            }
        }
    }
}

/// The problem statuses an operation can answer besides its own.
fn problem_statuses(operation: &Operation, traits: &Traits) -> Vec<&'static str> {
    let mut statuses = vec!["500", "503"];
    if traits.has_params || traits.has_body {
        statuses.push("400");
    }
    if traits.secured {
        // 429: more requests of one client from one address in flight at once than it may have.
        statuses.extend(["401", "403", "429"]);
    }
    if traits.has_path_params {
        statuses.push("404");
    }
    if answers_a_body(operation) {
        statuses.push("406");
    }
    if traits.has_json_body {
        statuses.extend(["413", "415", "422"]);
    }
    if traits.idempotent {
        statuses.extend(["409", "422"]);
    }
    if traits.changes {
        statuses.extend(["412", "428"]);
    }
    let if_match = operation
        .parameters
        .iter()
        .flatten()
        .find(|parameter| parameter.parameter_in == ParameterIn::Header && parameter.name == "If-Match");
    if let Some(if_match) = if_match {
        statuses.push("412");
        if if_match.required == Required::True {
            statuses.push("428");
        }
    }
    statuses
}

/// Whether a successful answer has a body, whose media type `Accept` may then refuse.
fn answers_a_body(operation: &Operation) -> bool {
    operation.responses.responses.iter().any(|(status, response)| {
        status.starts_with('2') && matches!(response, RefOr::T(response) if !response.content.is_empty())
    })
}

/// The rules of a header value, as the service checks them.
fn header_schema(name: &str) -> utoipa::openapi::Object {
    let schema = utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .min_length(Some(1));
    match name {
        // `*` or entity tags in double quotes, weak or strong, separated by commas: a tag list
        // either names the current version or answers 412; anything else is malformed (400).
        "If-Match" => schema.pattern(Some(r#"^(\*|(W/)?"[!#-~]*"([ \t]*,[ \t]*(W/)?"[!#-~]*")*)$"#)),
        _ => schema.max_length(Some(255)).pattern(Some("^[!-~]+$")),
    }
    .build()
}

fn add_header(operation: &mut Operation, name: &str, description: &str, required: Required) {
    let parameter: Parameter = ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(required)
        .description(Some(description))
        .schema(Some(header_schema(name)))
        .build();
    operation.parameters.get_or_insert_with(Vec::new).push(parameter);
}
