//! The holder's view as an API: what the access link opens, for programs the holder uses.
//! No account: the link's secret (`access`) is the key. Answers are never stored by caches.

use actix_web::{get, post, web, HttpRequest, HttpResponse};

use super::{
    domain,
    dto::{AccessQuery, HolderView},
};
use crate::{
    audit::Actor,
    certificates::{
        credential::PublicUrl,
        dto::ReadPurpose,
        handlers::{pdf_answer, printable_for_holder},
        holder_link::HolderLinkRow,
        pdf::Handout,
        protection::PersonalDataKey,
    },
    client_address::client_address,
    db::{write_transaction, Db, DbConnection},
    error::ApiError,
    extract::Query,
    lookups::Lookups,
};

/// Opens the link (counting unknown secrets per address), then runs `work` in one transaction.
pub async fn with_link<T, F>(db: &Db, request: &HttpRequest, secret: String, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection, &HolderLinkRow) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let address = client_address(request);
    db.run(move |conn| {
        let link = domain::open(conn, &secret, &address)?;
        write_transaction(conn, |conn| work(conn, &link))
    })
    .await
}

/// The holder's certificates from one issuer, and for each every read of its personal data (by
/// which organisation, when, for what) and every share (with whom, the consent's date and
/// method, when it ended). After 10 unknown secrets from one address in 15 minutes, that address
/// is refused for the rest of the window.
#[utoipa::path(
    tag = "holders",
    params(AccessQuery),
    responses(
        (status = 200, description = "The holder's view", body = HolderView,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 404, description = "No access link in use has this secret", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many unknown secrets from this address", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/holder")]
pub async fn holder_view(
    db: web::Data<Db>,
    (key, lookups): (web::Data<PersonalDataKey>, web::Data<Lookups>),
    request: HttpRequest,
    Query(query): Query<AccessQuery>,
) -> Result<HttpResponse, ApiError> {
    let view = with_link(&db, &request, query.access, move |conn, link| {
        domain::view(conn, link, (&lookups, &key))
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The holder withdraws consent to a share: it ends at once, the education provider can no longer
/// read the certificate, and its feed and webhooks hear `unshared`. Withdrawing a share that has
/// ended already changes nothing. Answers the view as it is now.
#[utoipa::path(
    tag = "holders",
    params(("share_id" = String, Path, description = "The share's id (`shares[].id` of the view)"), AccessQuery),
    responses(
        (status = 200, description = "Withdrawn; the holder's view now", body = HolderView),
        (status = 404, description = "No access link in use has this secret, or the share is not of its certificates", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many unknown secrets from this address", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/holder/shares/{share_id}/withdraw")]
pub async fn withdraw_consent(
    db: web::Data<Db>,
    (key, lookups): (web::Data<PersonalDataKey>, web::Data<Lookups>),
    request: HttpRequest,
    share_id: web::Path<String>,
    Query(query): Query<AccessQuery>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::holder(&request);
    let view = with_link(&db, &request, query.access, move |conn, link| {
        domain::withdraw(conn, link, &share_id, &actor)?;
        domain::view(conn, link, (&lookups, &key))
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// One of the holder's certificates as a PDF, for the holder to keep or print. Audited as the
/// holder's own read.
#[utoipa::path(
    tag = "holders",
    params(("id" = String, Path, description = "Certificate id"), AccessQuery),
    responses(
        (status = 200, description = "The certificate as a PDF document", content_type = "application/pdf", body = inline(crate::certificates::dto::PdfDocument)),
        (status = 404, description = "No access link in use has this secret, or the certificate is not the holder's", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many unknown secrets from this address", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/holder/certificates/{id}/pdf")]
pub async fn holder_pdf(
    db: web::Data<Db>,
    (key, lookups, public_url): (
        web::Data<PersonalDataKey>,
        web::Data<Lookups>,
        web::Data<PublicUrl>,
    ),
    request: HttpRequest,
    id: web::Path<String>,
    Query(query): Query<AccessQuery>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::holder(&request);
    let (certificate, letterhead) = with_link(&db, &request, query.access, move |conn, link| {
        let row = domain::certificate(conn, link, &id)?;
        domain::record_download(conn, &actor, &row, ReadPurpose::Pdf)?;
        printable_for_holder(conn, (&lookups, &key), row)
    })
    .await?;
    pdf_answer(certificate, letterhead, &public_url.0, Handout::default()).await
}

/// One of the holder's certificates as its signed Open Badges 3.0 credential (VC-JWT), for the
/// holder to keep or hand to anyone who verifies it. Audited as the holder's own read.
#[utoipa::path(
    tag = "holders",
    params(("id" = String, Path, description = "Certificate id"), AccessQuery),
    responses(
        (status = 200, description = "The credential as a compact JWS", content_type = "application/vc+jwt", body = String),
        (status = 404, description = "No access link in use has this secret, or the certificate is not the holder's", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many unknown secrets from this address", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/holder/certificates/{id}/credential")]
pub async fn holder_credential(
    db: web::Data<Db>,
    request: HttpRequest,
    id: web::Path<String>,
    Query(query): Query<AccessQuery>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::holder(&request);
    let jwt = with_link(&db, &request, query.access, move |conn, link| {
        let row = domain::certificate(conn, link, &id)?;
        domain::record_download(conn, &actor, &row, ReadPurpose::Credential)?;
        row.credential
            .ok_or_else(|| ApiError::internal(format!("issued certificate {} has no credential", row.id)))
    })
    .await?;
    Ok(HttpResponse::Ok().content_type("application/vc+jwt").body(jwt))
}
