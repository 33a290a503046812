//! Queries over the reference tables.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{
    dto::{CodeAndName, MunicipalityFilter, QualificationFilter},
    model::{CompetenceAreaRow, MunicipalityRow, QualificationRow, RegionRow, UnitRequirementRow, UnitRow},
};
use crate::{
    db::{distinct, DbConnection},
    pagination::PageRequest,
    schema::{
        competence_areas, municipalities, qualification_unit_links, qualification_units, qualifications,
        regions, unit_requirements,
    },
    text::{contains_pattern, localized, prefix_pattern},
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
        query = query.filter(
            qualifications::name_search
                .like(contains_pattern(q))
                .escape('\\')
                .or(qualifications::code.like(prefix_pattern(q)).escape('\\')),
        );
    }
    if let Some(kind) = filter.qualification_type {
        query = query.filter(qualifications::qualification_type.eq(kind));
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
) -> QueryResult<Option<(QualificationRow, Vec<PlacedUnitRow>)>> {
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
        .select((
            UnitRow::as_select(),
            qualification_unit_links::compulsory,
            qualification_unit_links::competence_area,
        ))
        .load(conn)?;
    Ok(Some((qualification, units)))
}

/// A unit in a qualification: the unit, whether compulsory, and its competence area.
pub type PlacedUnitRow = (UnitRow, Option<bool>, Option<String>);

/// A qualification's competence areas in order.
pub fn competence_areas_of(conn: &mut DbConnection, code: &str) -> QueryResult<Vec<CompetenceAreaRow>> {
    competence_areas::table
        .filter(competence_areas::qualification_code.eq(code))
        .order(competence_areas::position)
        .select(CompetenceAreaRow::as_select())
        .load(conn)
}

/// A unit's professional requirements in order.
pub fn requirements_of(conn: &mut DbConnection, unit: &str) -> QueryResult<Vec<UnitRequirementRow>> {
    unit_requirements::table
        .filter(unit_requirements::unit_code.eq(unit))
        .order(unit_requirements::position)
        .select(UnitRequirementRow::as_select())
        .load(conn)
}

/// The competence points of the units with these codes, by code (`None` where a unit has none).
pub fn competence_points(
    conn: &mut DbConnection,
    codes: &[String],
) -> QueryResult<HashMap<String, Option<i32>>> {
    qualification_units::table
        .filter(qualification_units::code.eq_any(codes))
        .select((qualification_units::code, qualification_units::competence_points))
        .load(conn)
        .map(|rows| rows.into_iter().collect())
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

/// Names of qualifications and units, by code.
#[derive(Debug, Default)]
pub struct Names {
    pub qualifications: HashMap<String, CodeAndName>,
    pub units: HashMap<String, CodeAndName>,
}

impl Names {
    /// The code with its name, or the bare code should reference data have lost it.
    pub fn qualification(&self, code: &str) -> CodeAndName {
        named(&self.qualifications, code)
    }

    pub fn unit(&self, code: &str) -> CodeAndName {
        named(&self.units, code)
    }

    /// Adds the bare code for each of the codes reference data has lost, so that every one of them
    /// can be borrowed by code.
    pub fn with_bare_codes(mut self, qualification_codes: &[String], unit_codes: &[String]) -> Self {
        for (names, codes) in [
            (&mut self.qualifications, qualification_codes),
            (&mut self.units, unit_codes),
        ] {
            for code in codes {
                if !names.contains_key(code) {
                    names.insert(code.clone(), bare(code));
                }
            }
        }
        self
    }
}

fn named(names: &HashMap<String, CodeAndName>, code: &str) -> CodeAndName {
    names.get(code).cloned().unwrap_or_else(|| bare(code))
}

/// A code whose name reference data has lost, named by itself.
fn bare(code: &str) -> CodeAndName {
    CodeAndName {
        code: code.to_owned(),
        name: localized(code, &None, &None),
    }
}

type NameColumns = (String, String, Option<String>, Option<String>);

fn by_code(rows: Vec<NameColumns>) -> HashMap<String, CodeAndName> {
    rows.into_iter()
        .map(|(code, fi, sv, en)| {
            let name = localized(&fi, &sv, &en);
            (code.clone(), CodeAndName { code, name })
        })
        .collect()
}

/// Names of the given qualifications and units, for naming them in other records.
pub fn names_of(
    conn: &mut DbConnection,
    qualification_codes: &[String],
    unit_codes: &[String],
) -> QueryResult<Names> {
    Ok(Names {
        qualifications: qualification_names(conn, qualification_codes)?,
        units: unit_names(conn, unit_codes)?,
    })
}

/// Names of the given qualifications by code.
pub fn qualification_names(
    conn: &mut DbConnection,
    codes: &[String],
) -> QueryResult<HashMap<String, CodeAndName>> {
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = qualifications::table
        .filter(qualifications::code.eq_any(distinct(codes)))
        .select((
            qualifications::code,
            qualifications::name_fi,
            qualifications::name_sv,
            qualifications::name_en,
        ))
        .load(conn)?;
    Ok(by_code(rows))
}

/// Names of the given units by code.
pub fn unit_names(conn: &mut DbConnection, codes: &[String]) -> QueryResult<HashMap<String, CodeAndName>> {
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = qualification_units::table
        .filter(qualification_units::code.eq_any(distinct(codes)))
        .select((
            qualification_units::code,
            qualification_units::name_fi,
            qualification_units::name_sv,
            qualification_units::name_en,
        ))
        .load(conn)?;
    Ok(by_code(rows))
}

/// Whether `unit_code` is a unit of the qualification `qualification_code`.
pub fn unit_belongs_to(
    conn: &mut DbConnection,
    qualification_code: &str,
    unit_code: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        qualification_unit_links::table
            .filter(qualification_unit_links::qualification_code.eq(qualification_code))
            .filter(qualification_unit_links::unit_code.eq(unit_code)),
    ))
    .get_result(conn)
}

/// Finnish names of the given municipalities, by code.
pub fn municipality_names(
    conn: &mut DbConnection,
    codes: &[String],
) -> QueryResult<HashMap<String, crate::text::LocalizedText>> {
    Ok(municipalities::table
        .filter(municipalities::code.eq_any(codes))
        .select((
            municipalities::code,
            municipalities::name_fi,
            municipalities::name_sv,
            municipalities::name_en,
        ))
        .load::<(String, String, Option<String>, Option<String>)>(conn)?
        .into_iter()
        .map(|(code, fi, sv, en)| (code, crate::text::localized(&fi, &sv, &en)))
        .collect())
}
