//! Competence certificates: what a trainee learned, issued by a workshop, shared with education
//! providers with the holder's consent, pulled through a change feed and verifiable by anyone.

pub mod batch;
pub mod batch_csv;
pub mod checks;
pub mod credential;
pub mod domain;
pub mod dto;
pub mod ehoks;
pub mod handlers;
pub mod holder_link;
pub mod lifecycle;
pub mod model;
pub mod pdf;
pub mod policy;
pub mod protection;
pub mod repo;
pub mod resigning;
pub mod sealing;
pub mod sharing;
pub mod signing;
pub mod status_list;
pub mod token_status_list;
pub mod verification;
pub mod verify_page;
pub mod views;
pub mod wording;
