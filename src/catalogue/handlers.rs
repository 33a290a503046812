//! HTTP endpoints of the public catalogue.

use std::collections::HashMap;

use actix_web::{
    get,
    http::header::{self, ContentType},
    web,
    web::Bytes,
    HttpRequest, HttpResponse,
};
use chrono::NaiveDate;
use serde::Serialize;

use super::{
    cache::CatalogueCache,
    domain::{self, Kept, Near},
    dto::{CatalogueEnvironment, CatalogueFilter, UnitCatalogue, UnitCatalogueFilter},
    repo::{self, Search},
};
use crate::{
    concurrency::{not_modified, IfNoneMatch},
    db::{today, DbConnection},
    error::ApiError,
    extract::Query,
    lookups::Lookups,
    pagination::{Page, PageRequest},
    replica::ReadDb,
};

/// An answer as the JSON body it is kept and sent as.
fn json_body(answer: &impl Serialize) -> Result<Bytes, ApiError> {
    serde_json::to_vec(answer)
        .map(Bytes::from)
        .map_err(|error| ApiError::internal(format!("a catalogue answer did not serialize: {error}")))
}

/// A catalogue answer, or word that the caller's copy is current.
enum Answer {
    Body(Bytes),
    Unchanged,
}

/// The validator of a catalogue answer. A URL's answer changes only with the catalogue version and
/// the day it is as of, so the two identify it; weak, as another instance may build the same
/// answer with its members in another byte order.
fn catalogue_etag(version: i64, day: NaiveDate) -> String {
    format!("W/\"catalogue-{version}-{day}\"")
}

/// The answer to `key` at the catalogue's current version, as of `day`: word that the copy the
/// caller holds is current, else the kept answer, else the one `build` makes at that version.
fn conditional_answer(
    conn: &mut DbConnection,
    cache: &CatalogueCache,
    (key, day, held): (String, NaiveDate, &IfNoneMatch),
    build: impl FnOnce(&mut DbConnection, i64) -> Result<Bytes, ApiError>,
) -> Result<(Answer, String), ApiError> {
    let version = cache.pages.version(conn)?;
    let etag = catalogue_etag(version, day);
    if held.holds(&etag) {
        return Ok((Answer::Unchanged, etag));
    }
    let body = cache.pages.answer_at(version, key, || build(conn, version))?;
    Ok((Answer::Body(body), etag))
}

fn respond(answer: Answer, etag: &str) -> HttpResponse {
    match answer {
        Answer::Unchanged => not_modified(etag),
        Answer::Body(body) => HttpResponse::Ok()
            .content_type(ContentType::json())
            .insert_header((header::ETAG, etag))
            .body(body),
    }
}

/// A page nearest first, as JSON; ties in distance go by id, so the order is total and stable.
fn page_by_distance(
    conn: &mut DbConnection,
    kept: &Kept<'_>,
    search: &Search,
    near: Near,
    page: &PageRequest<(f64, String)>,
) -> Result<Bytes, ApiError> {
    let origin = (near.latitude, near.longitude);
    let mut ranked: Vec<(f64, String)> = repo::positions(conn, search)?
        .into_iter()
        .map(|(id, latitude, longitude)| (domain::distance_km(origin, (latitude, longitude)), id))
        .filter(|(distance, _)| *distance <= near.radius_km)
        .collect();
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let start = match &page.after {
        Some((distance, id)) => {
            ranked.partition_point(|(d, i)| d.total_cmp(distance).then_with(|| i.cmp(id)).is_le())
        }
        None => 0,
    };
    let window: Vec<(f64, String)> = ranked
        .into_iter()
        .skip(start)
        .take(page.fetch_limit() as usize)
        .collect();
    let page_of_ids = Page::from_rows(
        window,
        page,
        |(distance, id)| (*distance, id.clone()),
        |entry| entry,
    );
    let distances: HashMap<String, f64> = page_of_ids
        .items
        .iter()
        .map(|(distance, id)| (id.clone(), *distance))
        .collect();
    let ids: Vec<String> = page_of_ids.items.into_iter().map(|(_, id)| id).collect();
    domain::page_at_distances(
        conn,
        kept,
        (&ids, page_of_ids.next_cursor.as_deref()),
        search,
        &distances,
    )
}

