//! Public reads of reference data.

use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse};

use super::{
    dto::{
        Municipality, MunicipalityFilter, Qualification, QualificationFilter, QualificationSummary,
        QualificationUnit, Region, RegionFilter, UnitSummary,
    },
    import::{self, ImportError, ImportReport},
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
    let (qualification, units) = db
        .public(&request, move |conn| Ok(repo::find_qualification(conn, &code)?))
        .await?
        .ok_or(ApiError::NotFound {
            resource: "qualification",
        })?;
    Ok(HttpResponse::Ok().json(Qualification {
        qualification: qualification.into(),
        units: units.into_iter().map(UnitSummary::from).collect(),
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
    let (unit, qualifications) = db
        .public(&request, move |conn| Ok(repo::find_unit(conn, &code)?))
        .await?
        .ok_or(ApiError::NotFound {
            resource: "qualification unit",
        })?;
    let summary = UnitSummary::from(unit);
    Ok(HttpResponse::Ok().json(QualificationUnit {
        code: summary.code,
        name: summary.name,
        competence_points: summary.competence_points,
        sample: summary.sample,
        qualifications,
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
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !is_json {
        return Err(ApiError::UnsupportedMediaType {
            expected: "application/json",
        });
    }
    let file = import::parse(&body)?;
    let actor = Actor::from(&caller);
    let report = db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let report = import::import(conn, &file)?;
                audit::record(
                    conn,
                    &actor,
                    Change::new("reference-data.import", "reference-data", "all", None),
                )?;
                Ok::<_, ImportError>(report)
            })
            .map_err(ApiError::from)
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
