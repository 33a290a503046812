//! Optimistic concurrency: every mutable record has a `version`, sent as a strong `ETag` and
//! expected back in `If-Match` on every change.

use actix_web::{dev::Payload, http::header, FromRequest, HttpRequest, HttpResponse, HttpResponseBuilder};
use serde::Serialize;

use crate::error::ApiError;

/// The entity tag of a record version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The entity tags of a request's `If-None-Match`: the copies the caller holds.
#[derive(Debug, Clone, Default)]
pub struct IfNoneMatch(Vec<String>);

impl IfNoneMatch {
    pub fn of(request: &HttpRequest) -> Self {
        Self(
            request
                .headers()
                .get_all(header::IF_NONE_MATCH)
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .map(|tag| tag.trim().trim_start_matches("W/").to_owned())
                .collect(),
        )
    }

    /// Whether the caller's copy tagged `etag` is current (or it sent `*`), by the weak
    /// comparison RFC 9110 prescribes for `If-None-Match`: then `304 Not Modified` answers.
    pub fn holds(&self, etag: &str) -> bool {
        let wanted = etag.trim_start_matches("W/");
        self.0.iter().any(|tag| tag == "*" || tag == wanted)
    }
}

/// `304 Not Modified` for a caller whose copy tagged `etag` is current.
pub fn not_modified(etag: &str) -> HttpResponse {
    HttpResponse::NotModified()
        .insert_header((header::ETAG, etag))
        .finish()
}

/// A representation of a record at one version.
pub trait Versioned {
    fn version(&self) -> i64;
}

/// A JSON response carrying the representation's version as its `ETag`.
pub fn with_etag<T: Serialize + Versioned>(mut response: HttpResponseBuilder, body: &T) -> HttpResponse {
    response
        .insert_header((header::ETAG, etag(body.version())))
        .json(body)
}

/// `201 Created` with the new resource's `Location`, its `ETag` and the resource itself.
pub fn created<T: Serialize + Versioned>(location: String, body: &T) -> HttpResponse {
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, location));
    with_etag(response, body)
}

/// The versions an `If-Match` header accepts. Without the header a change is refused with 428.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `If-Match: *`: any current version.
    Any,
    /// The versions named by strong entity tags; weak or foreign tags never match.
    Versions(Vec<i64>),
}

impl IfMatch {
    pub fn parse(value: &str) -> Self {
        if value.trim() == "*" {
            return Self::Any;
        }
        // Weak tags never match: a change needs the exact version.
        Self::Versions(
            entity_tags(value)
                .unwrap_or_default()
                .into_iter()
                .filter(|(weak, _)| !weak)
                .filter_map(|(_, tag)| tag.parse().ok())
                .collect(),
        )
    }

    /// Succeeds when `current` is a version this header accepts; otherwise 412.
    pub fn check(&self, current: i64) -> Result<(), ApiError> {
        match self {
            Self::Any => Ok(()),
            Self::Versions(versions) if versions.contains(&current) => Ok(()),
            Self::Versions(_) => Err(ApiError::PreconditionFailed),
        }
    }
}

/// The request's `If-Match`: `None` when absent; 400 when not even a header value's syntax.
fn if_match_of(req: &HttpRequest) -> Result<Option<IfMatch>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .filter(|value| {
            !value.trim().is_empty()
                && value
                    .bytes()
                    .all(|byte| byte == b'\t' || (b' '..=b'~').contains(&byte))
        })
        .filter(|value| is_entity_tag_list(value))
        .map(|value| Some(IfMatch::parse(value)))
        .ok_or_else(|| {
            // A malformed request, not a stale version.
            ApiError::bad_field(
                "If-Match",
                "must be * or entity tags in double quotes, as the ETag header gives them: If-Match: \"3\", not If-Match: 3",
            )
        })
}

/// `*`, or entity tags (RFC 9110): `"3"` or `W/"3"`, separated by commas.
fn is_entity_tag_list(value: &str) -> bool {
    value.trim() == "*" || entity_tags(value).is_some()
}

/// The entity tags of a list, each with whether it is weak; `None` when the list is malformed. A
/// tag may hold commas, so the list is read tag by tag rather than split.
fn entity_tags(value: &str) -> Option<Vec<(bool, &str)>> {
    let mut tags = Vec::new();
    let mut rest = value.trim_matches([' ', '\t']);
    loop {
        let weak = rest.starts_with("W/");
        let quoted = rest.strip_prefix("W/").unwrap_or(rest).strip_prefix('"')?;
        let end = quoted.find('"')?;
        tags.push((weak, &quoted[..end]));
        rest = quoted[end + 1..].trim_start_matches([' ', '\t']);
        if rest.is_empty() {
            return Some(tags);
        }
        rest = rest.strip_prefix(',')?.trim_start_matches([' ', '\t']);
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            if_match_of(req).and_then(|if_match| if_match.ok_or(ApiError::PreconditionRequired)),
        )
    }
}

/// An `If-Match` that actions may omit; unlike `Option<IfMatch>`, a malformed one is still 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionalIfMatch(pub Option<IfMatch>);

impl FromRequest for OptionalIfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(if_match_of(req).map(OptionalIfMatch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_tag_lists_are_read_tag_by_tag() {
        assert_eq!(entity_tags(r#""3""#), Some(vec![(false, "3")]));
        assert_eq!(
            entity_tags("W/\"a,b\" ,\t\"7\""),
            Some(vec![(true, "a,b"), (false, "7")])
        );
        assert_eq!(entity_tags("3"), None);
        assert_eq!(entity_tags(r#""3","#), None);
        assert_eq!(entity_tags(r#""3" "4""#), None);
        assert_eq!(IfMatch::parse(r#"W/"2", "3""#), IfMatch::Versions(vec![3]));
    }

    #[test]
    fn strong_tags_match_their_version() {
        assert_eq!(etag(3), "\"3\"");
        assert!(IfMatch::parse("\"3\"").check(3).is_ok());
        assert!(IfMatch::parse("\"2\", \"3\"").check(3).is_ok());
        assert!(IfMatch::parse("*").check(9).is_ok());
    }

    #[test]
    fn stale_weak_and_garbage_tags_fail() {
        assert!(matches!(
            IfMatch::parse("\"2\"").check(3),
            Err(ApiError::PreconditionFailed)
        ));
        assert!(IfMatch::parse("W/\"3\"").check(3).is_err());
        assert!(IfMatch::parse("3").check(3).is_err());
        assert!(IfMatch::parse("").check(3).is_err());
    }
}
