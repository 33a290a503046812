//! Organisations: workshops, education providers, municipalities and the others that sign
//! guidelines, make agreements, own learning environments and issue certificates.

pub mod domain;
pub mod dto;
pub mod handlers;
pub mod model;
pub mod policy;
pub mod repo;
pub mod views;
