//! The outermost layer of every request: a request id, and errors rendered as problem details that
//! name the request they belong to.

use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{
        header::{HeaderName, HeaderValue},
        StatusCode,
    },
    middleware::Next,
    HttpMessage,
};
use uuid::Uuid;

use crate::error::ApiError;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served: the caller's `X-Request-Id` when it is sensible, otherwise a new one.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn acceptable_request_id(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = req
        .headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| acceptable_request_id(value))
        .map_or_else(|| Uuid::now_v7().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    crate::telemetry::record_request_id(&req, &request_id);
    let path = req.path().to_owned();

    // Inner layers answer errors as responses; an `Err` here is rendered by the framework.
    let response = next.call(req).await?.map_into_boxed_body();
    let mut response = render_error(response, &path, &request_id);
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    Ok(response)
}

/// Re-renders an error response as problem details carrying the request's path and id, and logs
/// what the operator must see.
pub fn render_error(
    response: ServiceResponse<BoxBody>,
    path: &str,
    request_id: &str,
) -> ServiceResponse<BoxBody> {
    let Some(error) = response.response().error() else {
        return response;
    };
    let rendered = match error.as_error::<ApiError>() {
        Some(api_error) => {
            match api_error {
                ApiError::Internal(cause) => tracing::error!("request {request_id} failed: {cause}"),
                ApiError::DatabaseUnavailable(cause) => {
                    tracing::warn!("request {request_id}: database unavailable: {cause}")
                }
                _ => {}
            }
            api_error.render(Some(path), Some(request_id))
        }
        // The framework's own errors (a header it could not parse, a route it does not know).
        None => {
            let status = response.status();
            let limit = response
                .request()
                .app_data::<crate::extract::BodyLimit>()
                .map_or(crate::config::DEFAULT_MAX_BODY_BYTES, |limit| limit.0);
            let api_error = framework_error(status, &error.to_string(), limit);
            if status.is_server_error() {
                tracing::error!("request {request_id} failed: {error}");
            }
            api_error.render(Some(path), Some(request_id))
        }
    };
    response.into_response(rendered)
}

fn framework_error(status: StatusCode, message: &str, body_limit: usize) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::RouteNotFound,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed { allow: String::new() },
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge { limit: body_limit },
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType {
            expected: "application/json",
        },
        status if status.is_client_error() => ApiError::bad_request(message),
        _ => ApiError::internal(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_bounded_and_plain() {
        assert!(acceptable_request_id("0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50"));
        assert!(acceptable_request_id("trace:abc.1_2"));
        assert!(!acceptable_request_id(""));
        assert!(!acceptable_request_id("with space"));
        assert!(!acceptable_request_id(&"a".repeat(129)));
        assert!(!acceptable_request_id("<script>"));
    }
}
