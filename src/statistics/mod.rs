//! Outcome statistics computed from the registry's own records: a programme's figures for its
//! funders, and public figures per region. Public figures round counts of people to fives.

pub mod csv;
pub mod handlers;
pub mod programme;
pub mod regional;
pub mod report;
pub mod tables;
