//! Regional guidelines (*linjaukset*) on cooperation between workshops and vocational education,
//! signed region by region, and the public list of who signed.

pub mod domain;
pub mod dto;
pub mod handlers;
pub mod model;
pub mod policy;
pub mod repo;
pub mod views;
