//! Cooperation agreements (*yhteistyösopimukset*) between workshops or other work organisations
//! and education providers: parties, period, the qualifications and learning environments covered.

pub mod domain;
pub mod dto;
pub mod handlers;
pub mod model;
pub mod policy;
pub mod repo;
pub mod views;
