//! Turns a catalogue request into a search, and matching rows into catalogue entries.

use std::{collections::HashMap, sync::Arc};

use actix_web::web::Bytes;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::value::{to_raw_value, RawValue};

use super::{
    cache::CatalogueCache,
    dto::{CatalogueEnvironment, CatalogueFilter, MunicipalityCount, UnitCatalogue, UnitCatalogueFilter},
    page::{self, Entry, EnvironmentPart, UnitView},
    repo::{self, Search},
};
use crate::{
    db::{today, DbConnection},
    environments::{domain as environments, model::EnvironmentRow, repo as environment_repo},
    error::{ApiError, FieldError},
    lookups::Lookups,
    organisations::dto::OrganisationSummary,
    pagination::{Page, PageRequest},
    recognitions::{model::InForceRow, repo as recognitions},
    reference::{dto::CodeAndName, repo as reference},
    text::localized,
    text::normalize_for_search,
};

/// Mean Earth radius (IUGG), in kilometres.
const EARTH_RADIUS_KM: f64 = 6371.0088;
pub const DEFAULT_RADIUS_KM: f64 = 50.0;
pub const MAX_RADIUS_KM: f64 = 500.0;

/// A place to search around.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    pub latitude: f64,
    pub longitude: f64,
    pub radius_km: f64,
}

