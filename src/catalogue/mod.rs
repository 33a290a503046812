//! The public catalogue of recognised learning environments: where can a person learn a given
//! qualification unit, near a given place.

pub mod cache;
pub mod domain;
pub mod dto;
pub mod handlers;
pub mod page;
pub mod repo;
