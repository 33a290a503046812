//! Webhooks: a client subscribes a URL to the events it could read through the API, and each
//! event is POSTed to it, signed by the Standard Webhooks scheme.
//!
//! The certificate feed is the outbox: its events are written in the same transaction as the
//! change they describe, so an event is never lost once its change is committed and never sent
//! for a change rolled back. The [`dispatcher`] of each instance turns a subscription's new feed
//! events into deliveries and sends them in feed order, retrying with exponential backoff; a lease
//! on the subscription's row keeps two instances from sending to it at once. Every delivery and
//! attempt is kept in a log the subscriber reads, and can be sent again.

pub mod address;
pub mod dispatcher;
pub mod domain;
pub mod dto;
pub mod handlers;
pub mod model;
pub mod policy;
pub mod repo;
pub mod signing;
