//! Who is calling: OAuth 2.0 client credentials, signed JWT access tokens, scopes, and the
//! [`Caller`] that handlers take to know whom they serve.
//!
//! The `authenticate` layer verifies a bearer token once per request; the [`Caller`] extractor
//! turns its outcome into the caller or a 401. Each resource's `policy` module then decides, from
//! the caller's organisation and scopes, what it may do.

pub mod active_clients;
pub mod keys;
pub mod middleware;
pub mod rate_limit;
pub mod tokens;
pub mod verified_tokens;

use actix_web::{dev::Payload, FromRequest, HttpMessage, HttpRequest};

use crate::{error::ApiError, request_context::RequestId};

crate::text_enum! {
    #[derive(PartialOrd, Ord)]
    /// What a client may do. `admin` may do everything.
    pub enum Scope {
        #[serde(rename = "organisations:write")]
        OrganisationsWrite,
        #[serde(rename = "guidelines:write")]
        GuidelinesWrite,
        #[serde(rename = "agreements:read")]
        AgreementsRead,
        #[serde(rename = "agreements:write")]
        AgreementsWrite,
        #[serde(rename = "environments:write")]
        EnvironmentsWrite,
        #[serde(rename = "certificates:read")]
        CertificatesRead,
        #[serde(rename = "certificates:write")]
        CertificatesWrite,
        #[serde(rename = "programmes:read")]
        ProgrammesRead,
        #[serde(rename = "programmes:write")]
        ProgrammesWrite,
        #[serde(rename = "audit:read")]
        AuditRead,
        #[serde(rename = "webhooks:write")]
        WebhooksWrite,
        #[serde(rename = "admin")]
        Admin,
    }
}

impl Scope {
    pub const ALL: [Scope; 12] = [
        Scope::OrganisationsWrite,
        Scope::GuidelinesWrite,
        Scope::AgreementsRead,
        Scope::AgreementsWrite,
        Scope::EnvironmentsWrite,
        Scope::CertificatesRead,
        Scope::CertificatesWrite,
        Scope::ProgrammesRead,
        Scope::ProgrammesWrite,
        Scope::AuditRead,
        Scope::WebhooksWrite,
        Scope::Admin,
    ];

    pub fn description(self) -> &'static str {
        match self {
            Scope::OrganisationsWrite => "Change the caller's own organisation profile",
            Scope::GuidelinesWrite => "Write regional guidelines and signatures",
            Scope::AgreementsRead => "Read the agreements the caller's organisation is a party to",
            Scope::AgreementsWrite => "Write the agreements the caller's organisation is a party to",
            Scope::EnvironmentsWrite => "Write learning environments and recognitions",
            Scope::CertificatesRead => "Read certificates issued by or shared with the caller's organisation",
            Scope::CertificatesWrite => "Write the caller's organisation's certificates",
            Scope::ProgrammesRead => {
                "Read the participations of programmes the caller's organisation runs or coaches in, and exact statistics"
            }
            Scope::ProgrammesWrite => "Write programmes the caller's organisation runs and their participations",
            Scope::AuditRead => "Read the audit log of the caller's organisation's records",
            Scope::WebhooksWrite => "Subscribe the caller's URLs to the events the caller may read",
            Scope::Admin => "Platform administration: everything",
        }
    }
}

/// Scopes as a space-separated string, the OAuth 2.0 form.
pub fn join_scopes(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|scope| scope.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses a space-separated scope string, naming the first unknown scope on failure.
pub fn parse_scopes(value: &str) -> Result<Vec<Scope>, String> {
    let mut scopes = Vec::new();
    for item in value.split_whitespace() {
        let scope = Scope::parse(item).map_err(|_| item.to_owned())?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    scopes.sort();
    Ok(scopes)
}

/// An authenticated client, as a verified token describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub client_id: String,
    pub organisation_id: Option<String>,
    pub scopes: Vec<Scope>,
}

/// Why a bearer token was not accepted.
#[derive(Debug, Clone)]
pub enum AuthFailure {
    /// The token is bad: the reason, for `WWW-Authenticate` and the problem detail.
    Invalid(String),
    /// The token could not be checked because the database is unreachable.
    Unavailable(String),
}

/// The outcome of verifying the request's bearer token, left in the request extensions.
#[derive(Debug, Clone)]
pub struct Authentication(pub Result<Principal, AuthFailure>);

/// The authenticated caller of a request, with the request's id for the audit log.
#[derive(Debug, Clone)]
pub struct Caller {
    pub client_id: String,
    pub organisation_id: Option<String>,
    pub scopes: Vec<Scope>,
    pub request_id: String,
}

impl Caller {
    pub fn is_admin(&self) -> bool {
        self.scopes.contains(&Scope::Admin)
    }

    /// Succeeds when the token carries `scope` (or `admin`); otherwise 403 `insufficient_scope`.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.is_admin() || self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(ApiError::InsufficientScope(scope.as_str()))
        }
    }

    /// Succeeds only for platform administrators.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        self.require(Scope::Admin)
    }

    /// Whether the caller acts for `organisation_id` (administrators act for every organisation).
    pub fn acts_for(&self, organisation_id: &str) -> bool {
        self.is_admin() || self.organisation_id.as_deref() == Some(organisation_id)
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let extensions = req.extensions();
        let request_id = extensions
            .get::<RequestId>()
            .map(|id| id.0.clone())
            .unwrap_or_default();
        std::future::ready(match extensions.get::<Authentication>() {
            Some(Authentication(Ok(principal))) => Ok(Caller {
                client_id: principal.client_id.clone(),
                organisation_id: principal.organisation_id.clone(),
                scopes: principal.scopes.clone(),
                request_id,
            }),
            Some(Authentication(Err(AuthFailure::Invalid(reason)))) => Err(ApiError::Unauthorized {
                error: Some("invalid_token"),
                description: reason.clone(),
            }),
            Some(Authentication(Err(AuthFailure::Unavailable(cause)))) => {
                Err(ApiError::DatabaseUnavailable(cause.clone()))
            }
            None => Err(ApiError::Unauthorized {
                error: None,
                description: "Send an access token from /oauth/token as `Authorization: Bearer <token>`."
                    .to_owned(),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_and_join_in_a_stable_order() {
        let scopes = parse_scopes("audit:read  organisations:write audit:read").expect("known scopes");
        assert_eq!(scopes, vec![Scope::OrganisationsWrite, Scope::AuditRead]);
        assert_eq!(join_scopes(&scopes), "organisations:write audit:read");
        assert_eq!(parse_scopes("admin everything"), Err("everything".to_owned()));
    }

    #[test]
    fn admins_pass_every_scope_check() {
        let caller = Caller {
            client_id: "c".into(),
            organisation_id: None,
            scopes: vec![Scope::Admin],
            request_id: String::new(),
        };
        assert!(caller.require(Scope::CertificatesWrite).is_ok());
        assert!(caller.acts_for("any"));
        let limited = Caller {
            scopes: vec![Scope::AuditRead],
            organisation_id: Some("org".into()),
            ..caller
        };
        assert!(matches!(
            limited.require(Scope::OrganisationsWrite),
            Err(ApiError::InsufficientScope("organisations:write"))
        ));
        assert!(limited.acts_for("org") && !limited.acts_for("other"));
    }
}
