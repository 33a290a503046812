//! Public verification of issued certificates: by the code printed on paper, by the signed
//! credential, and as a page for people. Never shows a personal identity code or a birth date.

use actix_web::{get, http::header, post, web, web::Bytes, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    checks::{self, CheckName, Report, VerificationCheck},
    credential::{self, PublicUrl},
    dto::{CertificateLanguage, CertificateStatus},
    model::CertificateRow,
    repo,
    status_list::{ListId, Securing, StatusListCache},
};
use crate::{
    auth::{
        keys::KeySet,
        rate_limit::{self, Counter},
    },
    client_address::client_address,
    db::{now, Db, DbConnection},
    error::ApiError,
    extract::Json,
    issuers::{issuer_url, keys::CredentialKeys},
    organisations::{dto::OrganisationSummary, repo as organisations},
    reference::dto::CodeAndName,
    route_table,
};

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"qualification": {"code": "351204", "name": {"fi": "Kiinteistöpalvelujen perustutkinto"}}, "unit": {"code": "SAMPLE-107", "name": {"fi": "Ruokapalveluissa avustaminen"}}, "requirements": []}))]
pub struct VerifiedUnit {
    pub qualification: CodeAndName,
    pub unit: CodeAndName,
    /// The unit's imported requirements (ammattitaitovaatimukset) the trainee was shown to meet.
    pub requirements: Vec<super::dto::RequirementShown>,
}

/// What verification tells anyone holding a certificate or its credential.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "genuine": true, "reason": null, "status": "issued",
    "issuer": {"id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50", "name": {"fi": "Rauman nuorten työpaja"}, "kind": "workshop"},
    "holder_name": "Aino Maria Virtanen", "start_date": "2026-02-01", "end_date": "2026-10-31",
    "units": [{"qualification": {"code": "351204", "name": {"fi": "Kiinteistöpalvelujen perustutkinto"}}, "unit": {"code": "SAMPLE-107", "name": {"fi": "Ruokapalveluissa avustaminen"}}, "requirements": []}],
    "issued_at": "2026-11-23T08:30:00Z", "revoked_at": null, "revocation_reason": null, "superseded_by_code": null, "language": "fi",
    "checks": [{"check": "status", "passed": true, "detail": "issued, neither revoked nor superseded"}]
}))]
pub struct Verification {
    /// Whether this service issued it: the code exists, or the signature is this service's.
    pub genuine: bool,
    /// Why it is not genuine.
    pub reason: Option<String>,
    /// Its current status: a genuine certificate may since have been revoked or superseded.
    pub status: Option<CertificateStatus>,
    pub issuer: Option<OrganisationSummary>,
    pub holder_name: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub units: Vec<VerifiedUnit>,
    pub issued_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revocation_reason: Option<String>,
    /// The verification code of the certificate that replaced this one.
    pub superseded_by_code: Option<String>,
    /// The certificate's language: what its names and the verification page are in.
    pub language: Option<CertificateLanguage>,
    /// Each check made, in order: for a credential its form, key, signature, claims, issuer,
    /// dates and status (Open Badges 3.0 sections 8.2.4 and 9); for a code its status. The
    /// first failed one is the `reason`.
    pub checks: Vec<VerificationCheck>,
}

impl Verification {
    fn not_genuine(report: Report) -> Self {
        Self {
            genuine: false,
            reason: report.reason(),
            checks: report.checks,
            status: None,
            issuer: None,
            holder_name: None,
            start_date: None,
            end_date: None,
            units: Vec::new(),
            issued_at: None,
            revoked_at: None,
            revocation_reason: None,
            superseded_by_code: None,
            language: None,
        }
    }
}

/// A signed credential to verify.
#[derive(Debug, Clone, Deserialize, ToSchema, validator::Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"credential": "eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiIsInR5cCI6InZjK2p3dCJ9.eyJAY29udGV4dCI6Wy4uLl19.c2lnbmF0dXJl"}))]
pub struct VerifyInput {
    /// The VC-JWT from `GET /v1/certificates/{id}/credential`.
    #[validate(length(min = 1, max = 100000))]
    #[schema(min_length = 1, max_length = 100000)]
    pub credential: String,
}