/// Great-circle distance between two WGS84 points, in kilometres (haversine).
pub fn distance_km(from: (f64, f64), to: (f64, f64)) -> f64 {
    let (lat1, lon1) = (from.0.to_radians(), from.1.to_radians());
    let (lat2, lon2) = (to.0.to_radians(), to.1.to_radians());
    let a =
        ((lat2 - lat1) / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

impl Near {
    /// A box that contains every point within the radius, for the index to narrow the search.
    fn bounding_box(&self) -> ((f64, f64), (f64, f64)) {
        let latitude_span = (self.radius_km / EARTH_RADIUS_KM).to_degrees();
        let south = (self.latitude - latitude_span).max(-90.0);
        let north = (self.latitude + latitude_span).min(90.0);
        // Longitude degrees shrink towards the poles; near them, take every longitude.
        let widest = self.latitude.abs().max(south.abs()).max(north.abs());
        let longitude_span = if widest >= 89.0 {
            180.0
        } else {
            latitude_span / widest.to_radians().cos()
        };
        (
            (south, (self.longitude - longitude_span).max(-180.0)),
            (north, (self.longitude + longitude_span).min(180.0)),
        )
    }
}

fn parse_near(near: &str, radius_km: Option<f64>) -> Result<Near, FieldError> {
    let invalid = || {
        FieldError::new(
            "near",
            "invalid",
            "give latitude,longitude in WGS84 degrees, e.g. 61.1272,21.5112",
        )
    };
    let (latitude, longitude) = near.split_once(',').ok_or_else(invalid)?;
    let latitude: f64 = latitude.trim().parse().map_err(|_| invalid())?;
    let longitude: f64 = longitude.trim().parse().map_err(|_| invalid())?;
    if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
        return Err(FieldError::new(
            "near",
            "out_of_range",
            "latitude is within -90…90 and longitude within -180…180",
        ));
    }
    let radius_km = radius_km.unwrap_or(DEFAULT_RADIUS_KM);
    if !(0.1..=MAX_RADIUS_KM).contains(&radius_km) {
        return Err(FieldError::new(
            "radius_km",
            "out_of_range",
            format!("the radius is 0.1–{MAX_RADIUS_KM} km"),
        ));
    }
    Ok(Near {
        latitude,
        longitude,
        radius_km,
    })
}

/// Checks a catalogue request: its place, and that it names no codes that do not exist (400).
pub fn search_of(
    conn: &mut DbConnection,
    kept: &Kept<'_>,
    filter: CatalogueFilter,
) -> Result<(Search, Option<Near>), ApiError> {
    let mut errors = Vec::new();
    let near = match (&filter.near, filter.radius_km) {
        (Some(near), radius) => parse_near(near, radius).map_err(|error| errors.push(error)).ok(),
        (None, Some(_)) => {
            errors.push(FieldError::new(
                "radius_km",
                "without_near",
                "radius_km needs near",
            ));
            None
        }
        (None, None) => None,
    };
    let qualifications: Vec<String> = filter.qualification.iter().cloned().collect();
    let names = kept
        .lookups
        .names(conn, kept.version, &qualifications, &filter.unit)?;
    for code in &qualifications {
        if !names.qualifications.contains_key(code) {
            errors.push(FieldError::new(
                "qualification",
                "unknown_code",
                format!("no qualification has the code {code:?}"),
            ));
        }
    }
    for code in &filter.unit {
        if !names.units.contains_key(code) {
            errors.push(FieldError::new(
                "unit",
                "unknown_code",
                format!("no qualification unit has the code {code:?}"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::bad_query(errors));
    }
    let mut units = filter.unit;
    units.sort();
    units.dedup();
    let search = Search {
        day: filter.recognised_on.unwrap_or_else(today),
        qualification: filter.qualification,
        units,
        provider: filter.provider,
        municipalities: filter.municipality,
        region: filter.region,
        language: filter.language.map(|language| language.to_lowercase()),
        sector: filter.sector,
        text: filter
            .q
            .map(|q| normalize_for_search(&q))
            .filter(|q| !q.is_empty()),
        bounding_box: near.map(|near| near.bounding_box()),
    };
    Ok((search, near))
}

/// What a catalogue answer is built from besides the database, at one catalogue version.
pub struct Kept<'a> {
    pub cache: &'a CatalogueCache,
    pub lookups: &'a Lookups,
    pub version: i64,
}

/// Each environment's own part of its entry: all but its recognised units and distance.
fn environment_parts(
    conn: &mut DbConnection,
    kept: &Kept<'_>,
    ids: &[String],
) -> Result<HashMap<String, Arc<EnvironmentPart>>, ApiError> {
    let build = |missing: &[String]| -> Result<Vec<(String, Arc<EnvironmentPart>)>, ApiError> {
        let rows = environment_repo::find_many(conn, missing)?;
        let mut lists = environment_repo::lists(conn, missing)?;
        let owner_ids: Vec<String> = rows.iter().map(|row| row.organisation_id.clone()).collect();
        let owners = kept.lookups.organisations(conn, kept.version, &owner_ids)?;
        rows.into_iter()
            .map(|row| {
                let organisation = owners
                    .get(&row.organisation_id)
                    .cloned()
                    .ok_or_else(|| ApiError::internal("an environment's organisation is missing"))?;
                let tasks = lists.tasks.remove(&row.id).unwrap_or_default();
                let languages = lists.languages.remove(&row.id).unwrap_or_default();
                let entry = environment_entry(row, organisation, tasks, languages);
                Ok((entry.id.clone(), Arc::new(EnvironmentPart::of(&entry)?)))
            })
            .collect()
    };
    kept.cache.environments.get_many(kept.version, ids, build)
}

/// An environment's entry without its units and distance.
fn environment_entry(
    row: EnvironmentRow,
    organisation: OrganisationSummary,
    work_tasks: Vec<String>,
    languages: Vec<String>,
) -> CatalogueEnvironment {
    CatalogueEnvironment {
        name: localized(&row.name_fi, &row.name_sv, &row.name_en),
        sector: row.sector,
        address: environments::address_view(&row),
        coordinates: environments::coordinates(&row),
        // The catalogue is public: a private contact shows only its title, to everyone.
        contact: environments::contact_view(&row, false),
        work_tasks,
        languages,
        recognised_units: Vec::new(),
        distance_km: None,
        organisation,
        description: row.description,
        capacity: row.capacity,
        accessibility: row.accessibility,
        id: row.id,
    }
}

/// The recognitions in force on a day, with the names and organisations they show as JSON,
/// each written once for the page however many units show it.
struct InForce {
    rows: Vec<InForceRow>,
    qualifications: HashMap<String, Box<RawValue>>,
    units: HashMap<String, Box<RawValue>>,
    providers: HashMap<String, Box<RawValue>>,
}

/// Each value of `named` as the JSON it is written as.
fn as_json<T: Serialize>(named: HashMap<String, T>) -> Result<HashMap<String, Box<RawValue>>, ApiError> {
    named
        .into_iter()
        .map(|(key, value)| Ok((key, to_raw_value(&value).map_err(page::not_serialized)?)))
        .collect()
}

impl InForce {
    fn load(kept: &Kept<'_>, conn: &mut DbConnection, rows: Vec<InForceRow>) -> Result<Self, ApiError> {
        let provider_ids: Vec<String> = rows
            .iter()
            .map(|row| row.provider_organisation_id.clone())
            .collect();
        let qualification_codes: Vec<String> =
            rows.iter().map(|row| row.qualification_code.clone()).collect();
        let unit_codes: Vec<String> = rows.iter().map(|row| row.unit_code.clone()).collect();
        // A code reference data has lost is shown bare rather than failing the page.
        let names = kept
            .lookups
            .names(conn, kept.version, &qualification_codes, &unit_codes)?
            .with_bare_codes(&qualification_codes, &unit_codes);
        let providers = kept.lookups.organisations(conn, kept.version, &provider_ids)?;
        Ok(Self {
            qualifications: as_json(names.qualifications)?,
            units: as_json(names.units)?,
            providers: as_json(providers)?,
            rows,
        })
    }

    /// Each environment's units, borrowing from what was loaded.
    fn by_environment(&self) -> Result<HashMap<&str, Vec<UnitView<'_>>>, ApiError> {
        let mut units: HashMap<&str, Vec<UnitView<'_>>> = HashMap::new();
        for row in &self.rows {
            let missing = || ApiError::internal("a recognition names what is missing");
            units
                .entry(row.environment_id.as_str())
                .or_default()
                .push(UnitView {
                    recognition_id: &row.id,
                    qualification: self
                        .qualifications
                        .get(&row.qualification_code)
                        .ok_or_else(missing)?,
                    unit: self.units.get(&row.unit_code).ok_or_else(missing)?,
                    provider: self
                        .providers
                        .get(&row.provider_organisation_id)
                        .ok_or_else(missing)?,
                    valid_from: row.valid_from,
                    valid_until: row.in_force_until,
                });
        }
        Ok(units)
    }
}

/// A page of environments in id order, found by `search`, as JSON.
pub fn page_by_id(
    conn: &mut DbConnection,
    kept: &Kept<'_>,
    search: &Search,
    page_asked: &PageRequest<String>,
) -> Result<Bytes, ApiError> {
    let (ids, rows) = repo::page_in_force(conn, search, page_asked)?;
    let page_of_ids = Page::from_rows(ids, page_asked, |id| id.clone(), |id| id);
    let ids = (&page_of_ids.items[..], page_of_ids.next_cursor.as_deref());
    page(conn, kept, ids, rows, &HashMap::new())
}

/// The page of the environments `ids` at `distances`, in their order, as JSON.
pub fn page_at_distances(
    conn: &mut DbConnection,
    kept: &Kept<'_>,
    ids: (&[String], Option<&str>),
    search: &Search,
    distances: &HashMap<String, f64>,
) -> Result<Bytes, ApiError> {
    let rows = recognitions::in_force(conn, recognitions::of_environments(conn, ids.0), search.day)?;
    page(conn, kept, ids, rows, distances)
}

/// The page of the environments `ids`, in their order, each with the units of `rows` (every
/// recognition in force of each on the search's day), as JSON.
fn page(
    conn: &mut DbConnection,
    kept: &Kept<'_>,
    (ids, next_cursor): (&[String], Option<&str>),
    rows: Vec<InForceRow>,
    distances: &HashMap<String, f64>,
) -> Result<Bytes, ApiError> {
    let parts = environment_parts(conn, kept, ids)?;
    let in_force = InForce::load(kept, conn, rows)?;
    let mut units = in_force.by_environment()?;
    let entries: Vec<Entry<'_>> = ids
        .iter()
        .filter_map(|id| {
            parts.get(id).map(|part| Entry {
                part,
                units: units.remove(id.as_str()).unwrap_or_default(),
                distance_km: distances.get(id).map(|km| (km * 1000.0).round() / 1000.0),
            })
        })
        .collect();
    page::write(&entries, next_cursor)
}

/// The catalogue search a unit's municipalities link to, without the municipality.
fn unit_search_query(code: &str, filter: &UnitCatalogueFilter, day: NaiveDate) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("unit", code);
    if let Some(qualification) = &filter.qualification {
        query.append_pair("qualification", qualification);
    }
    if let Some(provider) = &filter.provider {
        query.append_pair("provider", provider);
    }
    query.append_pair("recognised_on", &day.to_string());
    query.finish()
}

/// How many environments are recognised for a unit in each municipality, named, each with a link
/// to the catalogue search that lists them.
fn municipality_counts(
    conn: &mut DbConnection,
    search: &Search,
    common_query: &str,
) -> Result<Vec<MunicipalityCount>, ApiError> {
    let counts = repo::counts_by_municipality(conn, search)?;
    let codes: Vec<String> = counts.iter().map(|(code, _)| code.clone()).collect();
    let mut names: HashMap<String, (CodeAndName, Option<String>)> = repo::municipality_names(conn, &codes)?
        .into_iter()
        .map(|(code, fi, sv, en, region)| {
            let name = localized(&fi, &sv, &en);
            (code.clone(), (CodeAndName { code, name }, region))
        })
        .collect();
    Ok(counts
        .into_iter()
        .map(|(municipality, count)| {
            let (named, region) = names.remove(&municipality).unwrap_or_else(|| {
                let name = localized(&municipality, &None, &None);
                (
                    CodeAndName {
                        code: municipality.clone(),
                        name,
                    },
                    None,
                )
            });
            MunicipalityCount {
                href: format!(
                    "/v1/catalogue/learning-environments?{common_query}&municipality={municipality}"
                ),
                municipality: named,
                region,
                learning_environments: count,
            }
        })
        .collect())
}

/// A unit's catalogue on `day`: its qualifications and where it can be learned.
pub fn unit_catalogue(
    conn: &mut DbConnection,
    code: &str,
    filter: &UnitCatalogueFilter,
    day: NaiveDate,
) -> Result<UnitCatalogue, ApiError> {
    let (unit, qualification_codes) = reference::find_unit(conn, code)?.ok_or(ApiError::NotFound {
        resource: "qualification unit",
    })?;
    let search = Search {
        day,
        units: vec![code.to_owned()],
        qualification: filter.qualification.clone(),
        provider: filter.provider.clone(),
        region: filter.region.clone(),
        ..Search::default()
    };
    let municipalities = municipality_counts(conn, &search, &unit_search_query(code, filter, day))?;
    let qualification_names = reference::names_of(conn, &qualification_codes, &[])?;
    Ok(UnitCatalogue {
        learning_environments: municipalities
            .iter()
            .map(|entry| entry.learning_environments)
            .sum(),
        qualifications: qualification_codes
            .iter()
            .map(|code| qualification_names.qualification(code))
            .collect(),
        unit: CodeAndName {
            name: localized(&unit.name_fi, &unit.name_sv, &unit.name_en),
            code: unit.code,
        },
        recognised_on: day,
        municipalities,
    })
}
