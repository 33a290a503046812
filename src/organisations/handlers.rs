//! HTTP endpoints of organisations.

use actix_web::{get, patch, post, web, HttpResponse};

use super::{
    domain,
    dto::{Organisation, OrganisationFilter, OrganisationInput},
    policy, repo,
};
use crate::{
    audit::Actor,
    auth::Caller,
    concurrency::{created, with_etag, IfMatch},
    db::{write_transaction, Db},
    error::ApiError,
    extract::{Json, MergePatch, Query},
    pagination::{Page, PageRequest},
};

const NOT_FOUND: ApiError = ApiError::NotFound {
    resource: "organisation",
};

/// Registers an organisation (administrators only).
#[utoipa::path(
    tag = "organisations",
    request_body = OrganisationInput,
    security(("oauth2" = ["admin"])),
    responses(
        (status = 201, description = "Created", body = Organisation,
            headers(("ETag" = String, description = "The version, for If-Match"), ("Location" = String, description = "The new organisation's URL"))),
        (status = 409, description = "The business ID is already registered", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organisations")]
pub async fn create(
    db: web::Data<Db>,
    caller: Caller,
    Json(input): Json<OrganisationInput>,
) -> Result<HttpResponse, ApiError> {
    policy::can_create(&caller)?;
    let actor = Actor::from(&caller);
    let (row, region) = db
        .run(move |conn| write_transaction(conn, |conn| domain::create(conn, &actor, input)))
        .await?;
    let organisation = Organisation::from_row(row, region);
    Ok(created(
        format!("/v1/organisations/{}", organisation.id),
        &organisation,
    ))
}

/// Reads an organisation's public profile.
#[utoipa::path(
    tag = "organisations",
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, description = "The organisation", body = Organisation,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/organisations/{id}")]
pub async fn get(db: web::Data<Db>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (row, region) = db
        .run(move |conn| Ok(repo::find(conn, &id)?))
        .await?
        .ok_or(NOT_FOUND)?;
    Ok(with_etag(
        HttpResponse::Ok(),
        &Organisation::from_row(row, region),
    ))
}

/// Lists organisations in the order they were registered.
#[utoipa::path(
    tag = "organisations",
    params(OrganisationFilter),
    responses((status = 200, description = "A page of organisations", body = Page<Organisation>))
)]
#[get("/organisations")]
pub async fn list(
    db: web::Data<Db>,
    Query(filter): Query<OrganisationFilter>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let (rows, page) = db
        .run(move |conn| Ok((repo::list(conn, &filter, &page)?, page)))
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        &page,
        |(row, _)| row.id.clone(),
        |(row, region)| Organisation::from_row(row, region),
    )))
}

/// Changes an organisation with a JSON Merge Patch (RFC 7396): fields left out stay as they are,
/// `null` clears an optional field. A client changes only its own organisation, and only its names
/// and contact details (`name`, `website`, `email`, `phone`, `address`): `kind`, `active`, `business_id`,
/// `oph_oid` and `municipality` decide what the organisation may do or who it is, and only
/// platform administrators change them (403 naming each such field otherwise).
#[utoipa::path(
    tag = "organisations",
    security(("oauth2" = ["organisations:write"])),
    params(("id" = String, Path, description = "Organisation id")),
    request_body(content = Object, content_type = "application/merge-patch+json",
        description = "The fields to change, as in OrganisationInput",
        example = json!({"phone": "+358 2 765 4321", "name": {"en": "Rauma Youth Workshop"}})),
    responses(
        (status = 200, description = "Updated", body = Organisation,
            headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "The business ID is already registered", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/organisations/{id}")]
pub async fn update(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (row, region) = db
        .write(move |conn| {
            let (current, _) = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            policy::can_update(&caller, &current)?;
            if_match.check(current.version)?;
            let unchanged = OrganisationInput::from(&current);
            let input = patch.apply_to(&unchanged)?;
            policy::can_change_fields(&caller, &unchanged, &input)?;
            domain::update(conn, &Actor::from(&caller), &current, input)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        &Organisation::from_row(row, region),
    ))
}
