//! The problem types a `type` URI names (`/problems/{slug}`): each resolves to a short page saying
//! what the problem means and what to do, as HTML for a browser and as JSON for a program.

use actix_web::{
    get,
    http::header::{self, Accept, Header},
    web, HttpRequest, HttpResponse,
};
use maud::html;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

/// The kinds of problem this API answers with, by the slug of their `type` URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    BadRequest,
    ValidationError,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PreconditionFailed,
    PreconditionRequired,
    PayloadTooLarge,
    UnsupportedMediaType,
    NotAcceptable,
    IdempotencyKeyReused,
    IdempotencyKeyInProgress,
    Unauthorized,
    Forbidden,
    TooManyRequests,
    ServiceUnavailable,
    InternalError,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 17] = [
        Self::BadRequest,
        Self::ValidationError,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::PreconditionFailed,
        Self::PreconditionRequired,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::NotAcceptable,
        Self::IdempotencyKeyReused,
        Self::IdempotencyKeyInProgress,
        Self::Unauthorized,
        Self::Forbidden,
        Self::TooManyRequests,
        Self::ServiceUnavailable,
        Self::InternalError,
    ];

    pub fn slug(self) -> &'static str {
        crate::text_enum::name(&self)
    }

    /// The status, a title, what the problem means and what to do about it.
    fn explanation(self) -> (u16, &'static str, &'static str, &'static str) {
        match self {
            Self::BadRequest => (400, "The request is malformed",
                "The JSON, a query parameter or a header could not be read as the operation takes it: a parameter of the wrong type or out of range, an unknown value of an enumeration, a cursor the service did not give, a NUL character.",
                "Read `detail` and `errors`, which name each parameter at fault, and correct the request. Sending it again unchanged gives the same answer."),
            Self::ValidationError => (422, "The request has invalid fields",
                "The body was read, but fields break the rules the document states (lengths, formats, codes, dates in order) or refer to records that do not exist.",
                "Each entry of `errors` names a field (`holder.date_of_birth`, `units[0].code`), a stable `code` and a message; correct every field listed. Dates are written YYYY-MM-DD."),
            Self::NotFound => (404, "The resource does not exist",
                "No record has this identifier, or the caller may not know that one exists (records are not revealed to those who may not read them).",
                "Check the identifier, and that the token is the organisation's that may read the record."),
            Self::MethodNotAllowed => (405, "The method is not allowed on this endpoint",
                "The path exists but does not answer this HTTP method.",
                "Use one of the methods the `Allow` header lists."),
            Self::Conflict => (409, "The request conflicts with the current state",
                "The change cannot be made to the record as it is now: a number already taken, a status that does not allow the action, an overlapping period.",
                "Read `detail`, read the record again, and decide whether the change still makes sense."),
            Self::PreconditionFailed => (412, "The resource has changed",
                "`If-Match` names a version that is no longer current: someone changed the record after you read it.",
                "Read the record again, apply your change to what it is now, and send the new `ETag` as `If-Match`."),
            Self::PreconditionRequired => (428, "The request must be conditional",
                "Changes need `If-Match`, so that no one overwrites a change they have not seen.",
                "Send the `ETag` of the version you read, quotes included: `If-Match: \"3\"`."),
            Self::PayloadTooLarge => (413, "The request body is too large",
                "The body is over the size limit the service takes.",
                "Send less at once; `detail` says the limit."),
            Self::UnsupportedMediaType => (415, "The request body has an unsupported media type",
                "The body is not in the media type the operation takes.",
                "Send `Content-Type: application/json` (or `application/merge-patch+json` for a PATCH)."),
            Self::NotAcceptable => (406, "No acceptable representation",
                "The operation cannot answer in any media type `Accept` allows.",
                "Accept one of the types `detail` lists, or leave `Accept` out."),
            Self::IdempotencyKeyReused => (422, "The Idempotency-Key was used for a different request",
                "A key names one request: the same key came with another method, path or body.",
                "Use a new key for each new request; reuse a key only to retry the very same request."),
            Self::IdempotencyKeyInProgress => (409, "A request with this Idempotency-Key is in progress",
                "The first request with this key has not finished yet.",
                "Retry after the time `Retry-After` gives; the retry gets the first request's answer."),
            Self::Unauthorized => (401, "Authentication is required",
                "The operation needs an access token, and none was sent or the one sent is not valid: expired, not signed by this service, or its client was revoked.",
                "Get a token from `POST /oauth/token` (client credentials) and send it as `Authorization: Bearer <token>`; `WWW-Authenticate` says why one was refused. Tokens last 15 minutes by default."),
            Self::Forbidden => (403, "The caller may not do this",
                "The token is valid but lacks the scope the operation needs, or the caller's organisation may not act on this record or change these fields.",
                "Read `detail` (and `errors` for fields only administrators change); ask the platform administrator for a client with the scope if your organisation should have it."),
            Self::TooManyRequests => (429, "Too many requests",
                "A limit that protects people's data or the service was reached: failed secrets, searches by identity code, tokens per client, or requests of one client in flight at once.",
                "Wait the seconds `Retry-After` gives before trying again."),
            Self::ServiceUnavailable => (503, "The service is temporarily unavailable",
                "The database cannot be reached, or more work of one kind is waiting than the service takes on at once.",
                "Retry after the seconds `Retry-After` gives; a change was not made."),
            Self::InternalError => (500, "Internal error",
                "A fault in the service: this is a bug.",
                "Report it with the `request_id` of the answer; the service's log holds the cause under that id."),
        }
    }
}