fn verification_of(conn: &mut DbConnection, row: CertificateRow) -> Result<Verification, ApiError> {
    let units = repo::units_of(conn, std::slice::from_ref(&row.id))?;
    let names = repo::unit_names(conn, &units)?;
    let issuer = organisations::summaries(conn, std::slice::from_ref(&row.issuer_organisation_id))?
        .remove(&row.issuer_organisation_id);
    let superseded_by_code = match &row.superseded_by_id {
        Some(successor) => repo::find(conn, successor)?.and_then(|successor| successor.verification_code),
        None => None,
    };
    Ok(Verification {
        genuine: true,
        reason: None,
        status: Some(row.status),
        issuer,
        holder_name: Some(format!("{} {}", row.holder_given_names, row.holder_family_name)),
        start_date: Some(row.start_date),
        end_date: Some(row.end_date),
        units: units
            .iter()
            .map(|unit| {
                let skills: Vec<super::dto::Skill> = super::model::parse_json(&unit.skills)?;
                Ok(VerifiedUnit {
                    qualification: names.qualification(&unit.qualification_code),
                    unit: names.unit(&unit.unit_code),
                    requirements: skills.into_iter().filter_map(|skill| skill.requirement).collect(),
                })
            })
            .collect::<Result<_, ApiError>>()?,
        issued_at: row.issued_at.map(|at| at.and_utc()),
        revoked_at: row.revoked_at.map(|at| at.and_utc()),
        revocation_reason: row.revocation_reason,
        superseded_by_code,
        language: Some(row.language),
        checks: Vec::new(),
    })
}

/// The status check: issued and neither revoked nor superseded.
fn status_check(verification: &Verification) -> VerificationCheck {
    let (passed, detail) = match verification.status {
        Some(CertificateStatus::Issued) => (true, "issued, neither revoked nor superseded".to_owned()),
        Some(CertificateStatus::Revoked) => (
            false,
            "revoked: its bit is set in its issuer's status list".to_owned(),
        ),
        Some(CertificateStatus::Superseded) => (
            false,
            "superseded by a correction: its bit is set in its issuer's status list".to_owned(),
        ),
        other => (false, format!("not issued ({other:?})")),
    };
    VerificationCheck {
        check: CheckName::Status,
        passed,
        detail,
    }
}

/// Looks a code up. A code that exists is always answered; unknown codes are counted per client
/// address, and past the limit an address's further unknown codes answer 429 for a while, so that
/// nobody can try codes fast and an office's mistyped codes never hide a real certificate.
pub(super) async fn look_up(db: &Db, request: &HttpRequest, code: String) -> Result<Verification, ApiError> {
    let guesses = [Counter::verify_failures(&client_address(request))];
    db.run(move |conn| {
        let found = match credential::normalize_code(&code) {
            Some(code) => repo::find_by_code(conn, &code)?,
            None => None,
        };
        match found {
            Some(row) => verification_of(conn, row).map(|mut verification| {
                verification.checks.push(status_check(&verification));
                verification
            }),
            None => {
                rate_limit::take(conn, &guesses, now())?;
                Err(ApiError::NotFound {
                    resource: "certificate",
                })
            }
        }
    })
    .await
}

/// Verifies a certificate by the code printed on it. No authentication. A code that exists is
/// always answered; after 20 unknown codes from one address in 15 minutes, that address's further
/// unknown codes answer 429 until the window ends.
#[utoipa::path(
    tag = "verification",
    params(("code" = String, Path, description = "The verification code, e.g. K7M2Q-X9PRT (case and hyphen do not matter)")),
    responses(
        (status = 200, description = "The certificate is genuine; its current status", body = Verification),
        (status = 404, description = "No certificate has this code", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many unknown codes from this address", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/verify/{code}")]
