//! HTTP endpoints of guidelines, their signatures and the public signatory lists.

use std::collections::BTreeMap;

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};

use super::{
    domain,
    dto::{
        Guideline, GuidelineFilter, GuidelineInput, GuidelineStatus, GuidelineSummary, Signatories,
        SignatoriesQuery, Signatory, SignatoryGroup, Signature, SignatureFilter, SignatureInput,
        SupersedeRequest, WithdrawalInput,
    },
    policy,
    repo::{self, SignatureWithOrganisation},
};
use crate::{
    audit::Actor,
    auth::Caller,
    concurrency::{created, with_etag, IfMatch, OptionalIfMatch},
    db::Db,
    error::ApiError,
    extract::{Json, MergePatch, Query},
    organisations::repo as organisations,
    pagination::{Page, PageRequest},
    replica::ReadDb,
    text::localized,
};

const NOT_FOUND: ApiError = ApiError::NotFound {
    resource: "guideline",
};

fn signature((row, organisation): SignatureWithOrganisation) -> Signature {
    Signature::from_row(row, organisation.into())
}

/// Drafts are visible to their owner and administrators only.
fn draft_visibility(caller: Option<&Caller>) -> Option<Option<String>> {
    match caller {
        Some(caller) if caller.is_admin() => Some(None),
        Some(caller) => caller.organisation_id.clone().map(Some),
        None => None,
    }
}

fn visible(row: &super::model::GuidelineRow, caller: Option<&Caller>) -> bool {
    row.status != GuidelineStatus::Draft
        || match draft_visibility(caller) {
            Some(None) => true,
            Some(Some(owner)) => row.owner_organisation_id.as_deref() == Some(owner.as_str()),
            None => false,
        }
}

/// Creates a draft guideline (administrators and regional networks, `guidelines:write`).
#[utoipa::path(
    tag = "guidelines",
    request_body = GuidelineInput,
    security(("oauth2" = ["guidelines:write"])),
    responses((status = 201, description = "Created as a draft", body = Guideline,
        headers(("ETag" = String, description = "The version, for If-Match"), ("Location" = String, description = "The guideline's URL"))))
)]
#[post("/guidelines")]
pub async fn create(
    db: web::Data<Db>,
    caller: Caller,
    Json(input): Json<GuidelineInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(&caller);
    let (row, regions) = db
        .write(move |conn| {
            let kind = match &caller.organisation_id {
                Some(id) => organisations::find(conn, id)?.map(|(row, _)| row.kind),
                None => None,
            };
            policy::can_create(&caller, kind)?;
            domain::create(conn, &actor, caller.organisation_id.clone(), input)
        })
        .await?;
    let guideline = Guideline::from_row(row, regions);
    Ok(created(format!("/v1/guidelines/{}", guideline.id), &guideline))
}

/// Lists guidelines; drafts only for their owner.
#[utoipa::path(
    tag = "guidelines",
    security((), ("oauth2" = [])),
    params(GuidelineFilter),
    responses((status = 200, description = "A page of guidelines", body = Page<Guideline>))
)]
#[get("/guidelines")]
pub async fn list(
    db: web::Data<Db>,
    caller: Option<Caller>,
    Query(filter): Query<GuidelineFilter>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let drafts = draft_visibility(caller.as_ref());
    let (rows, mut regions, page) = db
        .run(move |conn| {
            let rows = repo::list(conn, &filter, drafts, &page)?;
            let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
            Ok((rows, repo::regions_of(conn, &ids)?, page))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        &page,
        |row| row.id.clone(),
        |row| {
            let own_regions = regions.remove(&row.id).unwrap_or_default();
            Guideline::from_row(row, own_regions)
        },
    )))
}

