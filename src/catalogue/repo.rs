//! The catalogue's queries. Every filter is one SQL condition over `learning_environments`, so the
//! same condition serves the page query, the nearest-first search and the counts per municipality.

use chrono::NaiveDate;
use diesel::{
    dsl::{self, count_star, exists},
    prelude::*,
    sql_types::Bool,
};

use crate::{
    db::{DbConnection, MultiBackend},
    environments::dto::Sector,
    one_of::{in_query, one_of},
    pagination::PageRequest,
    recognitions::{model::InForceRow, repo as recognition_repo},
    schema::{
        learning_environment_languages, learning_environments, municipalities, organisations, recognitions,
    },
    text::contains_pattern,
};

type Condition = Box<dyn BoxableExpression<learning_environments::table, MultiBackend, SqlType = Bool>>;

/// A catalogue search, checked and normalized.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub day: NaiveDate,
    pub qualification: Option<String>,
    pub units: Vec<String>,
    pub provider: Option<String>,
    pub municipalities: Vec<String>,
    pub region: Option<String>,
    pub language: Option<String>,
    pub sector: Option<Sector>,
    pub text: Option<String>,
    /// South-west and north-east corners (latitude, longitude) of a box around `near`.
    pub bounding_box: Option<((f64, f64), (f64, f64))>,
}

/// Recognitions of the outer environment in force on `day`, by `provider` under `qualification`
/// when given; `unit` narrows to one unit. A filter not given is a bound `true`, which keeps the
/// subquery one shape: a correlated subquery cannot be boxed.
fn recognised(search: &Search, unit: Option<&str>) -> Condition {
    let any = |value: Option<&str>| value.is_none().into_sql::<Bool>();
    Box::new(exists(
        recognitions::table
            .filter(recognitions::environment_id.eq(learning_environments::id))
            .filter(recognitions::valid_from.le(search.day))
            .filter(crate::recognition_public_on!(search.day))
            .filter(
                recognitions::in_force_until
                    .is_null()
                    .or(recognitions::in_force_until.ge(search.day)),
            )
            .filter(
                recognitions::unit_code
                    .eq(unit.unwrap_or_default().to_owned())
                    .or(any(unit)),
            )
            .filter(
                recognitions::qualification_code
                    .eq(search.qualification.clone().unwrap_or_default())
                    .or(any(search.qualification.as_deref())),
            )
            .filter(
                recognitions::provider_organisation_id
                    .eq(search.provider.clone().unwrap_or_default())
                    .or(any(search.provider.as_deref())),
            )
            .select(recognitions::id),
    ))
}

/// The condition an environment meets to be listed: active, its organisation active, recognised
/// on the day (for every unit asked for but `known`, which the caller has checked), and in the
/// place and of the kind asked for.
fn condition(conn: &DbConnection, search: &Search, known: Option<&str>) -> Condition {
    let mut condition: Condition = Box::new(
        learning_environments::active.eq(true).and(exists(
            organisations::table
                .filter(organisations::id.eq(learning_environments::organisation_id))
                .filter(organisations::active.eq(true))
                .select(organisations::id),
        )),
    );
    if search.units.is_empty() {
        condition = Box::new(condition.and(recognised(search, None)));
    }
    for unit in search.units.iter().filter(|unit| Some(unit.as_str()) != known) {
        condition = Box::new(condition.and(recognised(search, Some(unit))));
    }
    if !search.municipalities.is_empty() {
        condition = Box::new(condition.and(one_of(
            conn,
            learning_environments::municipality_code,
            &search.municipalities,
        )));
    }
    if let Some(region) = &search.region {
        condition = Box::new(
            condition.and(
                learning_environments::region_code
                    .assume_not_null()
                    .eq(region.clone()),
            ),
        );
    }
    if let Some(sector) = search.sector {
        condition = Box::new(condition.and(learning_environments::sector.eq(sector)));
    }
    if let Some(language) = &search.language {
        condition = Box::new(
            condition.and(exists(
                learning_environment_languages::table
                    .filter(learning_environment_languages::environment_id.eq(learning_environments::id))
                    .filter(learning_environment_languages::language.eq(language.clone()))
                    .select(learning_environment_languages::environment_id),
            )),
        );
    }
    if let Some(text) = &search.text {
        condition = Box::new(
            condition.and(
                learning_environments::search_text
                    .like(contains_pattern(text))
                    .escape('\\'),
            ),
        );
    }
    if let Some(((south, west), (north, east))) = search.bounding_box {
        condition = Box::new(
            condition
                .and(
                    learning_environments::latitude
                        .assume_not_null()
                        .between(south, north),
                )
                .and(
                    learning_environments::longitude
                        .assume_not_null()
                        .between(west, east),
                ),
        );
    }
    condition
}

