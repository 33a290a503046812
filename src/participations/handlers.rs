//! HTTP endpoints of participations and their completed units.

use actix_web::{delete, get, http::header, patch, post, web, HttpResponse};

use super::{
    domain::{self, COMPLETION_NOT_FOUND, NOT_FOUND},
    dto::{Completion, CompletionInput, Participation, ParticipationFilter, ParticipationInput},
    model::ParticipationRow,
    policy::{self, Reach},
    repo, views,
};
use crate::{
    audit::Actor,
    auth::Caller,
    concurrency::{created, with_etag, IfMatch},
    db::{today, Db, DbConnection},
    error::ApiError,
    extract::{Json, MergePatch, Query},
    pagination::{Page, PageRequest},
    programmes::{domain::NOT_FOUND as PROGRAMME_NOT_FOUND, model::ProgrammeRow, repo as programmes},
};

/// The programme, and whether the caller's organisation is one of its partners.
fn programme_and_partnership(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> Result<(ProgrammeRow, bool), ApiError> {
    let programme = programmes::find(conn, id)?.ok_or(PROGRAMME_NOT_FOUND)?;
    let is_partner = match &caller.organisation_id {
        Some(own) => programmes::is_partner(conn, id, own)?,
        None => false,
    };
    Ok((programme, is_partner))
}

/// The programme and what the caller reaches of its participations.
fn programme_for(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> Result<(ProgrammeRow, bool, Reach), ApiError> {
    let (programme, is_partner) = programme_and_partnership(conn, caller, id)?;
    let reach = policy::reach(caller, &programme, is_partner)?;
    Ok((programme, is_partner, reach))
}

/// A participation the caller reaches.
fn participation_for(
    conn: &mut DbConnection,
    caller: &Caller,
    programme_id: &str,
    id: &str,
) -> Result<(ProgrammeRow, ParticipationRow, Reach), ApiError> {
    let (programme, _, reach) = programme_for(conn, caller, programme_id)?;
    let row = repo::find(conn, programme_id, id)?
        .filter(|row| reach.covers(row))
        .ok_or(NOT_FOUND)?;
    Ok((programme, row, reach))
}

/// Records a participant's coaching period: the administrator for any partner, a partner for itself.
/// The coach is the administrator or a partner that accepted. `certificate_ids` may name issued
/// certificates the recording organisation issued or was shared; any other id answers 404, the
/// same as an id no certificate has.
#[utoipa::path(
    tag = "programmes",
    params(("id" = String, Path, description = "Programme id")),
    request_body = ParticipationInput,
    security(("oauth2" = ["programmes:write"])),
    responses(
        (status = 201, description = "Recorded", body = Participation,
            headers(("ETag" = String, description = "The version"), ("Location" = String, description = "The participation's URL"))),
        (status = 404, description = "No such programme, or a linked certificate does not exist or cannot be read by the recording organisation",
            body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/programmes/{id}/participations")]
pub async fn create(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    Json(input): Json<ParticipationInput>,
) -> Result<HttpResponse, ApiError> {
    let programme_id = id.into_inner();
    let participation = db
        .write(move |conn| {
            let (programme, _, reach) = programme_for(conn, &caller, &programme_id)?;
            policy::can_write(&reach, &caller, &input.coach_organisation_id)?;
            let id = domain::create(conn, &Actor::from(&caller), &programme, &input)?;
            let row = repo::find(conn, &programme_id, &id)?.ok_or(NOT_FOUND)?;
            views::view(conn, row)
        })
        .await?;
    Ok(created(
        format!(
            "/v1/programmes/{}/participations/{}",
            participation.programme_id, participation.id
        ),
        &participation,
    ))
}

/// Lists a programme's participations: all for its administrator, a partner's own coachees for a partner.
#[utoipa::path(
    tag = "programmes",
    params(("id" = String, Path, description = "Programme id"), ParticipationFilter),
    security(("oauth2" = ["programmes:read"])),
    responses((status = 200, description = "A page of participations", body = Page<Participation>))
)]
#[get("/programmes/{id}/participations")]
pub async fn list(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    Query(filter): Query<ParticipationFilter>,
) -> Result<HttpResponse, ApiError> {
    let programme_id = id.into_inner();
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let page = db
        .run(move |conn| {
            let (_, _, reach) = programme_for(conn, &caller, &programme_id)?;
            let rows = repo::list(conn, &programme_id, &filter, reach.coach_filter(), today(), &page)?;
            let rows = Page::from_rows(rows, &page, |row| row.id.clone(), |row| row);
            Ok(Page {
                items: views::views(conn, rows.items)?,
                next_cursor: rows.next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Reads a participation.
#[utoipa::path(
    tag = "programmes",
    params(("id" = String, Path, description = "Programme id"), ("participation_id" = String, Path, description = "Participation id")),
    security(("oauth2" = ["programmes:read"])),
    responses((status = 200, description = "The participation", body = Participation,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/programmes/{id}/participations/{participation_id}")]
pub async fn get(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (programme_id, id) = path.into_inner();
    let participation = db
        .run(move |conn| {
            let (_, row, _) = participation_for(conn, &caller, &programme_id, &id)?;
            views::view(conn, row)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &participation))
}

/// Changes a participation with a JSON Merge Patch: typically its end date and next step. Linked
/// certificates follow the rules of recording one.
#[utoipa::path(
    tag = "programmes",
    params(("id" = String, Path, description = "Programme id"), ("participation_id" = String, Path, description = "Participation id")),
    security(("oauth2" = ["programmes:write"])),
    request_body(content = Object, content_type = "application/merge-patch+json",
        description = "The fields to change, as in ParticipationInput",
        example = json!({"ends_on": "2026-10-31", "next_step": "studies"})),
    responses(
        (status = 200, description = "Updated", body = Participation, headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such participation, or a linked certificate does not exist or cannot be read by the recording organisation",
            body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/programmes/{id}/participations/{participation_id}")]
pub async fn update(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let (programme_id, id) = path.into_inner();
    let participation = db
        .write(move |conn| {
            let (programme, current, reach) = participation_for(conn, &caller, &programme_id, &id)?;
            policy::can_write(&reach, &caller, &current.coach_organisation_id)?;
            if_match.check(current.version)?;
            let input = patch.apply_to(&views::input_of(conn, &current)?)?;
            policy::can_write(&reach, &caller, &input.coach_organisation_id)?;
            domain::update(conn, &Actor::from(&caller), &programme, &current, &input)?;
            let row = repo::find(conn, &programme_id, &id)?.ok_or(NOT_FOUND)?;
            views::view(conn, row)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &participation))
}

/// Removes a participation recorded by mistake. One with completed units stays: 409.
#[utoipa::path(
    tag = "programmes",
    params(("id" = String, Path, description = "Programme id"), ("participation_id" = String, Path, description = "Participation id")),
    security(("oauth2" = ["programmes:write"])),
    responses(
        (status = 204, description = "Removed"),
        (status = 409, description = "The participation has completed units", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/programmes/{id}/participations/{participation_id}")]
pub async fn delete(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (programme_id, id) = path.into_inner();
    db.write(move |conn| {
        let (programme, current, reach) = participation_for(conn, &caller, &programme_id, &id)?;
        policy::can_write(&reach, &caller, &current.coach_organisation_id)?;
        if_match.check(current.version)?;
        domain::delete(conn, &Actor::from(&caller), &programme, &current)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The programme and participation a completion call names, with the caller's partnership.
fn completion_target(
    conn: &mut DbConnection,
    caller: &Caller,
    programme_id: &str,
    id: &str,
) -> Result<(ProgrammeRow, ParticipationRow, bool), ApiError> {
    let (programme, is_partner) = programme_and_partnership(conn, caller, programme_id)?;
    let takes_part = caller.acts_for(&programme.administrator_organisation_id) || is_partner;
    let participation = repo::find(conn, programme_id, id)?
        .filter(|_| takes_part)
        .ok_or(NOT_FOUND)?;
    Ok((programme, participation, is_partner))
}

/// Records that the participant completed a qualification unit (and maybe the whole qualification).
#[utoipa::path(
    tag = "programmes",
    params(("id" = String, Path, description = "Programme id"), ("participation_id" = String, Path, description = "Participation id")),
    request_body = CompletionInput,
    security(("oauth2" = ["certificates:write"])),
    responses(
        (status = 201, description = "Recorded", body = Completion),
        (status = 409, description = "The unit is already recorded for the participant", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/programmes/{id}/participations/{participation_id}/completions")]
pub async fn record_completion(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String)>,
    Json(input): Json<CompletionInput>,
) -> Result<HttpResponse, ApiError> {
    let (programme_id, id) = path.into_inner();
    let provider = match (&input.provider_organisation_id, &caller.organisation_id) {
        (Some(named), _) => named.clone(),
        (None, Some(own)) => own.clone(),
        (None, None) => {
            return Err(ApiError::validation(
                "provider_organisation_id",
                "required",
                "a client without an organisation names the education provider",
            ))
        }
    };
    let completion = db
        .write(move |conn| {
            let (programme, participation, _) = completion_target(conn, &caller, &programme_id, &id)?;
            policy::can_record_completion(&caller, &programme, &provider)?;
            let actor = Actor::from(&caller);
            let id = domain::record_completion(conn, &actor, &programme, &participation, &provider, &input)?;
            let row = repo::find_completion(conn, &participation.id, &id)?.ok_or(COMPLETION_NOT_FOUND)?;
            domain::completion_views(conn, vec![row])?
                .pop()
                .ok_or(COMPLETION_NOT_FOUND)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!(
                "/v1/programmes/{}/participations/{}/completions/{}",
                completion.programme_id, completion.participation_id, completion.id
            ),
        ))
        .json(completion))
}

/// Lists the participant's completed units: all for those who reach the participation, a partner
/// education provider's own for it.
#[utoipa::path(
    tag = "programmes",
    params(("id" = String, Path, description = "Programme id"), ("participation_id" = String, Path, description = "Participation id")),
    security(("oauth2" = ["programmes:read"]), ("oauth2" = ["certificates:read"])),
    responses((status = 200, description = "The completed units", body = Page<Completion>))
)]
#[get("/programmes/{id}/participations/{participation_id}/completions")]
pub async fn list_completions(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (programme_id, id) = path.into_inner();
    let items = db
        .run(move |conn| {
            let (programme, participation, is_partner) =
                completion_target(conn, &caller, &programme_id, &id)?;
            let provider = policy::completion_reader(&caller, &programme, is_partner, &participation)?;
            let rows = repo::completions(conn, &participation.id, provider.as_deref())?;
            domain::completion_views(conn, rows)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// Removes a completion recorded by mistake.
#[utoipa::path(
    tag = "programmes",
    params(("id" = String, Path, description = "Programme id"), ("participation_id" = String, Path, description = "Participation id"),
        ("completion_id" = String, Path, description = "Completion id")),
    security(("oauth2" = ["certificates:write"])),
    responses((status = 204, description = "Removed"))
)]
#[delete("/programmes/{id}/participations/{participation_id}/completions/{completion_id}")]
pub async fn remove_completion(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (programme_id, id, completion_id) = path.into_inner();
    db.write(move |conn| {
        let (programme, participation, _) = completion_target(conn, &caller, &programme_id, &id)?;
        let completion =
            repo::find_completion(conn, &participation.id, &completion_id)?.ok_or(COMPLETION_NOT_FOUND)?;
        policy::can_remove_completion(&caller, &programme, &completion)?;
        domain::remove_completion(conn, &Actor::from(&caller), &programme, &completion)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
