//! HTTP endpoints of learning environments.

use actix_web::{delete, get, patch, post, web, HttpResponse};

use super::{
    domain::{self, NOT_FOUND},
    dto::{EnvironmentFilter, EnvironmentInput, LearningEnvironment},
    policy, repo, views,
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

/// One environment as `caller` sees it.
fn view(conn: &mut DbConnection, id: &str, caller: Option<&Caller>) -> Result<LearningEnvironment, ApiError> {
    let row = repo::find(conn, id)?.ok_or(NOT_FOUND)?;
    views::views(conn, vec![row], |owner| policy::sees_private(caller, owner))?
        .pop()
        .ok_or(NOT_FOUND)
}

/// Registers a learning environment of the caller's organisation.
#[utoipa::path(
    tag = "learning-environments",
    request_body = EnvironmentInput,
    security(("oauth2" = ["environments:write"])),
    responses(
        (status = 201, description = "Created", body = LearningEnvironment,
            headers(("ETag" = String, description = "The version, for If-Match"), ("Location" = String, description = "The new environment's URL"))),
    )
)]
#[post("/learning-environments")]
pub async fn create(
    db: web::Data<Db>,
    caller: Caller,
    Json(input): Json<EnvironmentInput>,
) -> Result<HttpResponse, ApiError> {
    let owner = policy::owner_for_new(&caller, input.organisation_id.as_deref())?;
    policy::can_write(&caller, &owner)?;
    let environment = db
        .write(move |conn| {
            let id = domain::create(conn, &Actor::from(&caller), &owner, input)?;
            view(conn, &id, Some(&caller))
        })
        .await?;
    Ok(created(
        format!("/v1/learning-environments/{}", environment.id),
        &environment,
    ))
}

/// Lists learning environments, active or not, in the order they were registered. Contact persons
/// marked private show only their title, except to their own organisation.
#[utoipa::path(
    tag = "learning-environments",
    security((), ("oauth2" = [])),
    params(EnvironmentFilter),
    responses((status = 200, description = "A page of learning environments", body = Page<LearningEnvironment>))
)]
#[get("/learning-environments")]
pub async fn list(
    db: web::Data<Db>,
    caller: Option<Caller>,
    Query(filter): Query<EnvironmentFilter>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let page = db
        .run(move |conn| {
            let rows = repo::list(conn, &filter, &page)?;
            let page_of_rows = Page::from_rows(rows, &page, |row| row.id.clone(), |row| row);
            let items = views::views(conn, page_of_rows.items, |owner| {
                policy::sees_private(caller.as_ref(), owner)
            })?;
            Ok(Page {
                items,
                next_cursor: page_of_rows.next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Reads a learning environment.
#[utoipa::path(
    tag = "learning-environments",
    security((), ("oauth2" = [])),
    params(("id" = String, Path, description = "Learning environment id")),
    responses((status = 200, description = "The learning environment", body = LearningEnvironment,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/learning-environments/{id}")]
pub async fn get(
    db: web::Data<Db>,
    caller: Option<Caller>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let environment = db.run(move |conn| view(conn, &id, caller.as_ref())).await?;
    Ok(with_etag(HttpResponse::Ok(), &environment))
}

/// Changes a learning environment with a JSON Merge Patch (RFC 7396): fields left out stay as they
/// are, `null` clears an optional field, lists are replaced whole. `{"active": false}` takes it
/// out of the catalogue.
#[utoipa::path(
    tag = "learning-environments",
    params(("id" = String, Path, description = "Learning environment id")),
    security(("oauth2" = ["environments:write"])),
    request_body(content = Object, content_type = "application/merge-patch+json",
        description = "The fields to change, as in EnvironmentInput",
        example = json!({"capacity": 6, "contact": {"phone": "+358 40 765 4321"}})),
    responses((status = 200, description = "Updated", body = LearningEnvironment,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/learning-environments/{id}")]
pub async fn update(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let environment = db
        .write(move |conn| {
            let current = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            policy::can_write(&caller, &current.organisation_id)?;
            if_match.check(current.version)?;
            let lists = repo::lists(conn, std::slice::from_ref(&current.id))?;
            let input = patch.apply_to(&views::input_of(&current, &lists))?;
            domain::update(conn, &Actor::from(&caller), &current, input)?;
            view(conn, &id, Some(&caller))
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &environment))
}

/// Deletes a learning environment that nothing refers to. One with recognitions or agreements
/// answers 409: deactivate it instead, so that its history stays readable.
#[utoipa::path(
    tag = "learning-environments",
    params(("id" = String, Path, description = "Learning environment id")),
    security(("oauth2" = ["environments:write"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Recognitions or agreements refer to it", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/learning-environments/{id}")]
pub async fn delete(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db.write(move |conn| {
        let current = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
        policy::can_write(&caller, &current.organisation_id)?;
        if_match.check(current.version)?;
        domain::delete(conn, &Actor::from(&caller), &current)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