/// Reads a guideline.
#[utoipa::path(
    tag = "guidelines",
    security((), ("oauth2" = [])),
    params(("id" = String, Path, description = "Guideline id")),
    responses((status = 200, description = "The guideline", body = Guideline,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/guidelines/{id}")]
pub async fn get(
    db: web::Data<Db>,
    caller: Option<Caller>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (row, regions) = db
        .run(move |conn| Ok(repo::find(conn, &id)?))
        .await?
        .ok_or(NOT_FOUND)?;
    if !visible(&row, caller.as_ref()) {
        return Err(NOT_FOUND);
    }
    Ok(with_etag(HttpResponse::Ok(), &Guideline::from_row(row, regions)))
}

/// Changes a draft guideline with a JSON Merge Patch; other statuses answer 409.
#[utoipa::path(
    tag = "guidelines",
    params(("id" = String, Path, description = "Guideline id")),
    security(("oauth2" = ["guidelines:write"])),
    request_body(content = Object, content_type = "application/merge-patch+json",
        description = "The fields to change, as in GuidelineInput",
        example = json!({"summary": "Päivitetty tiivistelmä.", "scope": {"national": false, "regions": ["04"]}})),
    responses(
        (status = 200, description = "Updated", body = Guideline, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "The guideline is not a draft", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/guidelines/{id}")]
pub async fn update(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (row, regions) = db
        .write(move |conn| {
            let (current, regions) = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            if !visible(&current, Some(&caller)) {
                return Err(NOT_FOUND);
            }
            policy::can_manage(&caller, &current)?;
            if_match.check(current.version)?;
            let input = patch.apply_to(&GuidelineInput::from_row(&current, regions))?;
            domain::update(conn, &Actor::from(&caller), &current, input)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &Guideline::from_row(row, regions)))
}

/// Runs a status action on a guideline and answers with the guideline as it then is.
async fn status_action(
    db: web::Data<Db>,
    caller: Caller,
    id: String,
    if_match: Option<IfMatch>,
    action: impl FnOnce(&mut crate::db::DbConnection, &Actor, &super::model::GuidelineRow) -> Result<(), ApiError>
        + Send
        + 'static,
) -> Result<HttpResponse, ApiError> {
    let (row, regions) = db
        .write(move |conn| {
            let current = domain::load_for_change(conn, &id, if_match.as_ref())?;
            if !visible(&current, Some(&caller)) {
                return Err(NOT_FOUND);
            }
            policy::can_manage(&caller, &current)?;
            action(conn, &Actor::from(&caller), &current)?;
            repo::find(conn, &id)?.ok_or(NOT_FOUND)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &Guideline::from_row(row, regions)))
}

/// Opens a draft for signing (it must have `adopted_on`).
#[utoipa::path(
    tag = "guidelines",
    params(("id" = String, Path, description = "Guideline id"),
        ("If-Match" = Option<String>, Header, description = "Optional: the ETag the change is based on")),
    security(("oauth2" = ["guidelines:write"])),
    responses((status = 200, description = "Open for signing", body = Guideline))
)]
#[post("/guidelines/{id}/open")]
pub async fn open(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    OptionalIfMatch(if_match): OptionalIfMatch,
) -> Result<HttpResponse, ApiError> {
    status_action(db, caller, id.into_inner(), if_match, domain::open).await
}

/// Closes a guideline for signing.
#[utoipa::path(
    tag = "guidelines",
    params(("id" = String, Path, description = "Guideline id"),
        ("If-Match" = Option<String>, Header, description = "Optional: the ETag the change is based on")),
    security(("oauth2" = ["guidelines:write"])),
    responses((status = 200, description = "Closed", body = Guideline))
)]
#[post("/guidelines/{id}/close")]
pub async fn close(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    OptionalIfMatch(if_match): OptionalIfMatch,
) -> Result<HttpResponse, ApiError> {
    status_action(db, caller, id.into_inner(), if_match, domain::close).await
}

/// Replaces a guideline with a newer version: the successor (a draft) opens for signing and this
/// one closes, pointing to it, in one step.
#[utoipa::path(
    tag = "guidelines",
    params(("id" = String, Path, description = "Guideline id"),
        ("If-Match" = Option<String>, Header, description = "Optional: the ETag the change is based on")),
    request_body = SupersedeRequest,
    security(("oauth2" = ["guidelines:write"])),
    responses((status = 200, description = "The superseded guideline", body = Guideline))
)]
#[post("/guidelines/{id}/supersede")]
pub async fn supersede(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    OptionalIfMatch(if_match): OptionalIfMatch,
    Json(request): Json<SupersedeRequest>,
) -> Result<HttpResponse, ApiError> {
    let successor_caller = caller.clone();
    status_action(db, caller, id.into_inner(), if_match, move |conn, actor, old| {
        let (successor, _) = repo::find(conn, &request.successor_id)?
            .ok_or_else(|| ApiError::validation("successor_id", "unknown_id", "no guideline has this id"))?;
        policy::can_manage(&successor_caller, &successor)?;
        domain::supersede(conn, actor, old, &successor)
    })
    .await
}

