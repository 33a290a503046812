//! The documented routes, read from the OpenAPI document (the one place that says them): which
//! methods a path answers, for 405 and `OPTIONS`, and in which media types an operation answers,
//! so that a request whose `Accept` allows none of them is refused with 406 before any work.

use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, Accept, Header},
    middleware::Next,
    web,
};
use utoipa::openapi::{path::Operation, OpenApi, RefOr};

use crate::error::ApiError;

/// A documented path: its template by segment, and each method with its answers' media types.
struct Route {
    segments: Vec<String>,
    operations: Vec<(&'static str, Vec<String>)>,
}

pub struct RouteTable(Vec<Route>);

impl RouteTable {
    pub fn from_document(document: &OpenApi) -> Self {
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", &item.get),
                    ("POST", &item.post),
                    ("PUT", &item.put),
                    ("PATCH", &item.patch),
                    ("DELETE", &item.delete),
                ];
                Route {
                    segments: path.split('/').map(str::to_owned).collect(),
                    operations: methods
                        .into_iter()
                        .filter_map(|(method, operation)| Some((method, media_types(operation.as_ref()?))))
                        .collect(),
                }
            })
            .collect();
        Self(routes)
    }

    /// The documented path `path` matches, chosen as [`rank`] says.
    fn route(&self, path: &str) -> Option<&Route> {
        let segments: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .filter_map(|route| Some((rank(route.segments.iter().map(String::as_str), &segments)?, route)))
            .max_by(|(a, _), (b, _)| a.cmp(b))
            .map(|(_, route)| route)
    }

    /// The methods `path` answers, as an `Allow` header lists them.
    pub fn allowed(&self, path: &str) -> Option<String> {
        let route = self.route(path)?;
        Some(
            route
                .operations
                .iter()
                .map(|(method, _)| *method)
                .collect::<Vec<_>>()
                .join(", "),
        )
    }

    /// The media types the operation `method path` answers in (empty when it answers no body).
    fn produces(&self, method: &str, path: &str) -> Option<&[String]> {
        self.route(path)?
            .operations
            .iter()
            .find(|(known, _)| *known == method)
            .map(|(_, media_types)| media_types.as_slice())
    }
}

/// Whether a path (split at `/`) matches a path template (a `{parameter}` matches any segment but
/// an empty one) and, if so, its rank among the templates that match: as in routing, a literal
/// segment wins over a parameter, earlier segments deciding first (`/v1/certificates/feed` is
/// not `/v1/certificates/{id}`). The greatest rank is the template the request reaches.
pub fn rank<'a>(template: impl ExactSizeIterator<Item = &'a str>, path: &[&str]) -> Option<Vec<bool>> {
    if template.len() != path.len() {
        return None;
    }
    template
        .zip(path)
        .map(|(expected, actual)| match expected.starts_with('{') {
            true if !actual.is_empty() => Some(false),
            false if expected == *actual => Some(true),
            _ => None,
        })
        .collect()
}

/// The media types of an operation's successful answers.
fn media_types(operation: &Operation) -> Vec<String> {
    let mut media_types: Vec<String> = operation
        .responses
        .responses
        .iter()
        .filter(|(status, _)| status.starts_with('2'))
        .filter_map(|(_, response)| match response {
            RefOr::T(response) => Some(response.content.keys().cloned()),
            RefOr::Ref(_) => None,
        })
        .flatten()
        .collect();
    media_types.sort();
    media_types.dedup();
    media_types
}

/// How well `Accept` takes a media type: the best quality among the ranges that cover it, and
/// then how exact that range is (2 the type itself, 1 `type/*`, 0 `*/*`); `None` when no range
/// covers it.
fn coverage(accept: &Accept, media_type: &str) -> Option<(header::Quality, u8)> {
    let kind = media_type.split('/').next().unwrap_or(media_type);
    accept
        .iter()
        .filter_map(|item| {
            let range = item.item.essence_str();
            let exactness = if range == media_type {
                2
            } else if range.strip_suffix("/*") == Some(kind) {
                1
            } else if range == "*/*" {
                0
            } else {
                return None;
            };
            Some((item.quality, exactness))
        })
        .max()
}

