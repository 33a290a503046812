//! Queries over the reference tables.

use diesel::prelude::*;

use super::{
    dto::{MunicipalityFilter, QualificationFilter},
    model::{MunicipalityRow, QualificationRow, RegionRow, UnitRow},
};
use crate::{
    db::DbConnection,
    pagination::PageRequest,
    schema::{municipalities, qualification_unit_links, qualification_units, qualifications, regions},
    text::contains_pattern,
};

pub fn list_regions(conn: &mut DbConnection, page: &PageRequest<String>) -> QueryResult<Vec<RegionRow>> {
    let mut query = regions::table.select(RegionRow::as_select()).into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(regions::code.gt(after.clone()));
    }
    query.order(regions::code).limit(page.fetch_limit()).load(conn)
}

pub fn region_exists(conn: &mut DbConnection, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(regions::table.find(code))).get_result(conn)
}

pub fn list_municipalities(
    conn: &mut DbConnection,
    filter: &MunicipalityFilter,
    page: &PageRequest<String>,
) -> QueryResult<Vec<MunicipalityRow>> {
    let mut query = municipalities::table
        .select(MunicipalityRow::as_select())
        .into_boxed();
    if let Some(region) = &filter.region {
        query = query.filter(municipalities::region_code.eq(region.clone()));
    }
    if let Some(in_force) = filter.in_force {
        query = query.filter(municipalities::in_force.eq(in_force));
    }
    if let Some(after) = &page.after {
        query = query.filter(municipalities::code.gt(after.clone()));
    }
    query
        .order(municipalities::code)
        .limit(page.fetch_limit())
        .load(conn)
}

pub fn find_municipality(conn: &mut DbConnection, code: &str) -> QueryResult<Option<MunicipalityRow>> {
    municipalities::table
        .find(code)
        .select(MunicipalityRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_qualifications(
    conn: &mut DbConnection,
    filter: &QualificationFilter,
    page: &PageRequest<String>,
) -> QueryResult<Vec<QualificationRow>> {
    let mut query = qualifications::table
        .select(QualificationRow::as_select())
        .into_boxed();
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let code_prefix = format!("{}%", q.replace(['%', '_', '\\'], ""));
        query = query.filter(
            qualifications::name_search
                .like(contains_pattern(q))
                .escape('\\')
                .or(qualifications::code.like(code_prefix)),
        );
    }
    if let Some(kind) = filter.qualification_type {
        query = query.filter(qualifications::qualification_type.eq(kind.as_str()));
    }
    if let Some(after) = &page.after {
        query = query.filter(qualifications::code.gt(after.clone()));
    }
    query
        .order(qualifications::code)
        .limit(page.fetch_limit())
        .load(conn)
}

/// A qualification with its units in their listed order.
pub fn find_qualification(
    conn: &mut DbConnection,
    code: &str,
) -> QueryResult<Option<(QualificationRow, Vec<UnitRow>)>> {
    let Some(qualification) = qualifications::table
        .find(code)
        .select(QualificationRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let units = qualification_unit_links::table
        .inner_join(qualification_units::table)
        .filter(qualification_unit_links::qualification_code.eq(code))
        .order((qualification_unit_links::position, qualification_units::code))
        .select(UnitRow::as_select())
        .load(conn)?;
    Ok(Some((qualification, units)))
}

/// A unit with the codes of the qualifications it belongs to.
pub fn find_unit(conn: &mut DbConnection, code: &str) -> QueryResult<Option<(UnitRow, Vec<String>)>> {
    let Some(unit) = qualification_units::table
        .find(code)
        .select(UnitRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let qualification_codes = qualification_unit_links::table
        .filter(qualification_unit_links::unit_code.eq(code))
        .order(qualification_unit_links::qualification_code)
        .select(qualification_unit_links::qualification_code)
        .load(conn)?;
    Ok(Some((unit, qualification_codes)))
}
