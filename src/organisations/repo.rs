//! Queries over organisations.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{
    dto::{OrganisationFilter, OrganisationKind, OrganisationSummary},
    model::{NewOrganisation, OrganisationChanges, OrganisationRow},
};
use crate::{
    db::{distinct, DbConnection},
    pagination::PageRequest,
    schema::{municipalities, organisations},
    text::{contains_pattern, localized},
};

/// An organisation with the region of its home municipality.
pub type OrganisationWithRegion = (OrganisationRow, Option<String>);

pub fn insert(conn: &mut DbConnection, row: &NewOrganisation) -> QueryResult<()> {
    diesel::insert_into(organisations::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<OrganisationWithRegion>> {
    organisations::table
        .inner_join(municipalities::table)
        .filter(organisations::id.eq(id))
        .select((OrganisationRow::as_select(), municipalities::region_code))
        .first(conn)
        .optional()
}

/// The organisations of the given ids, for naming them in other records.
pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<OrganisationRow>> {
    organisations::table
        .filter(organisations::id.eq_any(distinct(ids)))
        .select(OrganisationRow::as_select())
        .load(conn)
}

/// Id, kind and names.
type SummaryColumns = (String, OrganisationKind, String, Option<String>, Option<String>);

/// Summaries of the given organisations by id.
pub fn summaries(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<HashMap<String, OrganisationSummary>> {
    let rows: Vec<SummaryColumns> = organisations::table
        .filter(organisations::id.eq_any(distinct(ids)))
        .select((
            organisations::id,
            organisations::kind,
            organisations::name_fi,
            organisations::name_sv,
            organisations::name_en,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, fi, sv, en)| {
            let name = localized(&fi, &sv, &en);
            (id.clone(), OrganisationSummary { id, name, kind })
        })
        .collect())
}

pub fn business_id_taken(
    conn: &mut DbConnection,
    business_id: &str,
    except_id: Option<&str>,
) -> QueryResult<bool> {
    let mut query = organisations::table
        .filter(organisations::business_id.eq(business_id))
        .select(organisations::id)
        .into_boxed();
    if let Some(id) = except_id {
        query = query.filter(organisations::id.ne(id));
    }
    query
        .first::<String>(conn)
        .optional()
        .map(|found| found.is_some())
}

/// Ordered by id, which is time-ordered (UUIDv7): new organisations come last.
pub fn list(
    conn: &mut DbConnection,
    filter: &OrganisationFilter,
    page: &PageRequest<String>,
) -> QueryResult<Vec<OrganisationWithRegion>> {
    let mut query = organisations::table
        .inner_join(municipalities::table)
        .select((OrganisationRow::as_select(), municipalities::region_code))
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(organisations::kind.eq(kind));
    }
    if let Some(municipality) = &filter.municipality {
        query = query.filter(organisations::municipality_code.eq(municipality.clone()));
    }
    if let Some(region) = &filter.region {
        query = query.filter(municipalities::region_code.eq(region.clone()));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(organisations::name_search.like(contains_pattern(q)).escape('\\'));
    }
    if let Some(business_id) = &filter.business_id {
        query = query.filter(organisations::business_id.eq(business_id.trim().to_owned()));
    }
    if let Some(active) = filter.active {
        query = query.filter(organisations::active.eq(active));
    }
    if let Some(after) = &page.after {
        query = query.filter(organisations::id.gt(after.clone()));
    }
    query
        .order(organisations::id)
        .limit(page.fetch_limit())
        .load(conn)
}

/// Applies `changes` if the row is still at `expected_version`; returns whether it was.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i64,
    changes: &OrganisationChanges,
) -> QueryResult<bool> {
    diesel::update(
        organisations::table
            .filter(organisations::id.eq(id))
            .filter(organisations::version.eq(expected_version)),
    )
    .set(changes)
    .execute(conn)
    .map(|updated| updated == 1)
}