/// Whether `Accept` allows a media type: a range with a quality above zero that covers it.
fn allows(accept: &Accept, media_type: &str) -> bool {
    coverage(accept, media_type).is_some_and(|(quality, _)| quality > header::Quality::ZERO)
}

/// Of the media types a handler offers (most usual first), the one `Accept` prefers: the highest
/// quality of a range covering it, an exact range before a wildcard; the first offered when the
/// request has no `Accept`. The middleware below has already refused what allows none of them.
pub fn choose<'a>(request: &actix_web::HttpRequest, offered: &[&'a str]) -> &'a str {
    let first = offered.first().copied().unwrap_or("application/json");
    let Ok(accept) = Accept::parse(request) else {
        return first;
    };
    let mut best = (first, coverage(&accept, first));
    for &media_type in offered.iter().skip(1) {
        let candidate = coverage(&accept, media_type);
        if candidate > best.1 {
            best = (media_type, candidate);
        }
    }
    best.0
}

/// 406 for a request whose `Accept` allows none of the media types its operation answers in.
pub async fn refuse_unacceptable(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let refused = match (
        req.app_data::<web::Data<RouteTable>>(),
        Accept::parse(req.request()),
    ) {
        (Some(routes), Ok(accept)) if !accept.is_empty() => routes
            .produces(req.method().as_str(), req.path())
            .filter(|media_types| !media_types.iter().any(|media_type| allows(&accept, media_type)))
            .filter(|media_types| !media_types.is_empty())
            .map(|media_types| media_types.join(", ")),
        _ => None,
    };
    match refused {
        Some(available) => Ok(req.error_response(ApiError::NotAcceptable { available })),
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Accept {
        let request = actix_web::test::TestRequest::default()
            .insert_header((header::ACCEPT, value))
            .to_http_request();
        Accept::parse(&request).expect("an Accept header")
    }

    fn chosen(value: &str, offered: &[&'static str]) -> &'static str {
        let request = actix_web::test::TestRequest::default()
            .insert_header((header::ACCEPT, value))
            .to_http_request();
        choose(&request, offered)
    }

    #[test]
    fn the_most_preferred_offer_is_chosen() {
        let offered = ["application/json", "application/ld+json"];
        assert_eq!(chosen("application/ld+json", &offered), "application/ld+json");
        assert_eq!(
            chosen("application/ld+json, application/json;q=0.9", &offered),
            "application/ld+json"
        );
        assert_eq!(
            chosen("application/json, application/ld+json", &offered),
            "application/json"
        );
        assert_eq!(chosen("*/*", &offered), "application/json");
        assert_eq!(
            chosen("application/*, application/ld+json", &offered),
            "application/ld+json"
        );
        let request = actix_web::test::TestRequest::default().to_http_request();
        assert_eq!(choose(&request, &offered), "application/json");
    }

    #[test]
    fn ranges_and_qualities_decide() {
        assert!(allows(&accept("application/json"), "application/json"));
        assert!(allows(&accept("text/*"), "text/csv"));
        assert!(allows(&accept("text/html, */*;q=0.8"), "application/pdf"));
        assert!(!allows(&accept("application/xml"), "application/json"));
        assert!(!allows(&accept("application/json;q=0"), "application/json"));
    }

    #[test]
    fn a_literal_segment_wins_over_a_parameter() {
        let routes = RouteTable::from_document(&crate::openapi::document());
        let pdf = ["application/pdf".to_owned()];
        assert_eq!(routes.produces("GET", "/v1/certificates/abc/pdf"), Some(&pdf[..]));
        assert_eq!(routes.allowed("/v1/certificates/feed").as_deref(), Some("GET"));
        assert_eq!(routes.produces("GET", "/v1/nothing-here"), None);
    }
}
