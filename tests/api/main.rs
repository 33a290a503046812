//! Integration tests: the application over HTTP, on SQLite and on PostgreSQL.

mod contract;
mod helpers;
mod logs;

mod agreements;
mod audit;
mod auth;
mod batches;
mod catalogue;
mod certificates;
mod cli;
mod conventions;
mod credentials;
mod ehoks;
mod environments;
mod guidelines;
mod health;
mod holders;
mod idempotency;
mod migrations;
mod openapi;
mod organisations;
mod pagination;
mod participations;
mod programmes;
mod recognitions;
mod reference_data;
mod replica;
mod security;
mod wallet;
mod webhooks;
