//! Programmes (*hankkeet*) that fund coaching: ESF projects, youth workshop grants, employment
//! grants. Their participants, completed units and statistics hang off them.

pub mod domain;
pub mod dto;
pub mod handlers;
pub mod model;
pub mod policy;
pub mod repo;
pub mod views;
