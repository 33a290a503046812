//! The holder's own view, opened by the access link made when a certificate is issued (see
//! `certificates::holder_link`): the holder's certificates from one issuer, every read of their
//! personal data the audit log holds (who, when, for what), every share (with whom, the consent's
//! date and method), downloads of the PDF and the signed credential, and the withdrawal of
//! consent to a share. No account: the link's secret is the key, kept only as its hash, and an
//! address that tries unknown secrets is slowed. As a page for people ([`page`]) and as JSON
//! ([`handlers`]).

pub mod domain;
pub mod dto;
pub mod handlers;
pub mod page;
pub mod repo;
pub mod words;