/// Searches the recognised learning environments: those active and recognised on a day for the
/// units asked for, in the place asked for. Each entry lists every unit the environment is
/// recognised for and by whom. In registration order, or nearest first with `near`.
#[utoipa::path(
    tag = "catalogue",
    params(CatalogueFilter, ("If-None-Match" = Option<String>, Header, description = "The ETag of a copy held: 304 while it is current")),
    responses(
        (status = 200, description = "A page of recognised learning environments", body = Page<CatalogueEnvironment>,
            headers(("ETag" = String, description = "Send it as If-None-Match to revalidate: 304 while the answer is the same"))),
        (status = 304, description = "The copy named in If-None-Match is current",
            headers(("ETag" = String, description = "The answer's entity tag"))),
    )
)]
#[get("/catalogue/learning-environments")]
pub async fn list_environments(
    db: web::Data<ReadDb>,
    cache: web::Data<CatalogueCache>,
    lookups: web::Data<Lookups>,
    request: HttpRequest,
    Query(mut filter): Query<CatalogueFilter>,
) -> Result<HttpResponse, ApiError> {
    // The cursor carries the distance too when the order is by distance.
    #[derive(Clone)]
    enum Order {
        ById(PageRequest<String>),
        ByDistance(PageRequest<(f64, String)>),
    }
    let order = if filter.near.is_some() {
        Order::ByDistance(PageRequest::new(filter.limit, filter.cursor.as_deref())?)
    } else {
        Order::ById(PageRequest::new(filter.limit, filter.cursor.as_deref())?)
    };
    let (query, held) = (request.query_string().to_owned(), IfNoneMatch::of(&request));
    let day = *filter.recognised_on.get_or_insert_with(today);
    // The day is in the key: without `recognised_on`, the answer is as of today, and the same
    // today is the one the answer is built for.
    let key = format!("learning-environments {day} ?{query}");
    let (answer, etag) = db
        .public(&request, move |conn| {
            conditional_answer(conn, &cache, (key, day, &held), |conn, version| {
                let kept = Kept {
                    cache: &cache,
                    lookups: &lookups,
                    version,
                };
                let (search, near) = domain::search_of(conn, &kept, filter)?;
                match (order, near) {
                    (Order::ByDistance(page), Some(near)) => {
                        page_by_distance(conn, &kept, &search, near, &page)
                    }
                    (Order::ById(page), _) => domain::page_by_id(conn, &kept, &search, &page),
                    (Order::ByDistance(_), None) => {
                        Err(ApiError::internal("a distance order without a place"))
                    }
                }
            })
        })
        .await?;
    Ok(respond(answer, &etag))
}

/// Where a unit can be learned: how many recognised environments each municipality has for it,
/// with the catalogue search that lists them.
#[utoipa::path(
    tag = "catalogue",
    params(("code" = String, Path, description = "Qualification unit code"), UnitCatalogueFilter, ("If-None-Match" = Option<String>, Header, description = "The ETag of a copy held: 304 while it is current")),
    responses(
        (status = 200, description = "The unit's environments by municipality", body = UnitCatalogue,
            headers(("ETag" = String, description = "Send it as If-None-Match to revalidate: 304 while the answer is the same"))),
        (status = 304, description = "The copy named in If-None-Match is current",
            headers(("ETag" = String, description = "The answer's entity tag"))),
    )
)]
#[get("/catalogue/units/{code}/learning-environments")]
pub async fn by_unit(
    db: web::Data<ReadDb>,
    cache: web::Data<CatalogueCache>,
    request: HttpRequest,
    code: web::Path<String>,
    Query(filter): Query<UnitCatalogueFilter>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let (query, held) = (request.query_string().to_owned(), IfNoneMatch::of(&request));
    let day = filter.recognised_on.unwrap_or_else(today);
    let key = format!("units/{code} {day} ?{query}");
    let (answer, etag) = db
        .public(&request, move |conn| {
            conditional_answer(conn, &cache, (key, day, &held), |conn, _| {
                json_body(&domain::unit_catalogue(conn, &code, &filter, day)?)
            })
        })
        .await?;
    Ok(respond(answer, &etag))
}
