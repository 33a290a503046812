//! HTTP endpoints of cooperation agreements.

use actix_web::{get, patch, post, web, HttpResponse};

use super::{
    domain::{self, NOT_FOUND},
    dto::{Agreement, AgreementFilter, AgreementInput, TerminationInput},
    model::{AgreementRow, PartyRow},
    policy,
    repo::{self, Children},
    views,
};
use crate::{
    audit::Actor,
    auth::Caller,
    concurrency::{created, with_etag, IfMatch},
    db::{Db, DbConnection},
    error::ApiError,
    extract::{Json, MergePatch, Query},
    pagination::{Page, PageRequest},
};

/// One agreement as `caller` may see it: parties in full, others a summary of one in force.
fn view(conn: &mut DbConnection, row: AgreementRow, caller: Option<&Caller>) -> Result<Agreement, ApiError> {
    let children = repo::children(conn, std::slice::from_ref(&row.id))?;
    let full = policy::sees_everything(caller, &children.parties);
    if !full && domain::effective_status(&row, domain::today()) != super::dto::AgreementStatus::Active {
        return Err(NOT_FOUND);
    }
    views::views_of(conn, vec![row], children, |_| full)?
        .pop()
        .ok_or(NOT_FOUND)
}

/// Loads an agreement and its lists for a change by `caller` at the version `If-Match` names.
fn load_for_change(
    conn: &mut DbConnection,
    id: &str,
    caller: &Caller,
    if_match: &IfMatch,
) -> Result<(AgreementRow, Children), ApiError> {
    let row = repo::find(conn, id)?.ok_or(NOT_FOUND)?;
    let children = repo::children(conn, std::slice::from_ref(&row.id))?;
    policy::can_change(caller, &children.parties)?;
    if_match.check(row.version)?;
    Ok((row, children))
}

