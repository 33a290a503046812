//! Public figures of one region: learning environments and recognitions by qualification,
//! signatories by kind, agreements in force and certificates issued per year.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::tables::{Table, TableBuilder, ROUNDING_BASE};
use crate::{
    agreements::dto::AgreementStatus,
    db::{today, DbConnection},
    error::ApiError,
    organisations::dto::OrganisationKind,
    reference::repo as reference,
    schema::{
        agreement_parties, agreements, certificates, guideline_signatures, learning_environments,
        municipalities, organisations, recognitions, regions,
    },
};

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"region": "04", "region_name": "Satakunta", "as_of": "2026-11-24", "exact": false, "rounding_base": 5,
    "tables": [{"name": "summary", "title": "Alueen luvut", "counts": "items", "partition": false, "rounded": false, "total": null,
                "rows": [{"key": "environments", "label": "oppimisympäristöt", "count": 42, "percent": null}]}]}))]
pub struct RegionStatistics {
    pub region: String,
    pub region_name: String,
    pub as_of: NaiveDate,
    /// `true` for platform administrators; otherwise counts of people are rounded (see each
    /// table's `rounded`).
    pub exact: bool,
    /// Public counts of people are rounded to the nearest multiple of this (see `rounded`).
    pub rounding_base: u64,
    /// In this order: `summary`, `environments_by_qualification`, `recognitions_by_qualification`,
    /// `signatories_by_kind`, `certificates_by_year`.
    pub tables: Vec<Table>,
}

/// A table of a region's statistics, for `table=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegionTable {
    Summary,
    EnvironmentsByQualification,
    RecognitionsByQualification,
    SignatoriesByKind,
    CertificatesByYear,
}

impl RegionTable {
    /// In the order the answer gives them.
    pub const ALL: [RegionTable; 5] = [
        RegionTable::Summary,
        RegionTable::EnvironmentsByQualification,
        RegionTable::RecognitionsByQualification,
        RegionTable::SignatoriesByKind,
        RegionTable::CertificatesByYear,
    ];

    pub fn as_str(self) -> &'static str {
        crate::text_enum::name(&self)
    }
}

const KIND_LABELS: [(OrganisationKind, &str); 8] = [
    (OrganisationKind::Workshop, "työpajat"),
    (OrganisationKind::EducationProvider, "koulutuksen järjestäjät"),
    (OrganisationKind::Municipality, "kunnat"),
    (OrganisationKind::EmploymentService, "työllisyyspalvelut"),
    (OrganisationKind::Association, "yhdistykset"),
    (OrganisationKind::Company, "yritykset"),
    (OrganisationKind::RegionalNetwork, "alueelliset verkostot"),
    (OrganisationKind::Other, "muut"),
];

/// Organisations whose home municipality is in the region.
macro_rules! organisations_in {
    ($region:expr) => {
        organisations::table
            .inner_join(municipalities::table)
            .filter(municipalities::region_code.eq($region))
            .select(organisations::id)
    };
}

/// The region's name, or `None` when no region has the code.
pub fn region_name(conn: &mut DbConnection, code: &str) -> QueryResult<Option<String>> {
    regions::table
        .find(code)
        .select(regions::name_fi)
        .first(conn)
        .optional()
}

fn active_environments(conn: &mut DbConnection, region: &str) -> QueryResult<i64> {
    learning_environments::table
        .filter(learning_environments::region_code.eq(region))
        .filter(learning_environments::active.eq(true))
        .count()
        .get_result(conn)
}

/// (qualification, environment) of every public recognition in force on `day` at an active
/// environment of the region.
fn recognitions_in_force(
    conn: &mut DbConnection,
    region: &str,
    day: NaiveDate,
) -> QueryResult<Vec<(String, String)>> {
    recognitions::table
        .inner_join(learning_environments::table)
        .filter(recognitions::region_code.eq(region))
        .filter(learning_environments::active.eq(true))
        .filter(recognitions::valid_from.le(day))
        .filter(crate::recognition_public_on!(day))
        .filter(
            recognitions::in_force_until
                .is_null()
                .or(recognitions::in_force_until.ge(day)),
        )
        .select((recognitions::qualification_code, recognitions::environment_id))
        .load(conn)
}

/// The kind of every organisation that has signed a guideline for the region, each once however
/// many it has signed.
fn signatories(conn: &mut DbConnection, region: &str) -> QueryResult<BTreeMap<String, OrganisationKind>> {
    Ok(guideline_signatures::table
        .inner_join(organisations::table)
        .filter(guideline_signatures::region_code.eq(region))
        .filter(guideline_signatures::withdrawn_on.is_null())
        .select((guideline_signatures::organisation_id, organisations::kind))
        .load::<(String, OrganisationKind)>(conn)?
        .into_iter()
        .collect())
}