/// What a problem type means, for programs.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"type": "/problems/precondition-failed", "status": 412, "title": "The resource has changed",
    "meaning": "`If-Match` names a version that is no longer current: someone changed the record after you read it.",
    "what_to_do": "Read the record again, apply your change to what it is now, and send the new `ETag` as `If-Match`."}))]
pub struct ProblemTypeDescription {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub status: u16,
    pub title: &'static str,
    pub meaning: &'static str,
    pub what_to_do: &'static str,
}

impl From<ProblemKind> for ProblemTypeDescription {
    fn from(kind: ProblemKind) -> Self {
        let (status, title, meaning, what_to_do) = kind.explanation();
        Self {
            problem_type: format!("/problems/{}", kind.slug()),
            status,
            title,
            meaning,
            what_to_do,
        }
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;\
line-height:1.5;color:#1a1a1a}code{background:#f2f2f2;padding:0 .2em}h1{font-size:1.4rem}";

/// What a problem `type` means and what to do about it: a page for a browser, JSON otherwise.
#[utoipa::path(
    tag = "problems",
    params(("slug" = ProblemKind, Path, description = "The last segment of a problem's `type`")),
    responses(
        (status = 200, description = "What the problem means and what to do",
            content((ProblemTypeDescription = "application/json"), (String = "text/html"))),
    )
)]
#[get("/problems/{slug}")]
pub async fn problem_type(request: HttpRequest, slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let kind =
        crate::text_enum::parse::<ProblemKind>("problem type", &slug).map_err(|_| ApiError::NotFound {
            resource: "problem type",
        })?;
    let description = ProblemTypeDescription::from(kind);
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "public, max-age=86400"));
    if !prefers_html(&request) {
        return Ok(response.json(description));
    }
    let body = html! {
        main {
            p { code { (description.problem_type) } " · HTTP " (description.status) }
            h1 { (description.title) }
            h2 { "What it means" }
            p { (description.meaning) }
            h2 { "What to do" }
            p { (description.what_to_do) }
        }
    };
    Ok(response
        .content_type("text/html; charset=utf-8")
        .body(crate::html::page("en", description.title, STYLE, body)))
}

/// A browser asks for HTML before JSON; a program asks for JSON or for anything.
fn prefers_html(request: &HttpRequest) -> bool {
    let Ok(accept) = Accept::parse(request) else {
        return false;
    };
    accept
        .ranked()
        .into_iter()
        .find(|media| {
            let essence = media.essence_str();
            essence == "text/html" || essence.ends_with("json") || essence == "*/*"
        })
        .is_some_and(|media| media.essence_str() == "text/html")
}

#[cfg(test)]
mod tests {
    use super::ProblemKind;
    use crate::error::ApiError;

    /// Every problem the service answers with names a type that has its page.
    #[test]
    fn every_error_names_a_described_problem_type() {
        let errors = [
            ApiError::bad_request("x"),
            ApiError::validation("f", "c", "m"),
            ApiError::NotFound { resource: "x" },
            ApiError::RouteNotFound,
            ApiError::MethodNotAllowed { allow: String::new() },
            ApiError::Conflict("x".into()),
            ApiError::PreconditionFailed,
            ApiError::PreconditionRequired,
            ApiError::PayloadTooLarge { limit: 1 },
            ApiError::UnsupportedMediaType { expected: "x" },
            ApiError::NotAcceptable {
                available: "x".into(),
            },
            ApiError::IdempotencyKeyReused,
            ApiError::IdempotencyKeyInProgress,
            ApiError::Unauthorized {
                error: None,
                description: String::new(),
            },
            ApiError::Forbidden("x".into()),
            ApiError::ForbiddenFields(Vec::new()),
            ApiError::InsufficientScope("x"),
            ApiError::TooManyRequests { retry_after_secs: 1 },
            ApiError::database_unavailable("x"),
            ApiError::Overloaded("x"),
            ApiError::internal("x"),
        ];
        for error in errors {
            let problem = error.to_problem(None, None);
            let slug = problem.problem_type.trim_start_matches("/problems/");
            let kind = crate::text_enum::parse::<ProblemKind>("problem type", slug)
                .unwrap_or_else(|_| panic!("{slug} has no page"));
            assert_eq!(kind.explanation().0, problem.status, "{slug}");
        }
        let slugs: std::collections::HashSet<&str> =
            ProblemKind::ALL.iter().map(|kind| kind.slug()).collect();
        assert_eq!(slugs.len(), ProblemKind::ALL.len());
    }
}
