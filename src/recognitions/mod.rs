//! Recognitions: an education provider's decision that a learning environment covers a
//! qualification unit, from a date, optionally until a date and under a cooperation agreement.

pub mod domain;
pub mod dto;
pub mod handlers;
pub mod model;
pub mod policy;
pub mod repo;
pub mod views;
