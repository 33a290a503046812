//! HTTP endpoints of the public catalogue.

use std::collections::HashMap;

use actix_web::{get, http::header::ContentType, web, web::Bytes, HttpRequest, HttpResponse};
use serde::Serialize;

use super::{
    cache::CatalogueCache,
    domain::{self, Near},
    dto::{CatalogueEnvironment, CatalogueFilter, UnitCatalogue, UnitCatalogueFilter},
    repo::{self, Search},
};
use crate::{
    db::{today, Db, DbConnection},
    environments::repo as environments,
    error::ApiError,
    extract::Query,
    pagination::{Page, PageRequest},
};

/// An answer as the JSON body it is kept and sent as.
fn json_body(answer: &impl Serialize) -> Result<Bytes, ApiError> {
    serde_json::to_vec(answer)
        .map(Bytes::from)
        .map_err(|error| ApiError::internal(format!("a catalogue answer did not serialize: {error}")))
}

fn json_response(body: Bytes) -> HttpResponse {
    HttpResponse::Ok().content_type(ContentType::json()).body(body)
}

/// A page in id order.
fn page_by_id(
    conn: &mut DbConnection,
    search: &Search,
    page: &PageRequest<String>,
) -> Result<Page<CatalogueEnvironment>, ApiError> {
    let rows = repo::page(conn, search, page)?;
    let page_of_rows = Page::from_rows(rows, page, |row| row.id.clone(), |row| row);
    Ok(Page {
        items: domain::entries(conn, page_of_rows.items, search, &HashMap::new())?,
        next_cursor: page_of_rows.next_cursor,
    })
}

/// A page nearest first; ties in distance go by id, so the order is total and stable.
fn page_by_distance(
    conn: &mut DbConnection,
    search: &Search,
    near: Near,
    page: &PageRequest<(f64, String)>,
) -> Result<Page<CatalogueEnvironment>, ApiError> {
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
    let ids: Vec<String> = window.iter().map(|(_, id)| id.clone()).collect();
    let mut rows: HashMap<String, _> = environments::find_many(conn, &ids)?
        .into_iter()
        .map(|row| (row.id.clone(), row))
        .collect();
    let ordered: Vec<(f64, _)> = window
        .into_iter()
        .filter_map(|(distance, id)| rows.remove(&id).map(|row| (distance, row)))
        .collect();
    let page_of_rows = Page::from_rows(
        ordered,
        page,
        |(distance, row)| (*distance, row.id.clone()),
        |entry| entry,
    );
    let distances: HashMap<String, f64> = page_of_rows
        .items
        .iter()
        .map(|(distance, row)| (row.id.clone(), *distance))
        .collect();
    let rows = page_of_rows.items.into_iter().map(|(_, row)| row).collect();
    Ok(Page {
        items: domain::entries(conn, rows, search, &distances)?,
        next_cursor: page_of_rows.next_cursor,
    })
}

/// Searches the recognised learning environments: those active and recognised on a day for the
/// units asked for, in the place asked for. Each entry lists every unit the environment is
/// recognised for and by whom. In registration order, or nearest first with `near`.
#[utoipa::path(
    tag = "catalogue",
    params(CatalogueFilter),
    responses((status = 200, description = "A page of recognised learning environments", body = Page<CatalogueEnvironment>))
)]
#[get("/catalogue/learning-environments")]
pub async fn list_environments(
    db: web::Data<Db>,
    cache: web::Data<CatalogueCache>,
    request: HttpRequest,
    Query(mut filter): Query<CatalogueFilter>,
) -> Result<HttpResponse, ApiError> {
    // The cursor carries the distance too when the order is by distance.
    enum Order {
        ById(PageRequest<String>),
        ByDistance(PageRequest<(f64, String)>),
    }
    let order = if filter.near.is_some() {
        Order::ByDistance(PageRequest::new(filter.limit, filter.cursor.as_deref())?)
    } else {
        Order::ById(PageRequest::new(filter.limit, filter.cursor.as_deref())?)
    };
    let query = request.query_string().to_owned();
    let body = db
        .run(move |conn| {
            // The day is in the key: without `recognised_on`, the answer is as of today, and the
            // same today is the one the answer is built for.
            let day = *filter.recognised_on.get_or_insert_with(today);
            let key = format!("learning-environments {day} ?{query}");
            cache.answer(conn, key, |conn| {
                let (search, near) = domain::search_of(conn, filter)?;
                let page = match (order, near) {
                    (Order::ByDistance(page), Some(near)) => page_by_distance(conn, &search, near, &page),
                    (Order::ById(page), _) => page_by_id(conn, &search, &page),
                    (Order::ByDistance(_), None) => {
                        return Err(ApiError::internal("a distance order without a place"))
                    }
                }?;
                json_body(&page)
            })
        })
        .await?;
    Ok(json_response(body))
}

/// Where a unit can be learned: how many recognised environments each municipality has for it,
/// with the catalogue search that lists them.
#[utoipa::path(
    tag = "catalogue",
    params(("code" = String, Path, description = "Qualification unit code"), UnitCatalogueFilter),
    responses((status = 200, description = "The unit's environments by municipality", body = UnitCatalogue))
)]
#[get("/catalogue/units/{code}/learning-environments")]
pub async fn by_unit(
    db: web::Data<Db>,
    cache: web::Data<CatalogueCache>,
    request: HttpRequest,
    code: web::Path<String>,
    Query(filter): Query<UnitCatalogueFilter>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let query = request.query_string().to_owned();
    let body = db
        .run(move |conn| {
            let day = filter.recognised_on.unwrap_or_else(today);
            let key = format!("units/{code} {day} ?{query}");
            cache.answer(conn, key, |conn| {
                json_body(&domain::unit_catalogue(conn, &code, &filter, day)?)
            })
        })
        .await?;
    Ok(json_response(body))
}
