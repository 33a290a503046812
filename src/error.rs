//! The one error type of the service and its rendering as RFC 9457 problem details.
//!
//! Policy: every failure a caller can cause or fix is a 4xx with a stable `type` and, for bad
//! input, the fields at fault. A 5xx means the service or its database failed: 503 when the
//! database cannot be reached (the caller may retry), 500 for bugs, which are logged with the
//! request id and show the caller only that id.

use actix_web::{
    http::{header, StatusCode},
    HttpResponse, ResponseError,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// One field at fault in a request, named by its JSON path (`name.fi`, `units[2].code`) or its
/// query parameter or header name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"field": "business_id", "message": "the check digit does not match", "code": "business_id"}))]
pub struct FieldError {
    pub field: String,
    pub message: String,
    /// A stable machine-readable reason, e.g. `required`, `length`, `business_id`, `unknown_code`.
    pub code: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// RFC 9457 problem details, as every error response of this service carries them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation-error",
    "title": "The request has invalid fields",
    "status": 422,
    "detail": "1 field is invalid",
    "instance": "/v1/organisations",
    "request_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "errors": [{"field": "business_id", "message": "the check digit does not match", "code": "business_id"}]
}))]
pub struct Problem {
    /// A URI reference naming the kind of problem; stable, safe to branch on. It resolves:
    /// `GET /problems/{slug}` says what the problem means and what to do.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The path of the request that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request's `X-Request-Id`; for a 500 this is the correlation id to quote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The fields at fault, for validation problems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {detail}")]
    BadRequest { detail: String, errors: Vec<FieldError> },
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldError>),
    #[error("{resource} not found")]
    NotFound { resource: &'static str },
    #[error("no route matches the request")]
    RouteNotFound,
    /// `allow` lists the methods the path has (the `Allow` header); empty when unknown.
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("the If-Match version is not the current one")]
    PreconditionFailed,
    #[error("If-Match is required")]
    PreconditionRequired,
    #[error("payload over {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type, expected {expected}")]
    UnsupportedMediaType { expected: &'static str },
    /// The response cannot be given in any media type the `Accept` header allows.
    #[error("not acceptable, available: {available}")]
    NotAcceptable { available: String },
    #[error("Idempotency-Key reused with a different request")]
    IdempotencyKeyReused,
    #[error("a request with this Idempotency-Key is still being processed")]
    IdempotencyKeyInProgress,
    /// No usable bearer token. `error` is the RFC 6750 code (`invalid_token`), absent when no token was sent.
    #[error("unauthenticated: {description}")]
    Unauthorized {
        error: Option<&'static str>,
        description: String,
    },
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Fields the caller may not change, each named.
    #[error("forbidden fields: {0:?}")]
    ForbiddenFields(Vec<FieldError>),
    #[error("the token lacks the scope {0}")]
    InsufficientScope(&'static str),
    #[error("too many requests; retry after {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// An error of the OAuth 2.0 token endpoint, rendered as RFC 6749 §5.2 requires.
    #[error("oauth error {error}: {description}")]
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: String,
    },
    #[error("database unavailable: {0}")]
    DatabaseUnavailable(String),
    /// More work of one kind (hashing secrets) is waiting than the service takes on at once.
    #[error("overloaded: {0}")]
    Overloaded(&'static str),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn validation(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    /// The same error about a member of a larger body: its fields named inside `member`.
    pub fn within(self, member: &str) -> Self {
        match self {
            Self::Validation(errors) => Self::Validation(
                errors
                    .into_iter()
                    .map(|error| FieldError {
                        field: format!("{member}.{}", error.field),
                        ..error
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn bad_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::BadRequest {
            detail: format!("{field}: {message}"),
            errors: vec![FieldError::new(field, "invalid", message)],
        }
    }

    /// Query parameters that are well-formed but not acceptable: a 400 naming each.
    pub fn bad_query(errors: Vec<FieldError>) -> Self {
        Self::BadRequest {
            detail: format!(
                "Invalid query parameter{}: {}",
                if errors.len() == 1 { "" } else { "s" },
                errors
                    .iter()
                    .map(|e| e.field.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            errors,
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into())
    }

    pub fn database_unavailable(error: impl std::fmt::Display) -> Self {
        Self::DatabaseUnavailable(error.to_string())
    }

    /// The stable slug of the problem type, also its documentation anchor.
    pub fn slug(&self) -> &'static str {
        match self {
            Self::BadRequest { .. } => "bad-request",
            Self::Validation(_) => "validation-error",
            Self::NotFound { .. } | Self::RouteNotFound => "not-found",
            Self::MethodNotAllowed { .. } => "method-not-allowed",
            Self::Conflict(_) => "conflict",
            Self::PreconditionFailed => "precondition-failed",
            Self::PreconditionRequired => "precondition-required",
            Self::PayloadTooLarge { .. } => "payload-too-large",
            Self::UnsupportedMediaType { .. } => "unsupported-media-type",
            Self::NotAcceptable { .. } => "not-acceptable",
            Self::IdempotencyKeyReused => "idempotency-key-reused",
            Self::IdempotencyKeyInProgress => "idempotency-key-in-progress",
            Self::Unauthorized { .. } => "unauthorized",
            Self::Forbidden(_) | Self::ForbiddenFields(_) | Self::InsufficientScope(_) => "forbidden",
            Self::TooManyRequests { .. } => "too-many-requests",
            Self::OAuth { .. } => "oauth-error",
            Self::DatabaseUnavailable(_) | Self::Overloaded(_) => "service-unavailable",
            Self::Internal(_) => "internal-error",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::BadRequest { .. } => "The request is malformed",
            Self::Validation(_) => "The request has invalid fields",
            Self::NotFound { .. } => "The resource does not exist",
            Self::RouteNotFound => "No such endpoint",
            Self::MethodNotAllowed { .. } => "The method is not allowed on this endpoint",
            Self::Conflict(_) => "The request conflicts with the current state",
            Self::PreconditionFailed => "The resource has changed",
            Self::PreconditionRequired => "The request must be conditional",
            Self::PayloadTooLarge { .. } => "The request body is too large",
            Self::UnsupportedMediaType { .. } => "The request body has an unsupported media type",
            Self::NotAcceptable { .. } => "No acceptable representation",
            Self::IdempotencyKeyReused => "The Idempotency-Key was used for a different request",
            Self::IdempotencyKeyInProgress => "A request with this Idempotency-Key is in progress",
            Self::Unauthorized { .. } => "Authentication is required",
            Self::Forbidden(_) | Self::ForbiddenFields(_) | Self::InsufficientScope(_) => {
                "The caller may not do this"
            }
            Self::TooManyRequests { .. } => "Too many requests",
            Self::OAuth { .. } => "The token request failed",
            Self::DatabaseUnavailable(_) | Self::Overloaded(_) => "The service is temporarily unavailable",
            Self::Internal(_) => "Internal error",
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            Self::BadRequest { detail, .. } => Some(detail.clone()),
            Self::Validation(errors) => Some(match errors.len() {
                1 => "1 field is invalid".to_owned(),
                n => format!("{n} fields are invalid"),
            }),
            Self::NotFound { resource } => Some(format!("No {resource} has this identifier.")),
            Self::RouteNotFound => Some("See /docs for the endpoints of this API.".to_owned()),
            Self::MethodNotAllowed { allow } if !allow.is_empty() => {
                Some(format!("This endpoint answers {allow}."))
            }
            Self::MethodNotAllowed { .. } => None,
            Self::Conflict(detail) => Some(detail.clone()),
            Self::PreconditionFailed => Some(
                "The If-Match header names a version that is no longer current: read the resource again and retry."
                    .to_owned(),
            ),
            Self::PreconditionRequired => Some(
                "Send the ETag of the version you read in an If-Match header.".to_owned(),
            ),
            Self::PayloadTooLarge { limit } => Some(format!("The limit is {limit} bytes.")),
            Self::UnsupportedMediaType { expected } => Some(format!("Send {expected}.")),
            Self::NotAcceptable { available } => Some(format!("Accept one of {available}.")),
            Self::IdempotencyKeyReused => Some(
                "This Idempotency-Key was first used with a different method, path or body; use a new key for a new request."
                    .to_owned(),
            ),
            Self::IdempotencyKeyInProgress => {
                Some("Retry after the first request has completed.".to_owned())
            }
            Self::Unauthorized { description, .. } => Some(description.clone()),
            Self::Forbidden(detail) => Some(detail.clone()),
            Self::ForbiddenFields(errors) => Some(format!(
                "Only platform administrators change {}.",
                errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", ")
            )),
            Self::InsufficientScope(scope) => Some(format!("The access token does not carry the scope {scope}.")),
            Self::TooManyRequests { retry_after_secs } => {
                Some(format!("Retry after {retry_after_secs} seconds."))
            }
            Self::OAuth { description, .. } => Some(description.clone()),
            Self::DatabaseUnavailable(_) => {
                Some("The database cannot be reached right now; retry shortly.".to_owned())
            }
            Self::Overloaded(what) => Some(format!("Too many {what} are waiting; retry shortly.")),
            // Never the cause: it may hold data; the log has it under the request id.
            Self::Internal(_) => Some(
                "An unexpected error occurred. Quote the request_id when reporting it.".to_owned(),
            ),
        }
    }

    fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::Validation(errors) | Self::ForbiddenFields(errors) | Self::BadRequest { errors, .. } => {
                errors.clone()
            }
            _ => Vec::new(),
        }
    }

    /// The problem document for this error as seen by the request at `instance`.
    pub fn to_problem(&self, instance: Option<&str>, request_id: Option<&str>) -> Problem {
        Problem {
            problem_type: format!("/problems/{}", self.slug()),
            title: self.title().to_owned(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            instance: instance.map(str::to_owned),
            request_id: request_id.map(str::to_owned),
            errors: self.field_errors(),
        }
    }

    pub fn render(&self, instance: Option<&str>, request_id: Option<&str>) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if let Self::OAuth {
            status,
            error,
            description,
        } = self
        {
            response.insert_header((header::CACHE_CONTROL, "no-store"));
            if *status == StatusCode::UNAUTHORIZED {
                response.insert_header((header::WWW_AUTHENTICATE, r#"Basic realm="opinto-registry""#));
            }
            return response.json(serde_json::json!({"error": error, "error_description": description}));
        }
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        match self {
            Self::DatabaseUnavailable(_) | Self::Overloaded(_) | Self::IdempotencyKeyInProgress => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            Self::MethodNotAllowed { allow } if !allow.is_empty() => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            Self::TooManyRequests { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            Self::Unauthorized { error, description } => {
                let challenge = match error {
                    Some(error) => format!(
                        r#"Bearer realm="opinto-registry", error="{error}", error_description="{}""#,
                        description.replace(['"', '\\'], "'")
                    ),
                    None => r#"Bearer realm="opinto-registry""#.to_owned(),
                };
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            Self::InsufficientScope(scope) => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    format!(r#"Bearer realm="opinto-registry", error="insufficient_scope", scope="{scope}""#),
                ));
            }
            _ => {}
        }
        match serde_json::to_vec(&self.to_problem(instance, request_id)) {
            Ok(body) => response.body(body),
            Err(_) => response.finish(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Validation(_) | Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NotFound { .. } | Self::RouteNotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) | Self::IdempotencyKeyInProgress => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::ForbiddenFields(_) | Self::InsufficientScope(_) => {
                StatusCode::FORBIDDEN
            }
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::OAuth { status, .. } => *status,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            Self::DatabaseUnavailable(_) | Self::Overloaded(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.render(None, None)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match error {
            Error::NotFound => Self::NotFound { resource: "resource" },
            Error::DatabaseError(Kind::UniqueViolation, _) => {
                Self::Conflict("A record with the same unique values already exists.".to_owned())
            }
            Error::DatabaseError(Kind::ForeignKeyViolation, _) => {
                Self::Conflict("The change would break a reference between records.".to_owned())
            }
            Error::DatabaseError(Kind::ClosedConnection | Kind::SerializationFailure, info) => {
                Self::DatabaseUnavailable(info.message().to_owned())
            }
            Error::DatabaseError(_, info) if is_transient(info.message()) => {
                Self::DatabaseUnavailable(info.message().to_owned())
            }
            // A connection lost in the middle of a transaction leaves diesel unable to roll it
            // back: the connection is discarded (see `Db::run`) and the caller may retry.
            Error::BrokenTransactionManager | Error::RollbackErrorOnCommit { .. } => {
                Self::DatabaseUnavailable(error.to_string())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

/// Messages of failures that go away by themselves: a lost PostgreSQL connection, a SQLite lock
/// held past the busy timeout.
fn is_transient(message: &str) -> bool {
    const TRANSIENT: [&str; 5] = [
        "database is locked",
        "server closed the connection",
        "terminating connection",
        "connection to server",
        "no connection to the server",
    ];
    TRANSIENT.iter().any(|needle| message.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_problem_names_the_fields() {
        let error = ApiError::validation("business_id", "business_id", "the check digit does not match");
        let problem = error.to_problem(Some("/v1/organisations"), Some("req-1"));
        let json = serde_json::to_value(&problem).expect("serializes");
        assert_eq!(json["type"], "/problems/validation-error");
        assert_eq!(json["status"], 422);
        assert_eq!(json["instance"], "/v1/organisations");
        assert_eq!(json["request_id"], "req-1");
        assert_eq!(json["errors"][0]["field"], "business_id");
        assert_eq!(json["errors"][0]["code"], "business_id");
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let error = ApiError::internal("secret detail of a bug");
        let problem = error.to_problem(None, Some("corr-7"));
        let json = serde_json::to_string(&problem).expect("serializes");
        assert!(!json.contains("secret detail"), "{json}");
        assert!(json.contains("corr-7"));
        assert_eq!(problem.status, 500);
    }

    #[test]
    fn problems_render_as_problem_json_with_optional_members_left_out() {
        let response = ApiError::RouteNotFound.render(None, None);
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            response.headers().get(header::CONTENT_TYPE).map(|v| v.as_bytes()),
            Some(PROBLEM_CONTENT_TYPE.as_bytes())
        );
        let problem = ApiError::RouteNotFound.to_problem(None, None);
        let json = serde_json::to_value(problem).expect("serializes");
        assert!(json.get("errors").is_none());
        assert!(json.get("instance").is_none());
    }

    #[test]
    fn a_transaction_broken_by_a_lost_connection_is_a_503() {
        for error in [
            diesel::result::Error::BrokenTransactionManager,
            diesel::result::Error::RollbackErrorOnCommit {
                rollback_error: Box::new(diesel::result::Error::BrokenTransactionManager),
                commit_error: Box::new(diesel::result::Error::BrokenTransactionManager),
            },
        ] {
            let error = ApiError::from(error);
            assert_eq!(error.status_code(), StatusCode::SERVICE_UNAVAILABLE, "{error}");
        }
    }

    #[test]
    fn unavailable_database_is_a_503_with_retry_after() {
        let response = ApiError::database_unavailable("pool timed out").render(None, None);
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key(header::RETRY_AFTER));
    }
}