/// Drafts an agreement; the caller's organisation is among the parties and issues it.
#[utoipa::path(
    tag = "agreements",
    request_body = AgreementInput,
    security(("oauth2" = ["agreements:write"])),
    responses(
        (status = 201, description = "Drafted", body = Agreement,
            headers(("ETag" = String, description = "The version"), ("Location" = String, description = "The agreement's URL"))),
        (status = 409, description = "The reference number is taken", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements")]
pub async fn create(
    db: web::Data<Db>,
    caller: Caller,
    Json(input): Json<AgreementInput>,
) -> Result<HttpResponse, ApiError> {
    let party_ids: Vec<&str> = input.parties.iter().map(|p| p.organisation_id.as_str()).collect();
    policy::can_create(&caller, &party_ids)?;
    let issuer = policy::issuer_of(&caller, &party_ids);
    let actor = Actor::from(&caller);
    let agreement = db
        .write(move |conn| {
            let id = domain::create(conn, &actor, issuer, input)?;
            let row = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            view(conn, row, Some(&caller))
        })
        .await?;
    Ok(created(format!("/v1/agreements/{}", agreement.id), &agreement))
}

/// Lists agreements: those in force for everyone, and all of the caller's own (`agreements:read`).
#[utoipa::path(
    tag = "agreements",
    security((), ("oauth2" = ["agreements:read"])),
    params(AgreementFilter),
    responses((status = 200, description = "A page of agreements", body = Page<Agreement>))
)]
#[get("/agreements")]
pub async fn list(
    db: web::Data<Db>,
    caller: Option<Caller>,
    Query(filter): Query<AgreementFilter>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let (items, next_cursor) = db
        .run(move |conn| {
            let everything = caller.as_ref().is_some_and(Caller::is_admin);
            let party_of = policy::reads_for(caller.as_ref()).map(str::to_owned);
            let rows = repo::list(conn, &filter, party_of, everything, domain::today(), &page)?;
            let page_of_rows = Page::from_rows(rows, &page, |row| row.id.clone(), |row| row);
            let items = views::views(conn, page_of_rows.items, |parties| {
                policy::sees_everything(caller.as_ref(), parties)
            })?;
            Ok((items, page_of_rows.next_cursor))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Reads an agreement: parties see all of it, others the summary of one in force.
#[utoipa::path(
    tag = "agreements",
    security((), ("oauth2" = ["agreements:read"])),
    params(("id" = String, Path, description = "Agreement id")),
    responses((status = 200, description = "The agreement", body = Agreement,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/agreements/{id}")]
pub async fn get(
    db: web::Data<Db>,
    caller: Option<Caller>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let agreement = db
        .run(move |conn| {
            let row = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            view(conn, row, caller.as_ref())
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &agreement))
}

/// Changes a draft with a JSON Merge Patch (lists are replaced whole). Confirmations are reset.
#[utoipa::path(
    tag = "agreements",
    params(("id" = String, Path, description = "Agreement id")),
    security(("oauth2" = ["agreements:write"])),
    request_body(content = Object, content_type = "application/merge-patch+json",
        description = "The fields to change, as in AgreementInput",
        example = json!({"valid_until": "2028-06-30", "terms": "Päivitetyt ehdot."})),
    responses(
        (status = 200, description = "Updated", body = Agreement, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "Not a draft, or the reference number is taken", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/agreements/{id}")]
pub async fn update(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let agreement = db
        .write(move |conn| {
            let (current, children) = load_for_change(conn, &id, &caller, &if_match)?;
            let input = patch.apply_to(&views::input_of(&current, &children))?;
            let party_ids: Vec<&str> = input.parties.iter().map(|p| p.organisation_id.as_str()).collect();
            policy::can_create(&caller, &party_ids)?;
            domain::update(conn, &Actor::from(&caller), &current, input)?;
            let row = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            view(conn, row, Some(&caller))
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &agreement))
}

/// Runs a lifecycle action and answers with the agreement as it then is.
async fn action(
    db: web::Data<Db>,
    caller: Caller,
    id: String,
    if_match: IfMatch,
    act: impl FnOnce(&mut DbConnection, &Caller, &AgreementRow, &[PartyRow]) -> Result<(), ApiError>
        + Send
        + 'static,
) -> Result<HttpResponse, ApiError> {
    let agreement = db
        .write(move |conn| {
            let (current, children) = load_for_change(conn, &id, &caller, &if_match)?;
            act(conn, &caller, &current, &children.parties)?;
            let row = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            view(conn, row, Some(&caller))
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &agreement))
}

/// Confirms the draft as it stands, for the caller's organisation.
#[utoipa::path(
    tag = "agreements",
    params(("id" = String, Path, description = "Agreement id"),
        ("If-Match" = String, Header, description = "The ETag of the version being confirmed")),
    security(("oauth2" = ["agreements:write"])),
    responses((status = 200, description = "Confirmed", body = Agreement))
)]
#[post("/agreements/{id}/confirm")]
pub async fn confirm(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    action(
        db,
        caller,
        id.into_inner(),
        if_match,
        |conn, caller, current, parties| {
            let organisation = caller
                .organisation_id
                .clone()
                .ok_or_else(|| ApiError::Forbidden("Each party confirms for itself.".to_owned()))?;
            domain::confirm(
                conn,
                &Actor::from(caller),
                current,
                parties,
                &organisation,
                &caller.client_id,
            )
        },
    )
    .await
}

/// Activates a draft once every party has confirmed it.
#[utoipa::path(
    tag = "agreements",
    params(("id" = String, Path, description = "Agreement id"),
        ("If-Match" = String, Header, description = "The ETag of the version the change is based on")),
    security(("oauth2" = ["agreements:write"])),
    responses(
        (status = 200, description = "Active", body = Agreement),
        (status = 409, description = "Not a draft, or a party has not confirmed", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements/{id}/activate")]
pub async fn activate(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    action(
        db,
        caller,
        id.into_inner(),
        if_match,
        |conn, caller, current, parties| domain::activate(conn, &Actor::from(caller), current, parties),
    )
    .await
}

/// Ends an agreement in force, recording the date, the reason and the party that ended it.
#[utoipa::path(
    tag = "agreements",
    params(("id" = String, Path, description = "Agreement id"),
        ("If-Match" = String, Header, description = "The ETag of the version the change is based on")),
    request_body = TerminationInput,
    security(("oauth2" = ["agreements:write"])),
    responses((status = 200, description = "Terminated", body = Agreement))
)]
#[post("/agreements/{id}/terminate")]
pub async fn terminate(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    Json(input): Json<TerminationInput>,
) -> Result<HttpResponse, ApiError> {
    action(
        db,
        caller,
        id.into_inner(),
        if_match,
        move |conn, caller, current, parties| {
            let by = policy::terminating_party(caller, input.organisation_id.as_deref(), parties)?;
            domain::terminate(conn, &Actor::from(caller), current, &by, &input)
        },
    )
    .await
}
