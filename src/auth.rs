//! Who is calling. Handlers that change data take a [`Caller`]; each resource's policy function
//! decides from it what the caller may do.
//!
//! Authentication is not switched on yet: every caller is [`Caller::Anonymous`] and the policies
//! let anonymous callers write. Verified callers replace that without changing handler signatures.

use actix_web::{dev::Payload, FromRequest, HttpRequest};

use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(_: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Caller::Anonymous))
    }
}
