//! HTTP endpoints of recognitions, under the learning environment they recognise.

use actix_web::{get, post, web, HttpResponse};

use super::{
    domain::{self, NOT_FOUND},
    dto::{EndInput, Recognition, RecognitionBatch, RecognitionFilter, RecognitionInput},
    policy, repo, views,
};
use crate::{
    audit::Actor,
    auth::{Caller, Scope},
    concurrency::{with_etag, OptionalIfMatch},
    db::{today, Db, DbConnection},
    environments::{domain::NOT_FOUND as ENVIRONMENT_NOT_FOUND, repo as environments},
    error::ApiError,
    extract::{Json, Query},
    pagination::{Page, PageRequest},
};

fn view(conn: &mut DbConnection, environment_id: &str, id: &str) -> Result<Recognition, ApiError> {
    let row = repo::find(conn, environment_id, id)?.ok_or(NOT_FOUND)?;
    views::views(conn, vec![row])?.pop().ok_or(NOT_FOUND)
}

/// The recognising organisation: the caller's own, or the one an administrator names.
fn provider_for(caller: &Caller, named: Option<&str>) -> Result<String, ApiError> {
    caller.require(Scope::EnvironmentsWrite)?;
    match (named, caller.organisation_id.as_deref()) {
        (Some(named), _) if caller.is_admin() => Ok(named.to_owned()),
        (Some(named), Some(own)) if named == own => Ok(own.to_owned()),
        (None, Some(own)) => Ok(own.to_owned()),
        (None, None) => Err(ApiError::validation(
            "provider_organisation_id",
            "required",
            "an administrator names the education provider that recognises the environment",
        )),
        _ => Err(ApiError::Forbidden(
            "A client recognises environments as its own organisation.".to_owned(),
        )),
    }
}