/// The most candidates one step of [`page`] takes, well under both backends' bind limits.
const MAX_CANDIDATES: i64 = 4_000;

/// A query for environment ids.
type EnvironmentIds = dsl::Select<
    dsl::IntoBoxed<'static, learning_environments::table, MultiBackend>,
    learning_environments::id,
>;
/// A query for the ids of recognised environments.
type RecognisedIds =
    dsl::Select<dsl::IntoBoxed<'static, recognitions::table, MultiBackend>, recognitions::environment_id>;

/// The unit whose recognitions a page is found from, if any.
///
/// With a unit asked for, the page is found from that unit's recognitions, which an index keeps
/// by unit, region and environment: a batch of candidate environments in id order is read from
/// it and the rest of the condition is checked on those, until the page is full. Left to the
/// planner, a common unit and a rare one want opposite plans and one of them ends up slow.
/// Municipalities narrow more than any unit (a few hundred environments each, kept by
/// municipality and id): then the environments there are checked in id order instead.
fn leading_unit(search: &Search) -> Option<&str> {
    search
        .units
        .first()
        .filter(|_| search.municipalities.is_empty())
        .map(String::as_str)
}

/// A page of matching environments in id order (up to `page.fetch_limit()`), with every
/// recognition in force of each, as [`recognition_repo::in_force`] reads them.
///
/// Usually one statement: the recognitions of the environments the page query finds. Found from
/// a unit, a page that the first batch of candidates does not fill takes the batches of [`page`].
/// Every environment listed has a recognition in force (the condition asks for one), so the
/// recognitions name every environment of the page.
pub fn page_in_force(
    conn: &mut DbConnection,
    search: &Search,
    page_asked: &PageRequest<String>,
) -> QueryResult<(Vec<String>, Vec<InForceRow>)> {
    let wanted = page_asked.fetch_limit();
    let after = page_asked.after.as_deref();
    let unit = leading_unit(search);
    let query = match unit {
        None => matching(conn, search, None, after, wanted),
        Some(unit) => {
            let candidates = recognised_environments(search, unit, after, wanted * 2);
            // In one statement with the page, a candidate is recognised for the unit as it is read.
            let candidates = Box::new(in_query(learning_environments::id, candidates));
            matching(conn, search, Some((candidates, Some(unit))), None, wanted)
        }
    };
    let rows = recognition_repo::in_force(
        conn,
        Box::new(in_query(recognitions::environment_id, query)),
        search.day,
    )?;
    let mut ids: Vec<String> = rows.iter().map(|row| row.environment_id.clone()).collect();
    ids.dedup();
    if ids.len() as i64 == wanted || unit.is_none() {
        return Ok((ids, rows));
    }
    let ids = page(conn, search, page_asked)?;
    let rows = recognition_repo::in_force(conn, recognition_repo::of_environments(conn, &ids), search.day)?;
    Ok((ids, rows))
}

/// The ids of a page of matching environments, in id order.
fn page(conn: &mut DbConnection, search: &Search, page: &PageRequest<String>) -> QueryResult<Vec<String>> {
    let wanted = page.fetch_limit();
    let Some(unit) = leading_unit(search) else {
        return matching(conn, search, None, page.after.as_deref(), wanted).load(conn);
    };
    let mut rows = Vec::new();
    let mut after = page.after.clone();
    let mut batch = wanted * 2;
    loop {
        let candidates: Vec<String> =
            recognised_environments(search, unit, after.as_deref(), batch).load(conn)?;
        let Some(last) = candidates.last().cloned() else {
            break;
        };
        let missing = wanted - rows.len() as i64;
        let listed = one_of(conn, learning_environments::id, &candidates);
        rows.extend(matching(conn, search, Some((listed, None)), None, missing).load::<String>(conn)?);
        if rows.len() as i64 >= wanted || (candidates.len() as i64) < batch {
            break;
        }
        after = Some(last);
        batch = (batch * 4).min(MAX_CANDIDATES);
    }
    Ok(rows)
}

