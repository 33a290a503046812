//! API clients: the systems that call this service, each acting for one organisation (or, for
//! platform administrators, for none), with a secret kept only as an Argon2 hash.

pub mod domain;
pub mod dto;
pub mod handlers;
pub mod model;
pub mod repo;
pub mod token_endpoint;
pub mod views;
