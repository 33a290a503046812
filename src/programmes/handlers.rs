//! HTTP endpoints of programmes.

use actix_web::{get, patch, post, web, HttpResponse};

use super::{
    domain::{self, NOT_FOUND},
    dto::{Programme, ProgrammeFilter, ProgrammeInput},
    policy, repo, views,
};
use crate::{
    audit::Actor,
    auth::Caller,
    concurrency::{created, with_etag, IfMatch},
    db::Db,
    error::ApiError,
    extract::{Json, MergePatch, Query},
    pagination::{Page, PageRequest},
};

/// Creates a programme, administered by the caller's organisation.
#[utoipa::path(
    tag = "programmes",
    request_body = ProgrammeInput,
    security(("oauth2" = ["programmes:write"])),
    responses(
        (status = 201, description = "Created", body = Programme,
            headers(("ETag" = String, description = "The version"), ("Location" = String, description = "The programme's URL"))),
    )
)]
#[post("/programmes")]
pub async fn create(
    db: web::Data<Db>,
    caller: Caller,
    Json(input): Json<ProgrammeInput>,
) -> Result<HttpResponse, ApiError> {
    let administrator = match (&input.administrator_organisation_id, &caller.organisation_id) {
        (Some(named), _) => named.clone(),
        (None, Some(own)) => own.clone(),
        (None, None) => {
            return Err(ApiError::validation(
                "administrator_organisation_id",
                "required",
                "a client without an organisation names the administering organisation",
            ))
        }
    };
    policy::can_create(&caller, &administrator)?;
    let actor = Actor::from(&caller);
    let programme = db
        .write(move |conn| {
            let id = domain::create(conn, &actor, administrator, input)?;
            let row = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            views::view(conn, row, Some(&caller))
        })
        .await?;
    Ok(created(format!("/v1/programmes/{}", programme.id), &programme))
}

/// Lists programmes. Programmes are public.
#[utoipa::path(
    tag = "programmes",
    security((), ("oauth2" = ["programmes:read"])),
    params(ProgrammeFilter),
    responses((status = 200, description = "A page of programmes", body = Page<Programme>))
)]
#[get("/programmes")]
pub async fn list(
    db: web::Data<Db>,
    caller: Option<Caller>,
    Query(filter): Query<ProgrammeFilter>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let page = db
        .run(move |conn| {
            let rows = repo::list(conn, &filter, &page)?;
            let rows = Page::from_rows(rows, &page, |row| row.id.clone(), |row| row);
            Ok(Page {
                items: views::views(conn, rows.items, caller.as_ref())?,
                next_cursor: rows.next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Reads a programme.
#[utoipa::path(
    tag = "programmes",
    security((), ("oauth2" = ["programmes:read"])),
    params(("id" = String, Path, description = "Programme id")),
    responses((status = 200, description = "The programme", body = Programme,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/programmes/{id}")]
pub async fn get(
    db: web::Data<Db>,
    caller: Option<Caller>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let programme = db
        .run(move |conn| {
            let row = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            views::view(conn, row, caller.as_ref())
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &programme))
}

/// Changes a programme with a JSON Merge Patch (lists are replaced whole).
#[utoipa::path(
    tag = "programmes",
    params(("id" = String, Path, description = "Programme id")),
    security(("oauth2" = ["programmes:write"])),
    request_body(content = Object, content_type = "application/merge-patch+json",
        description = "The fields to change, as in ProgrammeInput",
        example = json!({"status": "closed"})),
    responses(
        (status = 200, description = "Updated", body = Programme, headers(("ETag" = String, description = "The new version"))),
    )
)]
#[patch("/programmes/{id}")]
pub async fn update(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let programme = db
        .write(move |conn| {
            let current = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            policy::can_change(&caller, &current)?;
            if_match.check(current.version)?;
            let children = repo::children(conn, std::slice::from_ref(&current.id))?;
            let input = patch.apply_to(&views::input_of(&current, &children))?;
            domain::update(conn, &Actor::from(&caller), &current, input)?;
            let row = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            views::view(conn, row, Some(&caller))
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &programme))
}

/// An invited partner's answer, as a handler.
async fn decide_partnership(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    accept: bool,
) -> Result<HttpResponse, ApiError> {
    let organisation_id = policy::partner_organisation(&caller)?;
    let id = id.into_inner();
    let programme = db
        .write(move |conn| {
            let current = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            domain::decide_partnership(conn, &Actor::from(&caller), &current, &organisation_id, accept)?;
            let row = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            views::view(conn, row, Some(&caller))
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &programme))
}

/// The caller's organisation accepts being a partner of the programme, as its administrator
/// invited it to: only then is it listed as a partner, coaches participants and records
/// completions. Accepting twice changes nothing.
#[utoipa::path(
    tag = "programmes",
    params(("id" = String, Path, description = "Programme id")),
    security(("oauth2" = ["programmes:write"])),
    responses(
        (status = 200, description = "Accepted", body = Programme, headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such programme, or it names the caller's organisation nowhere", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/programmes/{id}/partnership/accept")]
pub async fn accept_partnership(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    decide_partnership(db, caller, id, true).await
}

/// The caller's organisation declines an invitation to be a partner of the programme, or ends
/// the partnership it accepted: it is no longer named by the programme.
#[utoipa::path(
    tag = "programmes",
    params(("id" = String, Path, description = "Programme id")),
    security(("oauth2" = ["programmes:write"])),
    responses(
        (status = 200, description = "Declined or ended", body = Programme, headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such programme, or it names the caller's organisation nowhere", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/programmes/{id}/partnership/decline")]
pub async fn decline_partnership(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    decide_partnership(db, caller, id, false).await
}