/// Signs a guideline for a region, for the caller's own organisation (administrators may record a
/// signature on an organisation's behalf, e.g. from paper).
#[utoipa::path(
    tag = "guidelines",
    params(("id" = String, Path, description = "Guideline id")),
    request_body = SignatureInput,
    security(("oauth2" = ["guidelines:write"])),
    responses(
        (status = 201, description = "Signed", body = Signature, headers(("Location" = String, description = "The signature's URL"))),
        (status = 409, description = "Not open for signing, or already signed for the region", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/guidelines/{id}/signatures")]
pub async fn sign(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<String>,
    Json(input): Json<SignatureInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (organisation_id, on_behalf) = policy::can_sign(&caller, input.organisation_id.as_deref())?;
    let actor = Actor::from(&caller);
    let signed = db
        .write(move |conn| {
            let (guideline, regions) = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            if !visible(&guideline, Some(&caller)) {
                return Err(NOT_FOUND);
            }
            domain::sign(
                conn,
                &actor,
                &guideline,
                &regions,
                organisation_id,
                on_behalf,
                input,
            )
        })
        .await?;
    let signature = signature(signed);
    Ok(created(
        format!(
            "/v1/guidelines/{}/signatures/{}",
            signature.guideline_id, signature.id
        ),
        &signature,
    ))
}

/// Withdraws a signature; it stays in the history as withdrawn.
#[utoipa::path(
    tag = "guidelines",
    params(("id" = String, Path, description = "Guideline id"), ("sid" = String, Path, description = "Signature id"),
        ("If-Match" = Option<String>, Header, description = "Optional: the ETag the change is based on")),
    request_body = WithdrawalInput,
    security(("oauth2" = ["guidelines:write"])),
    responses(
        (status = 200, description = "Withdrawn", body = Signature),
        (status = 409, description = "Already withdrawn", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/guidelines/{id}/signatures/{sid}/withdraw")]
pub async fn withdraw(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(String, String)>,
    OptionalIfMatch(if_match): OptionalIfMatch,
    Json(input): Json<WithdrawalInput>,
) -> Result<HttpResponse, ApiError> {
    let (guideline_id, signature_id) = path.into_inner();
    let actor = Actor::from(&caller);
    let withdrawn = db
        .write(move |conn| {
            let (current, _) = repo::find_signature(conn, &signature_id)?
                .filter(|(row, _)| row.guideline_id == guideline_id)
                .ok_or(ApiError::NotFound {
                    resource: "signature",
                })?;
            policy::can_withdraw(&caller, &current)?;
            if let Some(if_match) = &if_match {
                if_match.check(current.version)?;
            }
            domain::withdraw(conn, &actor, &current, input)
        })
        .await?;
    let signature = signature(withdrawn);
    Ok(with_etag(HttpResponse::Ok(), &signature))
}

/// The signatures of a guideline, withdrawn ones included unless `active` says otherwise.
#[utoipa::path(
    tag = "guidelines",
    security((), ("oauth2" = [])),
    params(("id" = String, Path, description = "Guideline id"), SignatureFilter),
    responses((status = 200, description = "A page of signatures", body = Page<Signature>))
)]
#[get("/guidelines/{id}/signatures")]
pub async fn list_signatures(
    db: web::Data<Db>,
    caller: Option<Caller>,
    id: web::Path<String>,
    Query(filter): Query<SignatureFilter>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let (rows, page) = db
        .run(move |conn| {
            let (guideline, _) = repo::find(conn, &id)?.ok_or(NOT_FOUND)?;
            if !visible(&guideline, caller.as_ref()) {
                return Err(NOT_FOUND);
            }
            Ok((
                repo::list_signatures(conn, Some(&id), None, &filter, &page)?,
                page,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, &page, |(row, _)| row.id.clone(), signature)))
}

/// The signatures an organisation has made.
#[utoipa::path(
    tag = "guidelines",
    params(("id" = String, Path, description = "Organisation id"), SignatureFilter),
    responses((status = 200, description = "A page of signatures", body = Page<Signature>))
)]
#[get("/organisations/{id}/signatures")]
pub async fn organisation_signatures(
    db: web::Data<Db>,
    id: web::Path<String>,
    Query(filter): Query<SignatureFilter>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let (rows, page) = db
        .run(move |conn| {
            organisations::find(conn, &id)?.ok_or(ApiError::NotFound {
                resource: "organisation",
            })?;
            Ok((
                repo::list_signatures(conn, None, Some(&id), &filter, &page)?,
                page,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, &page, |(row, _)| row.id.clone(), signature)))
}

/// Who has signed the guideline open for signing in a region, grouped by organisation kind.
#[utoipa::path(
    tag = "guidelines",
    params(SignatoriesQuery),
    responses(
        (status = 200, description = "The region's signatories", body = Signatories),
        (status = 404, description = "No region has this code", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/signatories")]
pub async fn signatories(
    request: HttpRequest,
    db: web::Data<ReadDb>,
    Query(query): Query<SignatoriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let region = query.region.clone();
    let (guideline, signatures) = db
        .public(&request, move |conn| {
            if !crate::reference::repo::region_exists(conn, &region)? {
                return Err(ApiError::NotFound { resource: "region" });
            }
            let Some(guideline) = repo::in_force_in(conn, &region)? else {
                return Ok((None, Vec::new()));
            };
            let signatures = repo::active_signatures_in(conn, &guideline.id, &region)?;
            Ok((Some(guideline), signatures))
        })
        .await?;
    let mut groups: BTreeMap<&'static str, SignatoryGroup> = BTreeMap::new();
    for (row, organisation) in signatures {
        let kind = organisation.kind;
        let group = groups.entry(kind.as_str()).or_insert_with(|| SignatoryGroup {
            kind,
            count: 0,
            organisations: Vec::new(),
        });
        group.count += 1;
        group.organisations.push(Signatory {
            name: localized(
                &organisation.name_fi,
                &organisation.name_sv,
                &organisation.name_en,
            ),
            id: organisation.id,
            signed_on: row.signed_on,
        });
    }
    let by_kind: Vec<SignatoryGroup> = groups.into_values().collect();
    Ok(HttpResponse::Ok().json(Signatories {
        region: query.region,
        total: by_kind.iter().map(|group| group.count).sum(),
        guideline: guideline.map(|row| GuidelineSummary {
            title: localized(&row.title_fi, &row.title_sv, &row.title_en),
            id: row.id,
            version_label: row.version_label,
        }),
        by_kind,
    }))
}
