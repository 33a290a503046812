//! Names and summaries that many answers show and few writes change (organisations, and
//! qualifications and units by code), kept in memory under the catalogue version. Every write to
//! them moves that version on in the writer's transaction (database triggers), so a reader that
//! has just read the version is never served a name older than it.

use std::collections::HashMap;

use diesel::QueryResult;

use crate::{
    db::DbConnection,
    organisations::{dto::OrganisationSummary, repo as organisations},
    reference::{dto::CodeAndName, repo as reference, repo::Names},
    versioned_cache::{counter_value, KeptRecords},
};

/// The counter the catalogue's triggers advance.
pub const CATALOGUE_VERSION: &str = "catalogue_version";
/// At most this many records of each kind are kept (a few MiB).
const CAPACITY: usize = 20_000;

pub struct Lookups {
    organisations: KeptRecords<String, OrganisationSummary>,
    qualifications: KeptRecords<String, CodeAndName>,
    units: KeptRecords<String, CodeAndName>,
}

impl Default for Lookups {
    fn default() -> Self {
        Self {
            organisations: KeptRecords::new(CAPACITY),
            qualifications: KeptRecords::new(CAPACITY),
            units: KeptRecords::new(CAPACITY),
        }
    }
}

impl Lookups {
    /// The catalogue version now: what the records below are kept under.
    pub fn version(conn: &mut DbConnection) -> QueryResult<i64> {
        counter_value(conn, CATALOGUE_VERSION)
    }

    /// Summaries of the given organisations by id, at `version`.
    pub fn organisations(
        &self,
        conn: &mut DbConnection,
        version: i64,
        ids: &[String],
    ) -> QueryResult<HashMap<String, OrganisationSummary>> {
        self.organisations.get_many(version, ids, |missing| {
            organisations::summaries(conn, missing).map(|found| found.into_iter().collect())
        })
    }

    /// Names of the given qualifications and units, at `version`.
    pub fn names(
        &self,
        conn: &mut DbConnection,
        version: i64,
        qualification_codes: &[String],
        unit_codes: &[String],
    ) -> QueryResult<Names> {
        let qualifications = self
            .qualifications
            .get_many(version, qualification_codes, |missing| {
                reference::qualification_names(conn, missing).map(|names| names.into_iter().collect())
            })?;
        let units = self.units.get_many(version, unit_codes, |missing| {
            reference::unit_names(conn, missing).map(|names| names.into_iter().collect())
        })?;
        Ok(Names {
            qualifications,
            units,
        })
    }
}