pub async fn verify_code(
    db: web::Data<Db>,
    request: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let verification = look_up(&db, &request, code.into_inner()).await?;
    Ok(HttpResponse::Ok().json(verification))
}

/// Verifies a signed credential as Open Badges 3.0 orders it, and reports every check made: its
/// form (a compact JWS with a section 8.2 JOSE header), the key its `kid` names, the signature,
/// the JWT claims against the credential, its issuer, its dates and its current status. A
/// credential that is not genuine answers 200 with `genuine: false`, the failed check and the
/// reason.
#[utoipa::path(
    tag = "verification",
    request_body = VerifyInput,
    responses((status = 200, description = "The verification", body = Verification))
)]
#[post("/verify")]
pub async fn verify_credential(
    db: web::Data<Db>,
    keys: web::Data<CredentialKeys>,
    token_keys: web::Data<KeySet>,
    public_url: web::Data<PublicUrl>,
    Json(input): Json<VerifyInput>,
) -> Result<HttpResponse, ApiError> {
    let base = public_url.0.clone();
    let mut report = checks::verify_proof(input.credential.trim(), &keys, &token_keys, &base);
    let Some(credential) = report.credential.take() else {
        return Ok(HttpResponse::Ok().json(Verification::not_genuine(report)));
    };
    let verification = db
        .run(move |conn| with_certificate(conn, report, &credential, &base))
        .await?;
    Ok(HttpResponse::Ok().json(verification))
}

/// The checks that need the certificate: its issuer, dates and status.
fn with_certificate(
    conn: &mut DbConnection,
    mut report: Report,
    credential: &serde_json::Value,
    base: &str,
) -> Result<Verification, ApiError> {
    let id = credential["id"]
        .as_str()
        .and_then(|id| id.strip_prefix("urn:uuid:"));
    let row = match id {
        Some(id) => repo::find(conn, id)?.filter(|row| row.credential.is_some()),
        None => None,
    };
    let Some(row) = row else {
        report.fail(
            CheckName::Issuer,
            "no certificate of this service has this credential",
        );
        return Ok(Verification::not_genuine(report));
    };
    let issuer = credential["issuer"]["id"].as_str().unwrap_or_default();
    let legacy_issuer = format!("{base}/v1/organisations/{}", row.issuer_organisation_id);
    if issuer != issuer_url(base, &row.issuer_organisation_id) && issuer != legacy_issuer {
        report.fail(
            CheckName::Issuer,
            format!("{issuer} did not issue this certificate"),
        );
        return Ok(Verification::not_genuine(report));
    }
    report.pass(
        CheckName::Issuer,
        format!("issued by {issuer}, an organisation of this registry"),
    );
    let outcome = checks::dates(credential, Utc::now());
    match outcome {
        Ok(detail) => report.pass(CheckName::Dates, detail),
        Err(detail) => report.fail(CheckName::Dates, detail),
    }
    let mut verification = verification_of(conn, row)?;
    report.checks.push(status_check(&verification));
    verification.checks = report.checks;
    Ok(verification)
}

/// The service's W3C Bitstring Status List of every certificate's bit, as a signed
/// `BitstringStatusListCredential` (VC-JWT) in the service's name: what credentials issued before
/// lists were per issuer point at. Newer credentials point at their issuer's list.
#[utoipa::path(
    tag = "verification",
    params(("list" = i32, Path, description = "List number, from a credential's `credentialStatus`")),
    responses((status = 200, description = "The status list credential as a compact JWS", content_type = "application/vc+jwt", body = String,
        headers(("Cache-Control" = String, description = "Lists change as certificates are revoked: fetch again after a minute"))))
)]
#[get("/status-lists/{list}")]
pub async fn status_list(
    db: web::Data<Db>,
    keys: web::Data<CredentialKeys>,
    cache: web::Data<StatusListCache>,
    public_url: web::Data<PublicUrl>,
    list: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let list = list.into_inner();
    let base = public_url.0.clone();
    let id = ListId { list, issuer: None };
    let jwt = db
        .run(move |conn| cache.credential(conn, (&keys, &base), id, Securing::Jwt))
        .await?;
    Ok(status_list_response("application/vc+jwt", jwt))
}