/// Recognises a learning environment for one or more qualification units, one recognition per
/// unit. The caller's organisation must be an education provider; the environment may belong
/// to any organisation.
#[utoipa::path(
    tag = "learning-environments",
    params(("id" = String, Path, description = "Learning environment id")),
    request_body = RecognitionInput,
    security(("oauth2" = ["environments:write"])),
    responses(
        (status = 201, description = "Recognised", body = RecognitionBatch),
        (status = 409, description = "The provider already recognises a unit for an overlapping period, or the environment is inactive",
            body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/learning-environments/{id}/recognitions")]
pub async fn create(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    Json(input): Json<RecognitionInput>,
) -> Result<HttpResponse, ApiError> {
    let provider = provider_for(&caller, input.provider_organisation_id.as_deref())?;
    let environment_id = id.into_inner();
    let items = db
        .write(move |conn| {
            let environment = environments::find(conn, &environment_id)?.ok_or(ENVIRONMENT_NOT_FOUND)?;
            let ids = domain::create(conn, &Actor::from(&caller), &environment, &provider, input)?;
            let rows = repo::find_many(conn, &ids)?;
            views::views(conn, rows)
        })
        .await?;
    Ok(HttpResponse::Created().json(RecognitionBatch { items }))
}

/// Lists an environment's recognitions, in force or not, in the order they were made. A
/// recognition by another organisation that the environment's owner has not accepted (and that was
/// not made under an agreement), or that it declined, is listed only to the owner and to the
/// provider that made it.
#[utoipa::path(
    tag = "learning-environments",
    security((), ("oauth2" = [])),
    params(("id" = String, Path, description = "Learning environment id"), RecognitionFilter),
    responses((status = 200, description = "A page of recognitions", body = Page<Recognition>))
)]
#[get("/learning-environments/{id}/recognitions")]
pub async fn list(
    db: web::Data<Db>,
    caller: Option<Caller>,
    id: web::Path<String>,
    Query(filter): Query<RecognitionFilter>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let environment_id = id.into_inner();
    let page = db
        .run(move |conn| {
            let environment = environments::find(conn, &environment_id)?.ok_or(ENVIRONMENT_NOT_FOUND)?;
            let rows = repo::list(
                conn,
                &environment_id,
                policy::visible(caller.as_ref(), &environment.organisation_id),
                filter.provider.as_deref(),
                filter.unit.as_deref(),
                filter.status,
                today(),
                &page,
            )?;
            let page_of_rows = Page::from_rows(rows, &page, |row| row.id.clone(), |row| row);
            Ok(Page {
                items: views::views(conn, page_of_rows.items)?,
                next_cursor: page_of_rows.next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Reads a recognition; one the reader may not see in the list answers 404.
#[utoipa::path(
    tag = "learning-environments",
    security((), ("oauth2" = [])),
    params(("id" = String, Path, description = "Learning environment id"),
        ("recognition_id" = String, Path, description = "Recognition id")),
    responses((status = 200, description = "The recognition", body = Recognition,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/learning-environments/{id}/recognitions/{recognition_id}")]
pub async fn get(
    db: web::Data<Db>,
    caller: Option<Caller>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (environment_id, id) = path.into_inner();
    let recognition = db
        .run(move |conn| {
            let environment = environments::find(conn, &environment_id)?.ok_or(NOT_FOUND)?;
            let row = repo::find(conn, &environment_id, &id)?.ok_or(NOT_FOUND)?;
            if !policy::sees(
                policy::visible(caller.as_ref(), &environment.organisation_id),
                &row,
            ) {
                return Err(NOT_FOUND);
            }
            views::views(conn, vec![row])?.pop().ok_or(NOT_FOUND)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &recognition))
}

/// Ends a recognition from a date (today when absent) with a reason. Only the recognising
/// provider ends it; the recognition stays in the history and leaves the catalogue that day.
#[utoipa::path(
    tag = "learning-environments",
    params(("id" = String, Path, description = "Learning environment id"),
        ("recognition_id" = String, Path, description = "Recognition id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the version being ended; optional")),
    request_body = EndInput,
    security(("oauth2" = ["environments:write"])),
    responses(
        (status = 200, description = "Ended", body = Recognition, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "Already ended", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/learning-environments/{id}/recognitions/{recognition_id}/end")]
pub async fn end(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String)>,
    OptionalIfMatch(if_match): OptionalIfMatch,
    Json(input): Json<EndInput>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::EnvironmentsWrite)?;
    let (environment_id, id) = path.into_inner();
    let recognition = db
        .write(move |conn| {
            let current = repo::find(conn, &environment_id, &id)?.ok_or(NOT_FOUND)?;
            if !caller.acts_for(&current.provider_organisation_id) {
                return Err(ApiError::Forbidden(
                    "Only the education provider that made a recognition ends it.".to_owned(),
                ));
            }
            if let Some(if_match) = &if_match {
                if_match.check(current.version)?;
            }
            domain::end(conn, &Actor::from(&caller), &current, &input)?;
            view(conn, &environment_id, &id)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &recognition))
}

/// The owner's answer to another organisation's recognition of its environment, as a handler.
async fn decide(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: OptionalIfMatch,
    accepted: bool,
) -> Result<HttpResponse, ApiError> {
    let (environment_id, id) = path.into_inner();
    let OptionalIfMatch(if_match) = if_match;
    let recognition = db
        .write(move |conn| {
            let current = repo::find(conn, &environment_id, &id)?.ok_or(NOT_FOUND)?;
            let environment = environments::find(conn, &environment_id)?.ok_or(ENVIRONMENT_NOT_FOUND)?;
            crate::environments::policy::can_write(&caller, &environment.organisation_id)?;
            if let Some(if_match) = &if_match {
                if_match.check(current.version)?;
            }
            domain::decide(
                conn,
                &Actor::from(&caller),
                &current,
                &environment.organisation_id,
                accepted,
            )?;
            view(conn, &environment_id, &id)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &recognition))
}

/// The environment's owner accepts another organisation's recognition of it: it becomes public
/// (catalogue, public statistics) while it is in force.
#[utoipa::path(
    tag = "learning-environments",
    params(("id" = String, Path, description = "Learning environment id"),
        ("recognition_id" = String, Path, description = "Recognition id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the version being answered; optional")),
    security(("oauth2" = ["environments:write"])),
    responses(
        (status = 200, description = "Accepted", body = Recognition, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "The provider owns the environment: there is nothing to accept", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/learning-environments/{id}/recognitions/{recognition_id}/accept")]
pub async fn accept_recognition(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: OptionalIfMatch,
) -> Result<HttpResponse, ApiError> {
    decide(db, caller, path, if_match, true).await
}

/// The environment's owner declines another organisation's recognition of it, or ends its earlier
/// consent: it leaves the public view at once, even when an agreement covers the environment.
#[utoipa::path(
    tag = "learning-environments",
    params(("id" = String, Path, description = "Learning environment id"),
        ("recognition_id" = String, Path, description = "Recognition id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the version being answered; optional")),
    security(("oauth2" = ["environments:write"])),
    responses(
        (status = 200, description = "Declined", body = Recognition, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "The provider owns the environment: there is nothing to decline", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/learning-environments/{id}/recognitions/{recognition_id}/decline")]
pub async fn decline_recognition(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: OptionalIfMatch,
) -> Result<HttpResponse, ApiError> {
    decide(db, caller, path, if_match, false).await
}
