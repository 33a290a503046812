//! Participations: a person's coaching period in a programme, kept as the categories funders ask
//! for and nothing more, and the qualification units participants completed.

pub mod domain;
pub mod dto;
pub mod handlers;
pub mod model;
pub mod policy;
pub mod repo;
pub mod views;