/// An issuer's list, secured as asked, signed anew only after a certificate event.
async fn issuer_list(
    db: &Db,
    (keys, cache): (web::Data<CredentialKeys>, web::Data<StatusListCache>),
    base: String,
    (issuer, list): (String, i32),
    securing: Securing,
) -> Result<Bytes, ApiError> {
    db.run(move |conn| {
        let id = ListId {
            list,
            issuer: Some(&issuer),
        };
        cache.credential(conn, (&keys, &base), id, securing)
    })
    .await
}

fn status_list_response(media_type: &str, body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(media_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .insert_header((header::VARY, "Accept"))
        .body(body)
}

/// An issuer's W3C Bitstring Status List: a `BitstringStatusListCredential` in the organisation's
/// name holding the bits of its certificates, what a credential's
/// `credentialStatus.statusListCredential` names. A certificate's bit is set once it is revoked or
/// superseded by a correction. As a VC-JWT (`application/vc+jwt`, signed like the certificates'
/// credentials) or as JSON-LD with a Data Integrity proof (`eddsa-jcs-2022`, verified with the
/// issuer profile's Multikey) for `application/vc`, `application/ld+json` or `application/json`.
#[utoipa::path(
    tag = "verification",
    params(("id" = String, Path, description = "Organisation id"),
        ("list" = i32, Path, description = "List number, from a credential's `credentialStatus`")),
    responses((status = 200, description = "The status list credential",
        content((String = "application/vc+jwt"), (Object = "application/vc"), (Object = "application/ld+json"), (Object = "application/json")),
        headers(("Cache-Control" = String, description = "Lists change as certificates are revoked: fetch again after a minute"),
            ("Vary" = String, description = "The form depends on Accept"))))
)]
#[get("/issuers/{id}/status-lists/{list}")]
pub async fn issuer_status_list(
    request: HttpRequest,
    db: web::Data<Db>,
    keys: web::Data<CredentialKeys>,
    cache: web::Data<StatusListCache>,
    public_url: web::Data<PublicUrl>,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (issuer, list) = path.into_inner();
    let base = public_url.0.clone();
    let media_type = route_table::choose(
        &request,
        &[
            "application/vc+jwt",
            "application/vc",
            "application/ld+json",
            "application/json",
        ],
    );
    let securing = if media_type == "application/vc+jwt" {
        Securing::Jwt
    } else {
        Securing::DataIntegrity
    };
    let body = issuer_list(&db, (keys, cache), base, (issuer, list), securing).await?;
    Ok(status_list_response(media_type, body))
}

/// An issuer's IETF Token Status List (`statuslist+jwt`): the same bits as its Bitstring Status
/// List, for the SD-JWT VCs delivered to wallets, whose `status.status_list.uri` names it. Bit 0
/// is the least significant bit of the first byte; the list is ZLIB-compressed and signed with
/// ES256 by the key `/v1/credential-keys` lists.
#[utoipa::path(
    tag = "verification",
    params(("id" = String, Path, description = "Organisation id"),
        ("list" = i32, Path, description = "List number, from an SD-JWT VC's `status.status_list.uri`")),
    responses((status = 200, description = "The status list token as a compact JWS", content_type = "application/statuslist+jwt", body = String,
        headers(("Cache-Control" = String, description = "Lists change as certificates are revoked: fetch again after a minute"))))
)]
#[get("/issuers/{id}/token-status-lists/{list}")]
pub async fn issuer_token_status_list(
    db: web::Data<Db>,
    keys: web::Data<CredentialKeys>,
    cache: web::Data<StatusListCache>,
    public_url: web::Data<PublicUrl>,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (issuer, list) = path.into_inner();
    let base = public_url.0.clone();
    let body = issuer_list(&db, (keys, cache), base, (issuer, list), Securing::Token).await?;
    Ok(HttpResponse::Ok()
        .content_type(super::token_status_list::TYPE_MEDIA)
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .body(body))
}
