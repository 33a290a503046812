use actix_web::{get, web, HttpResponse};

use super::{
    dto::{AuditEntry, AuditFilter},
    repo,
};
use crate::{
    auth::{Caller, Scope},
    db::Db,
    error::ApiError,
    extract::Query,
    pagination::{Page, PageRequest},
};

/// The audit log: an organisation sees the entries about its own records, administrators all.
#[utoipa::path(
    tag = "audit",
    params(AuditFilter),
    security(("oauth2" = ["audit:read"])),
    responses((status = 200, description = "A page of audit entries, oldest first", body = Page<AuditEntry>))
)]
#[get("/audit")]
pub async fn list(
    db: web::Data<Db>,
    caller: Caller,
    Query(filter): Query<AuditFilter>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::AuditRead)?;
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let owner = if caller.is_admin() {
        None
    } else {
        // A client without an organisation owns no records.
        Some(caller.organisation_id.clone().unwrap_or_default())
    };
    let (rows, page) = db
        .run(move |conn| Ok((repo::list(conn, owner.as_deref(), &filter, &page)?, page)))
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        &page,
        |row| row.id.clone(),
        AuditEntry::from,
    )))
}
