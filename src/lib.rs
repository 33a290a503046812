//! The registry of work-based learning: regional guidelines, cooperation agreements, recognised
//! learning environments and competence certificates, behind one HTTP API.

pub mod agreements;
pub mod audit;
pub mod auth;
pub mod catalogue;
pub mod certificates;
pub mod cli;
pub mod client_address;
pub mod clients;
pub mod concurrency;
pub mod config;
pub mod db;
pub mod environments;
pub mod error;
pub mod extract;
pub mod guidelines;
pub mod hardening;
pub mod health;
pub mod html;
pub mod idempotency;
pub mod identifiers;
pub mod openapi;
pub mod organisations;
pub mod pagination;
pub mod participations;
pub mod programmes;
pub mod recognitions;
pub mod reference;
pub mod request_context;
pub mod routes;
pub mod schema;
pub mod startup;
pub mod statistics;
pub mod telemetry;
pub mod text;
pub mod text_enum;
