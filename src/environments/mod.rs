//! Learning environments: units of organisations where real work is done and can be learned.

pub mod domain;
pub mod dto;
pub mod handlers;
pub mod model;
pub mod policy;
pub mod repo;
pub mod views;
