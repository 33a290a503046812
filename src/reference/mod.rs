//! Reference data: regions, municipalities, qualifications and their units, by official code.

pub mod codes;
pub mod dto;
pub mod eperusteet;
pub mod handlers;
pub mod import;
pub mod model;
pub mod repo;
pub mod structure;
pub mod views;

use crate::{db::DbConnection, error::FieldError};

/// What is wrong with naming `unit` under `qualification` at `field` (`units[0]`), if anything:
/// an unknown qualification, or a unit that is not one of its units.
pub fn check_unit(
    conn: &mut DbConnection,
    field: &str,
    qualification: &str,
    unit: &str,
) -> diesel::QueryResult<Option<FieldError>> {
    if repo::find_qualification(conn, qualification)?.is_none() {
        return Ok(Some(FieldError::new(
            format!("{field}.qualification"),
            "unknown_code",
            format!("no qualification has the code {qualification:?}"),
        )));
    }
    if !repo::unit_belongs_to(conn, qualification, unit)? {
        return Ok(Some(FieldError::new(
            format!("{field}.unit"),
            "not_in_qualification",
            format!("{unit:?} is not a unit of the qualification {qualification}"),
        )));
    }
    Ok(None)
}

/// The municipality of `code` if new records may name it; otherwise what is wrong, at `field`.
pub fn check_municipality(
    conn: &mut DbConnection,
    field: &str,
    code: &str,
) -> diesel::QueryResult<Result<model::MunicipalityRow, FieldError>> {
    Ok(match repo::find_municipality(conn, code)? {
        None => Err(FieldError::new(
            field,
            "unknown_code",
            format!("no municipality has the code {code:?}"),
        )),
        Some(municipality) if !municipality.selectable() => Err(FieldError::new(
            field,
            "not_in_force",
            format!(
                "{} ({}) is not a municipality in force; use the code of the municipality it merged into",
                municipality.name_fi, municipality.code
            ),
        )),
        Some(municipality) => Ok(municipality),
    })
}
