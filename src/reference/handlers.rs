//! Public reads of reference data.

use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse};

use super::{
    dto::{
        CompetenceArea, Municipality, MunicipalityFilter, Qualification, QualificationFilter,
        QualificationSummary, QualificationUnit, Region, RegionFilter, Requirement, UnitSummary,
    },
    import::{self, ImportError, ImportReport, RequirementsDocument},
    repo,
};
use crate::{
    audit::{self, Actor, Change},
    auth::Caller,
    db::{write_transaction, Db},
    error::ApiError,
    extract::Query,
    pagination::{Page, PageRequest},
    replica::ReadDb,
};

/// Regions (*maakunnat*), ordered by code.
#[utoipa::path(
    tag = "reference-data",
    params(RegionFilter),
    responses((status = 200, description = "A page of regions", body = Page<Region>))
)]
#[get("/regions")]
pub async fn list_regions(
    request: HttpRequest,
    db: web::Data<ReadDb>,
    Query(filter): Query<RegionFilter>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let rows = db
        .public(&request, move |conn| Ok((repo::list_regions(conn, &page)?, page)))
        .await?;
    let (rows, page) = rows;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, &page, |row| row.code.clone(), Region::from)))
}

/// Municipalities (*kunnat*), ordered by code; ended ones included unless `in_force` says otherwise.
#[utoipa::path(
    tag = "reference-data",
    params(MunicipalityFilter),
    responses((status = 200, description = "A page of municipalities", body = Page<Municipality>))
)]
#[get("/municipalities")]
pub async fn list_municipalities(
    request: HttpRequest,
    db: web::Data<ReadDb>,
    Query(filter): Query<MunicipalityFilter>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let (rows, page) = db
        .public(&request, move |conn| {
            Ok((repo::list_municipalities(conn, &filter, &page)?, page))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        &page,
        |row| row.code.clone(),
        Municipality::from,
    )))
}

/// Qualifications, ordered by code.
#[utoipa::path(
    tag = "reference-data",
    params(QualificationFilter),
    responses((status = 200, description = "A page of qualifications", body = Page<QualificationSummary>))
)]
#[get("/qualifications")]
pub async fn list_qualifications(
    request: HttpRequest,
    db: web::Data<ReadDb>,
    Query(filter): Query<QualificationFilter>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let (rows, page) = db
        .public(&request, move |conn| {
            Ok((repo::list_qualifications(conn, &filter, &page)?, page))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        &page,
        |row| row.code.clone(),
        QualificationSummary::from,
    )))
}

/// One qualification with its units.
#[utoipa::path(
    tag = "reference-data",
    params(("code" = String, Path, description = "National six-digit qualification code", example = "381141")),
    responses((status = 200, description = "The qualification", body = Qualification))
)]
#[get("/qualifications/{code}")]
pub async fn get_qualification(
    request: HttpRequest,
    db: web::Data<ReadDb>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let (qualification, units, areas, document) = db
        .public(&request, move |conn| {
            let Some((qualification, units)) = repo::find_qualification(conn, &code)? else {
                return Ok(None);
            };
            let areas = repo::competence_areas_of(conn, &code)?;
            let document = super::structure::document_of(conn, &code)?;
            Ok(Some((qualification, units, areas, document)))
        })
        .await?
        .ok_or(ApiError::NotFound {
            resource: "qualification",
        })?;
    Ok(HttpResponse::Ok().json(Qualification {
        qualification: qualification.into(),
        units: units
            .into_iter()
            .map(|(unit, compulsory, competence_area)| UnitSummary {
                compulsory,
                competence_area,
                ..UnitSummary::from(unit)
            })
            .collect(),
        competence_areas: areas.into_iter().map(CompetenceArea::from).collect(),
        requirements_document: document.and_then(RequirementsDocument::from_row),
    }))
}

