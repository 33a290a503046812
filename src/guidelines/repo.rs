use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{
    dto::{GuidelineFilter, GuidelineStatus, SignatureFilter},
    model::{GuidelineContent, GuidelineRegionRow, GuidelineRow, NewGuideline, SignatureRow},
};
use crate::{
    db::DbConnection,
    one_of::one_of,
    organisations::model::OrganisationRow,
    pagination::PageRequest,
    per_backend,
    schema::{guideline_regions, guideline_signatures, guidelines, organisations},
    text::contains_pattern,
};

pub fn insert(conn: &mut DbConnection, guideline: &NewGuideline, regions: &[String]) -> QueryResult<()> {
    diesel::insert_into(guidelines::table)
        .values(guideline)
        .execute(conn)?;
    replace_regions(conn, &guideline.id, regions)
}

pub fn replace_regions(conn: &mut DbConnection, id: &str, regions: &[String]) -> QueryResult<()> {
    diesel::delete(guideline_regions::table.filter(guideline_regions::guideline_id.eq(id))).execute(conn)?;
    let rows: Vec<GuidelineRegionRow> = regions
        .iter()
        .map(|region| GuidelineRegionRow {
            guideline_id: id.to_owned(),
            region_code: region.clone(),
        })
        .collect();
    if !rows.is_empty() {
        per_backend!(conn, conn => diesel::insert_into(guideline_regions::table).values(&rows).execute(conn))?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<(GuidelineRow, Vec<String>)>> {
    let Some(row) = guidelines::table
        .find(id)
        .select(GuidelineRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let mut regions = regions_of(conn, std::slice::from_ref(&row.id))?;
    let regions = regions.remove(&row.id).unwrap_or_default();
    Ok(Some((row, regions)))
}

/// The regions of each guideline, in code order.
pub fn regions_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<HashMap<String, Vec<String>>> {
    let rows: Vec<GuidelineRegionRow> = guideline_regions::table
        .filter(one_of(conn, guideline_regions::guideline_id, ids))
        .order((guideline_regions::guideline_id, guideline_regions::region_code))
        .select(GuidelineRegionRow::as_select())
        .load(conn)?;
    let mut by_guideline: HashMap<String, Vec<String>> = HashMap::new();
    for row in rows {
        by_guideline
            .entry(row.guideline_id)
            .or_default()
            .push(row.region_code);
    }
    Ok(by_guideline)
}

/// Guidelines in creation order. `include_drafts_of`: drafts are listed only for their owner
/// (`Some(None)` lists every draft, for administrators).
pub fn list(
    conn: &mut DbConnection,
    filter: &GuidelineFilter,
    include_drafts_of: Option<Option<String>>,
    page: &PageRequest<String>,
) -> QueryResult<Vec<GuidelineRow>> {
    let mut query = guidelines::table.select(GuidelineRow::as_select()).into_boxed();
    match include_drafts_of {
        Some(None) => {}
        Some(Some(owner)) => {
            query = query.filter(
                guidelines::status
                    .ne(GuidelineStatus::Draft)
                    .or(guidelines::owner_organisation_id.eq(owner)),
            )
        }
        None => query = query.filter(guidelines::status.ne(GuidelineStatus::Draft)),
    }
    if let Some(status) = filter.status {
        query = query.filter(guidelines::status.eq(status));
    }
    if let Some(region) = &filter.region {
        query = query.filter(
            guidelines::national.eq(true).or(guidelines::id.eq_any(
                guideline_regions::table
                    .filter(guideline_regions::region_code.eq(region.clone()))
                    .select(guideline_regions::guideline_id),
            )),
        );
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(guidelines::title_search.like(contains_pattern(q)).escape('\\'));
    }
    if let Some(after) = &page.after {
        query = query.filter(guidelines::id.gt(after.clone()));
    }
    query.order(guidelines::id).limit(page.fetch_limit()).load(conn)
}

pub fn update_content(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i64,
    content: &GuidelineContent,
) -> QueryResult<bool> {
    diesel::update(
        guidelines::table
            .filter(guidelines::id.eq(id))
            .filter(guidelines::version.eq(expected_version)),
    )
    .set(content)
    .execute(conn)
    .map(|updated| updated == 1)
}

pub fn set_status(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i64,
    status: &str,
    superseded_by: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        guidelines::table
            .filter(guidelines::id.eq(id))
            .filter(guidelines::version.eq(expected_version)),
    )
    .set((
        guidelines::status.eq(status),
        guidelines::superseded_by.eq(superseded_by),
        guidelines::version.eq(expected_version + 1),
        guidelines::updated_at.eq(at),
    ))
    .execute(conn)
    .map(|updated| updated == 1)
}

/// The guideline open for signing in a region: the most recently adopted one that applies there.
pub fn in_force_in(conn: &mut DbConnection, region: &str) -> QueryResult<Option<GuidelineRow>> {
    guidelines::table
        .filter(guidelines::status.eq(GuidelineStatus::OpenForSigning))
        .filter(
            guidelines::national.eq(true).or(guidelines::id.eq_any(
                guideline_regions::table
                    .filter(guideline_regions::region_code.eq(region.to_owned()))
                    .select(guideline_regions::guideline_id),
            )),
        )
        .order((guidelines::adopted_on.desc(), guidelines::id.desc()))
        .select(GuidelineRow::as_select())
        .first(conn)
        .optional()
}

pub type SignatureWithOrganisation = (SignatureRow, OrganisationRow);

pub fn insert_signature(conn: &mut DbConnection, row: &SignatureRow) -> QueryResult<()> {
    diesel::insert_into(guideline_signatures::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find_signature(conn: &mut DbConnection, id: &str) -> QueryResult<Option<SignatureWithOrganisation>> {
    guideline_signatures::table
        .inner_join(organisations::table)
        .filter(guideline_signatures::id.eq(id))
        .select((SignatureRow::as_select(), OrganisationRow::as_select()))
        .first(conn)
        .optional()
}

pub fn has_active_signature(
    conn: &mut DbConnection,
    guideline_id: &str,
    organisation_id: &str,
    region: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        guideline_signatures::table
            .filter(guideline_signatures::guideline_id.eq(guideline_id))
            .filter(guideline_signatures::organisation_id.eq(organisation_id))
            .filter(guideline_signatures::region_code.eq(region))
            .filter(guideline_signatures::withdrawn_on.is_null()),
    ))
    .get_result(conn)
}

/// Signatures of a guideline or of an organisation, in the order they were recorded.
pub fn list_signatures(
    conn: &mut DbConnection,
    guideline_id: Option<&str>,
    organisation_id: Option<&str>,
    filter: &SignatureFilter,
    page: &PageRequest<String>,
) -> QueryResult<Vec<SignatureWithOrganisation>> {
    let mut query = guideline_signatures::table
        .inner_join(organisations::table)
        .select((SignatureRow::as_select(), OrganisationRow::as_select()))
        .into_boxed();
    if let Some(guideline_id) = guideline_id {
        query = query.filter(guideline_signatures::guideline_id.eq(guideline_id.to_owned()));
    }
    if let Some(organisation_id) = organisation_id {
        query = query.filter(guideline_signatures::organisation_id.eq(organisation_id.to_owned()));
    }
    if let Some(region) = &filter.region {
        query = query.filter(guideline_signatures::region_code.eq(region.clone()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(organisations::kind.eq(kind));
    }
    match filter.active {
        Some(true) => query = query.filter(guideline_signatures::withdrawn_on.is_null()),
        Some(false) => query = query.filter(guideline_signatures::withdrawn_on.is_not_null()),
        None => {}
    }
    if let Some(after) = &page.after {
        query = query.filter(guideline_signatures::id.gt(after.clone()));
    }
    query
        .order(guideline_signatures::id)
        .limit(page.fetch_limit())
        .load(conn)
}

/// The signatures in force of a guideline in a region, with their organisations.
pub fn active_signatures_in(
    conn: &mut DbConnection,
    guideline_id: &str,
    region: &str,
) -> QueryResult<Vec<SignatureWithOrganisation>> {
    guideline_signatures::table
        .inner_join(organisations::table)
        .filter(guideline_signatures::guideline_id.eq(guideline_id))
        .filter(guideline_signatures::region_code.eq(region))
        .filter(guideline_signatures::withdrawn_on.is_null())
        .order((
            organisations::kind,
            organisations::name_fi,
            guideline_signatures::id,
        ))
        .select((SignatureRow::as_select(), OrganisationRow::as_select()))
        .load(conn)
}

pub fn withdraw(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i64,
    withdrawn_on: NaiveDate,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        guideline_signatures::table
            .filter(guideline_signatures::id.eq(id))
            .filter(guideline_signatures::version.eq(expected_version))
            .filter(guideline_signatures::withdrawn_on.is_null()),
    )
    .set((
        guideline_signatures::withdrawn_on.eq(Some(withdrawn_on)),
        guideline_signatures::withdrawal_reason.eq(Some(reason)),
        guideline_signatures::version.eq(expected_version + 1),
        guideline_signatures::updated_at.eq(at),
    ))
    .execute(conn)
    .map(|updated| updated == 1)
}
