//! Reference data: regions, municipalities, qualifications and their units, by official code.

pub mod dto;
pub mod handlers;
pub mod import;
pub mod model;
pub mod repo;
