//! What every response owes a browser, and input refused before anything reads it: headers that
//! keep pages from being framed, sniffed or cached where they hold personal data, a CORS policy
//! that opens public reads to any origin but credentials only to configured ones, and NUL
//! characters, which PostgreSQL cannot store, refused as bad input on every backend.

use actix_cors::Cors;
use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{RequestHead, ServiceRequest, ServiceResponse},
    http::{
        header::{self, HeaderValue},
        Method,
    },
    middleware::Next,
};

use crate::error::{ApiError, FieldError};

/// Pages of this service load nothing from elsewhere and are never framed.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                           frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/// Swagger UI loads its own scripts and styles and calls this service's API.
const DOCS_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                           frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

pub async fn hardening(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Err(error) = refuse_nul_in_url(req.path(), req.query_string()) {
        return Ok(req.error_response(error));
    }
    let personal = holds_personal_data(req.head());
    let docs = req.path().starts_with("/docs");
    let mut response = next.call(req).await?.map_into_boxed_body();
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if html || docs {
        let policy = if docs { DOCS_POLICY } else { PAGE_POLICY };
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if personal {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

/// Answers to an authenticated caller may hold personal data, and so may the verification of a
/// certificate (the holder's name) and the holder's own view: no cache keeps them.
fn holds_personal_data(head: &RequestHead) -> bool {
    let path = head.uri.path();
    head.headers.contains_key(header::AUTHORIZATION)
        || ["/verify/", "/v1/verify", "/holder", "/v1/holder"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
}

/// A form's body is refused like a query with `%00` in it.
pub fn refuse_nul_in_form(body: &str) -> Result<(), ApiError> {
    refuse_nul_in_url("", body)
}

/// `%00` anywhere in the path or the query decodes to a NUL character.
fn refuse_nul_in_url(path: &str, query: &str) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if has_encoded_nul(path) {
        errors.push(FieldError::new(
            "path",
            "nul",
            "must not contain a NUL character (%00)",
        ));
    }
    for pair in query.split('&').filter(|pair| has_encoded_nul(pair)) {
        let name = pair.split('=').next().unwrap_or_default();
        let name = form_urlencoded::parse(name.as_bytes())
            .next()
            .map(|(name, _)| name.replace('\0', ""))
            .unwrap_or_default();
        errors.push(FieldError::new(
            name,
            "nul",
            "must not contain a NUL character (%00)",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::BadRequest {
            detail: "NUL characters are not accepted in text.".to_owned(),
            errors,
        })
    }
}

fn has_encoded_nul(text: &str) -> bool {
    text.contains("%00") || text.contains('\0')
}

/// Whether a JSON text holds a `\u0000` escape: the only way a NUL character can be in JSON.
pub fn json_has_nul(body: &[u8]) -> bool {
    body.windows(6).enumerate().any(|(at, window)| {
        window == b"\\u0000" && {
            // The backslash starts an escape only if the backslashes before it pair up.
            let before = body[..at].iter().rev().take_while(|&&b| b == b'\\').count();
            before % 2 == 0
        }
    })
}

/// The JSON paths of string values and member names that hold a NUL character.
pub fn nul_fields(value: &serde_json::Value) -> Vec<FieldError> {
    let mut found = Vec::new();
    collect_nul_fields(value, "", &mut found);
    found.sort();
    found
        .into_iter()
        .map(|field| FieldError::new(field, "nul", "must not contain a NUL character (\\u0000)"))
        .collect()
}

fn collect_nul_fields(value: &serde_json::Value, path: &str, found: &mut Vec<String>) {
    let here = || {
        if path.is_empty() {
            "body".to_owned()
        } else {
            path.to_owned()
        }
    };
    match value {
        serde_json::Value::String(text) if text.contains('\0') => found.push(here()),
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                collect_nul_fields(item, &format!("{}[{index}]", here()), found);
            }
        }
        serde_json::Value::Object(members) => {
            for (name, member) in members {
                let member_path = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                if name.contains('\0') {
                    found.push(member_path.replace('\0', ""));
                } else {
                    collect_nul_fields(member, &member_path, found);
                }
            }
        }
        _ => {}
    }
}

/// CORS: any origin may read what is public, without credentials; configured origins may call
/// everything, with `Authorization`. A preflight from another origin that asks to send
/// `Authorization`, or to use a method other than GET, is refused, so a browser never sends a
/// token from a page the operator did not name.
pub fn cors(allowed_origins: &[String]) -> Cors {
    let allowed: Vec<HeaderValue> = allowed_origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    Cors::default()
        .allowed_origin_fn(move |origin, head| {
            allowed.contains(origin) || same_origin(origin, head) || anonymous_read(head)
        })
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::ACCEPT,
        ])
        .allowed_header("idempotency-key")
        .allowed_header("x-request-id")
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
        ])
        .expose_headers(["x-request-id", "idempotent-replayed"])
        .max_age(3600)
}

/// A page of this service itself (Swagger UI at `/docs`): browsers send `Origin` on its POSTs too.
fn same_origin(origin: &HeaderValue, head: &RequestHead) -> bool {
    let (Ok(origin), Some(host)) = (
        origin.to_str(),
        head.headers.get(header::HOST).and_then(|host| host.to_str().ok()),
    ) else {
        return false;
    };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|origin_host| origin_host.eq_ignore_ascii_case(host))
}

/// A GET (or its preflight) that carries no credentials.
fn anonymous_read(head: &RequestHead) -> bool {
    let requested_method = head
        .headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|value| value.to_str().ok());
    let requested_headers = head
        .headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match (&head.method, requested_method) {
        (&Method::OPTIONS, Some(method)) => {
            matches!(method, "GET" | "HEAD")
                && !requested_headers
                    .split(',')
                    .any(|name| name.trim() == "authorization")
        }
        (method, _) => {
            matches!(*method, Method::GET | Method::HEAD) && !head.headers.contains_key(header::AUTHORIZATION)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_nuls_are_found_and_escaped_backslashes_are_not() {
        assert!(json_has_nul(br#"{"a":"x\u0000y"}"#));
        assert!(json_has_nul(br#"{"a":"x\\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"x\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"x"}"#));
    }

    #[test]
    fn nul_fields_are_named_by_their_paths() {
        let value = serde_json::json!({"name": {"fi": "a\u{0}"}, "list": ["ok", "b\u{0}"]});
        let fields: Vec<String> = nul_fields(&value).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["list[1]", "name.fi"]);
    }

    #[test]
    fn url_nuls_name_the_parameter() {
        let error = refuse_nul_in_url("/v1/organisations", "q=a%00&limit=5").expect_err("refused");
        assert!(matches!(&error, ApiError::BadRequest { errors, .. } if errors[0].field == "q"));
        assert!(refuse_nul_in_url("/v1/organisations/%00", "").is_err());
        assert!(refuse_nul_in_url("/v1/organisations", "q=%2500").is_ok());
    }
}
