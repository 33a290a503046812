//! Logs as `tracing` events: one span per request, carrying its request id and, once the bearer
//! token is read, the client's id, so that every event of a request names both. Lines are text, or
//! JSON with `LOG_FORMAT=json`. No personal data reaches a log: events name ids, never holders.

use std::{io::IsTerminal, time::Instant};

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    Error, HttpMessage,
};
use tracing::{field::Empty, Span};
use tracing_actix_web::RootSpanBuilder;
use tracing_subscriber::EnvFilter;

use crate::{client_address::client_address, config::DEFAULT_LOG_FILTER};

/// Installs the process's log output: the filter from `RUST_LOG`, the format from `LOG_FORMAT`.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER));
    // Standard error, as before: commands print their results (a new client's secret) on stdout.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let installed = if std::env::var("LOG_FORMAT").is_ok_and(|format| format == "json") {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
    if let Err(error) = installed {
        eprintln!("logging is not set up: {error}");
    }
}

/// When a request arrived, for its access log line.
struct Arrived(Instant);

/// The request span: method, path (never the query, which may carry search words), the client's
/// address as the trusted proxies tell it, the request id and the client id.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let span = tracing::info_span!(
            "request",
            method = %request.method(),
            path = %request.path(),
            address = %client_address(request.request()),
            request_id = Empty,
            client_id = Empty,
        );
        // Under a filter that leaves requests out, the access line is not written: nothing to time.
        if !span.is_disabled() {
            request.extensions_mut().insert(Arrived(Instant::now()));
        }
        span
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        // Errors are logged where they are rendered, with their cause (request_context).
        let Ok(response) = outcome else { return };
        if span.is_disabled() {
            return;
        }
        let elapsed_ms = response
            .request()
            .extensions()
            .get::<Arrived>()
            .map(|arrived| arrived.0.elapsed().as_secs_f64() * 1000.0)
            .unwrap_or_default();
        // One access log line per request, inside its span.
        span.in_scope(|| tracing::info!(status = response.status().as_u16(), elapsed_ms, "served"));
    }
}

/// Names the request's id in its span (the caller's `X-Request-Id` when it is sensible).
pub fn record_request_id(request: &ServiceRequest, request_id: &str) {
    if let Some(span) = request.extensions().get::<tracing_actix_web::RootSpan>() {
        span.record("request_id", request_id);
    }
}

/// Names the authenticated client in the request's span.
pub fn record_client_id(request: &ServiceRequest, client_id: &str) {
    if let Some(span) = request.extensions().get::<tracing_actix_web::RootSpan>() {
        span.record("client_id", client_id);
    }
}