/// One qualification unit with the qualifications it belongs to.
#[utoipa::path(
    tag = "reference-data",
    params(("code" = String, Path, description = "Qualification unit code", example = "SAMPLE-103")),
    responses((status = 200, description = "The qualification unit", body = QualificationUnit))
)]
#[get("/qualification-units/{code}")]
pub async fn get_unit(
    request: HttpRequest,
    db: web::Data<ReadDb>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let (unit, qualifications, requirements) = db
        .public(&request, move |conn| {
            let Some((unit, qualifications)) = repo::find_unit(conn, &code)? else {
                return Ok(None);
            };
            Ok(Some((unit, qualifications, repo::requirements_of(conn, &code)?)))
        })
        .await?
        .ok_or(ApiError::NotFound {
            resource: "qualification unit",
        })?;
    let summary = UnitSummary::from(unit);
    Ok(HttpResponse::Ok().json(QualificationUnit {
        koodisto: summary.koodisto,
        code: summary.code,
        name: summary.name,
        competence_points: summary.competence_points,
        sample: summary.sample,
        qualifications,
        requirements: requirements.into_iter().map(Requirement::from).collect(),
    }))
}

/// Imports reference data (administrators only): the format of `reference/README.md`, validated as
/// a whole and upserted in one transaction.
#[utoipa::path(
    tag = "reference-data",
    request_body = crate::reference::import::ReferenceFile,
    security(("oauth2" = ["admin"])),
    responses((status = 200, description = "What the import changed", body = ImportReport))
)]
#[post("/reference-data")]
pub async fn import_reference_data(
    req: HttpRequest,
    db: web::Data<Db>,
    caller: Caller,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    require_json(&req)?;
    let file = import::parse(&body)?;
    imported(&db, &caller, "all", move |conn| import::import(conn, &file)).await
}

/// Refuses a body that is not JSON.
fn require_json(req: &HttpRequest) -> Result<(), ApiError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if is_json {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType {
            expected: "application/json",
        })
    }
}

/// Runs an import and its audit entry (`what` was imported) in one transaction; answers its report.
async fn imported(
    db: &Db,
    caller: &Caller,
    what: &'static str,
    import: impl FnOnce(&mut crate::db::DbConnection) -> Result<ImportReport, ImportError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller);
    let report = db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let report = import(conn)?;
                let change = Change::new("reference-data.import", "reference-data", what, None);
                audit::record(conn, &actor, change)?;
                Ok::<_, ImportError>(report)
            })
            .map_err(ApiError::from)
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// An ePerusteet document is larger than the bodies the API otherwise takes.
const EPERUSTEET_LIMIT: usize = 32 * 1024 * 1024;

/// The body, up to `limit` bytes.
async fn body_up_to(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, ApiError> {
    use futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|error| ApiError::bad_request(format!("reading the body failed: {error}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Imports a qualification's national requirements (administrators only) from the document
/// ePerusteet publishes (`GET https://eperusteet.opintopolku.fi/eperusteet-service/api/perusteet/{id}/kaikki`),
/// as it is: the qualification by its code with its name, type and scope; its units by their
/// national codes (`tutkinnonosat_…`) with names, competence points, place in the structure
/// (compulsory, competence area) and professional requirements; its competence areas; and the
/// document's id, diary number and validity. Created, updated and unchanged records are reported
/// as for any reference data. Sample units already listed under the qualification stay listed,
/// still marked as sample data; a national unit never takes a sample unit's code. Up to 32 MiB.
#[utoipa::path(
    tag = "reference-data",
    request_body(content = Object, content_type = "application/json",
        description = "An ePerusteet requirements document (peruste), as ePerusteet publishes it"),
    security(("oauth2" = ["admin"])),
    responses(
        (status = 200, description = "What the import changed", body = ImportReport),
        (status = 413, description = "Larger than 32 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "What in the document could not be read, by its JSON path", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/reference-data/eperusteet")]
pub async fn import_eperusteet(
    req: HttpRequest,
    db: web::Data<Db>,
    caller: Caller,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    require_json(&req)?;
    let body = body_up_to(payload, EPERUSTEET_LIMIT).await?;
    imported(&db, &caller, "eperusteet", move |conn| {
        super::eperusteet::import(conn, &body)
    })
    .await
}