fn agreements_in_force(conn: &mut DbConnection, region: &str, day: NaiveDate) -> QueryResult<i64> {
    agreements::table
        .filter(agreements::status.eq(AgreementStatus::Active))
        .filter(agreements::valid_from.le(day))
        .filter(
            agreements::valid_until
                .is_null()
                .or(agreements::valid_until.ge(day)),
        )
        .filter(
            agreements::id.eq_any(
                agreement_parties::table
                    .filter(agreement_parties::organisation_id.eq_any(organisations_in!(region)))
                    .select(agreement_parties::agreement_id),
            ),
        )
        .count()
        .get_result(conn)
}

/// Certificates issued by the region's organisations, counted by year of issue.
fn issued_by_year(conn: &mut DbConnection, region: &str) -> QueryResult<BTreeMap<i32, u64>> {
    let issued: Vec<chrono::NaiveDateTime> = certificates::table
        .filter(certificates::issuer_organisation_id.eq_any(organisations_in!(region)))
        .filter(certificates::issued_at.is_not_null())
        .select(certificates::issued_at.assume_not_null())
        .load(conn)?;
    let mut by_year: BTreeMap<i32, u64> = BTreeMap::new();
    for at in &issued {
        *by_year.entry(at.year()).or_insert(0) += 1;
    }
    Ok(by_year)
}

/// The two tables by qualification: environments recognised for it, and its recognitions.
fn qualification_tables(
    conn: &mut DbConnection,
    in_force: &[(String, String)],
    recognised_environments: u64,
) -> Result<[TableBuilder; 2], ApiError> {
    let mut recognitions_by_qualification: BTreeMap<&str, u64> = BTreeMap::new();
    let mut environments_by_qualification: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (qualification, environment) in in_force {
        *recognitions_by_qualification.entry(qualification).or_insert(0) += 1;
        environments_by_qualification
            .entry(qualification)
            .or_default()
            .insert(environment);
    }
    let codes: Vec<String> = recognitions_by_qualification
        .keys()
        .map(|code| code.to_string())
        .collect();
    let names: HashMap<String, String> = reference::names_of(conn, &codes, &[])?
        .qualifications
        .into_iter()
        .map(|(code, named)| (code, named.name.fi))
        .collect();
    let name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_owned());
    Ok([
        TableBuilder::shares_of(
            "environments_by_qualification",
            "Tunnustetut oppimisympäristöt tutkinnoittain",
            "environments",
            recognised_environments,
        )
        .rows(
            environments_by_qualification
                .iter()
                .map(|(code, environments)| (code.to_string(), name(code), environments.len() as u64)),
        ),
        TableBuilder::partition(
            "recognitions_by_qualification",
            "Voimassa olevat tunnustamiset tutkinnoittain",
            "recognitions",
            in_force.len() as u64,
        )
        .rows(
            recognitions_by_qualification
                .iter()
                .map(|(code, &count)| (code.to_string(), name(code), count)),
        ),
    ])
}

pub fn compute(
    conn: &mut DbConnection,
    region: &str,
    region_name: String,
    exact: bool,
) -> Result<RegionStatistics, ApiError> {
    let day = today();
    let in_force = recognitions_in_force(conn, region, day)?;
    let recognised = in_force
        .iter()
        .map(|(_, environment)| environment.as_str())
        .collect::<BTreeSet<&str>>()
        .len() as u64;
    let signatories = signatories(conn, region)?;
    let by_year = issued_by_year(conn, region)?;
    let summary = TableBuilder::figures("summary", "Alueen luvut")
        .row(
            "environments",
            "oppimisympäristöt",
            active_environments(conn, region)? as u64,
        )
        .row(
            "recognised_environments",
            "tunnustetut oppimisympäristöt",
            recognised,
        )
        .row(
            "recognitions",
            "voimassa olevat tunnustamiset",
            in_force.len() as u64,
        )
        .row(
            "signatories",
            "linjausten allekirjoittajat",
            signatories.len() as u64,
        )
        .row(
            "agreements_in_force",
            "voimassa olevat yhteistyösopimukset",
            agreements_in_force(conn, region, day)? as u64,
        );
    let [environments_by_qualification, recognitions_by_qualification] =
        qualification_tables(conn, &in_force, recognised)?;
    let tables = [
        summary,
        environments_by_qualification,
        recognitions_by_qualification,
        TableBuilder::partition(
            "signatories_by_kind",
            "Linjausten allekirjoittajat organisaation tyypin mukaan",
            "organisations",
            signatories.len() as u64,
        )
        .rows(KIND_LABELS.iter().map(|(kind, label)| {
            let count = signatories.values().filter(|value| *value == kind).count() as u64;
            (kind.to_string(), label.to_string(), count)
        })),
        TableBuilder::partition(
            "certificates_by_year",
            "Myönnetyt osaamistodistukset vuosittain",
            "certificates",
            by_year.values().sum(),
        )
        .rows(
            by_year
                .iter()
                .map(|(year, &count)| (year.to_string(), year.to_string(), count)),
        ),
    ];
    Ok(RegionStatistics {
        region: region.to_owned(),
        region_name,
        as_of: day,
        exact,
        rounding_base: ROUNDING_BASE,
        tables: tables.into_iter().map(|table| table.build(exact)).collect(),
    })
}