/// Up to `limit` distinct environments after `after`, in id order, with `unit` recognised in
/// force on the day (in the region, under the qualification and by the provider asked for).
fn recognised_environments(search: &Search, unit: &str, after: Option<&str>, limit: i64) -> RecognisedIds {
    let mut query = recognitions::table
        .into_boxed()
        .select(recognitions::environment_id)
        .distinct()
        .filter(recognitions::unit_code.eq(unit.to_owned()))
        .filter(recognitions::valid_from.le(search.day))
        .filter(crate::recognition_public_on!(search.day))
        .filter(
            recognitions::in_force_until
                .is_null()
                .or(recognitions::in_force_until.ge(search.day)),
        );
    if let Some(region) = &search.region {
        query = query.filter(recognitions::region_code.eq(region.clone()));
    }
    if let Some(after) = after {
        query = query.filter(recognitions::environment_id.gt(after.to_owned()));
    }
    if let Some(qualification) = &search.qualification {
        query = query.filter(recognitions::qualification_code.eq(qualification.clone()));
    }
    if let Some(provider) = &search.provider {
        query = query.filter(recognitions::provider_organisation_id.eq(provider.clone()));
    }
    query.order(recognitions::environment_id).limit(limit)
}

/// Which candidates a page is taken from: a condition on `learning_environments::id`.
type Candidates = Box<dyn BoxableExpression<learning_environments::table, MultiBackend, SqlType = Bool>>;

/// The ids of up to `limit` matching environments in id order, among `candidates` when given,
/// with the unit each candidate is known to be recognised for, if any.
fn matching(
    conn: &DbConnection,
    search: &Search,
    candidates: Option<(Candidates, Option<&str>)>,
    after: Option<&str>,
    limit: i64,
) -> EnvironmentIds {
    let (candidates, known) = candidates.map_or((None, None), |(among, known)| (Some(among), known));
    let mut query = learning_environments::table
        .into_boxed()
        .select(learning_environments::id)
        .filter(condition(conn, search, known));
    if let Some(candidates) = candidates {
        query = query.filter(candidates);
    }
    if let Some(after) = after {
        query = query.filter(learning_environments::id.gt(after.to_owned()));
    }
    query.order(learning_environments::id).limit(limit)
}

/// Every matching environment's id and coordinates, for ordering by distance.
pub fn positions(conn: &mut DbConnection, search: &Search) -> QueryResult<Vec<(String, f64, f64)>> {
    let rows: Vec<(String, Option<f64>, Option<f64>)> = learning_environments::table
        .filter(condition(conn, search, None))
        .select((
            learning_environments::id,
            learning_environments::latitude,
            learning_environments::longitude,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, latitude, longitude)| Some((id, latitude?, longitude?)))
        .collect())
}

/// How many matching environments each municipality has, with the municipality's names and region.
pub fn counts_by_municipality(conn: &mut DbConnection, search: &Search) -> QueryResult<Vec<(String, i64)>> {
    learning_environments::table
        .filter(condition(conn, search, None))
        .group_by(learning_environments::municipality_code)
        .select((learning_environments::municipality_code, count_star()))
        .order(learning_environments::municipality_code)
        .load(conn)
}

pub type MunicipalityNames = (String, String, Option<String>, Option<String>, Option<String>);

/// Code, names and region of the given municipalities.
pub fn municipality_names(conn: &mut DbConnection, codes: &[String]) -> QueryResult<Vec<MunicipalityNames>> {
    municipalities::table
        .filter(municipalities::code.eq_any(codes))
        .select((
            municipalities::code,
            municipalities::name_fi,
            municipalities::name_sv,
            municipalities::name_en,
            municipalities::region_code,
        ))
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::StatementLog;

    /// A statement SQLite is not left to keep is prepared afresh on every page (diesel keeps
    /// none with a list of values); a page then costs its parsing and planning too.
    #[test]
    fn every_statement_of_a_page_is_kept_prepared_on_sqlite() {
        let mut conn = crate::db::migrated_in_memory();
        let statements = StatementLog::default();
        conn.set_instrumentation(statements.clone());
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
        let searches = [
            Search {
                day,
                units: vec!["SAMPLE-101".to_owned()],
                region: Some("04".to_owned()),
                ..Search::default()
            },
            Search {
                day,
                units: vec!["SAMPLE-101".to_owned(), "SAMPLE-102".to_owned()],
                municipalities: vec!["684".to_owned(), "091".to_owned()],
                text: Some("keittio".to_owned()),
                ..Search::default()
            },
            Search {
                day,
                qualification: Some("351204".to_owned()),
                ..Search::default()
            },
        ];
        let page = PageRequest::new(Some(20), None).expect("a page");
        for search in &searches {
            page_in_force(&mut conn, search, &page).expect("a page");
        }
        let seen = statements.seen();
        let not_kept: Vec<&String> = seen.run.iter().filter(|sql| !seen.kept.contains(sql)).collect();
        assert!(!seen.run.is_empty());
        assert!(not_kept.is_empty(), "prepared on every run: {not_kept:#?}");
    }
}
