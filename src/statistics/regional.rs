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
    locale::Language,
    organisations::dto::OrganisationKind,
    reference::repo as reference,
    schema::{
        agreement_parties, agreements, certificates, guideline_signatures, learning_environments,
        municipalities, organisations, recognitions, regions,
    },
    text::{localized, LocalizedText},
};

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"region": "04", "region_name": "Satakunta", "as_of": "2026-11-24", "exact": false, "rounding_base": 5,
    "tables": [{"name": "summary", "title": "Alueen luvut", "counts": "items", "partition": false, "rounded": false, "total": null,
                "rows": [{"key": "environments", "label": "oppimisympäristöt", "count": 42, "percent": null, "sum_of": []}]}]}))]
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

/// Each kind of organisation as a report names a group of them, in Finnish, Swedish and English.
const KIND_LABELS: [(OrganisationKind, [&str; 3]); 8] = [
    (
        OrganisationKind::Workshop,
        ["työpajat", "verkstäder", "workshops"],
    ),
    (
        OrganisationKind::EducationProvider,
        [
            "koulutuksen järjestäjät",
            "utbildningsanordnare",
            "education providers",
        ],
    ),
    (
        OrganisationKind::Municipality,
        ["kunnat", "kommuner", "municipalities"],
    ),
    (
        OrganisationKind::EmploymentService,
        [
            "työllisyyspalvelut",
            "sysselsättningstjänster",
            "employment services",
        ],
    ),
    (
        OrganisationKind::Association,
        ["yhdistykset", "föreningar", "associations"],
    ),
    (OrganisationKind::Company, ["yritykset", "företag", "companies"]),
    (
        OrganisationKind::RegionalNetwork,
        ["alueelliset verkostot", "regionala nätverk", "regional networks"],
    ),
    (OrganisationKind::Other, ["muut", "andra", "others"]),
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
pub fn region_name(conn: &mut DbConnection, code: &str) -> QueryResult<Option<LocalizedText>> {
    Ok(regions::table
        .find(code)
        .select((regions::name_fi, regions::name_sv, regions::name_en))
        .first::<(String, Option<String>, Option<String>)>(conn)
        .optional()?
        .map(|(fi, sv, en)| localized(&fi, &sv, &en)))
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
    (in_force, recognised_environments): (&[(String, String)], u64),
    language: Language,
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
        .map(|(code, named)| (code, named.name.get(language.tag()).to_owned()))
        .collect();
    let name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_owned());
    Ok([
        TableBuilder::shares_of(
            "environments_by_qualification",
            language.pick(
                "Tunnustetut oppimisympäristöt tutkinnoittain",
                "Erkända lärmiljöer per examen",
                "Recognised learning environments by qualification",
            ),
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
            language.pick(
                "Voimassa olevat tunnustamiset tutkinnoittain",
                "Gällande erkännanden per examen",
                "Recognitions in force by qualification",
            ),
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

/// The region's summary: counts of organisations' records, which are public and exact.
fn summary(
    conn: &mut DbConnection,
    (region, day): (&str, NaiveDate),
    (recognised, recognitions, signatories): (u64, u64, u64),
    language: Language,
) -> Result<TableBuilder, ApiError> {
    let say = |fi, sv, en| language.pick(fi, sv, en);
    Ok(TableBuilder::figures(
        "summary",
        say("Alueen luvut", "Regionens siffror", "The region in figures"),
    )
    .row(
        "environments",
        say("oppimisympäristöt", "lärmiljöer", "learning environments"),
        active_environments(conn, region)? as u64,
    )
    .row(
        "recognised_environments",
        say(
            "tunnustetut oppimisympäristöt",
            "erkända lärmiljöer",
            "recognised learning environments",
        ),
        recognised,
    )
    .row(
        "recognitions",
        say(
            "voimassa olevat tunnustamiset",
            "gällande erkännanden",
            "recognitions in force",
        ),
        recognitions,
    )
    .row(
        "signatories",
        say(
            "linjausten allekirjoittajat",
            "undertecknare av riktlinjerna",
            "signatories of the guidelines",
        ),
        signatories,
    )
    .row(
        "agreements_in_force",
        say(
            "voimassa olevat yhteistyösopimukset",
            "gällande samarbetsavtal",
            "cooperation agreements in force",
        ),
        agreements_in_force(conn, region, day)? as u64,
    ))
}

/// The region's public figures in `language`; exact for platform administrators.
pub fn compute(
    conn: &mut DbConnection,
    (region, region_name): (&str, LocalizedText),
    language: Language,
    exact: bool,
) -> Result<RegionStatistics, ApiError> {
    let say = |fi, sv, en| language.pick(fi, sv, en);
    let day = today();
    let in_force = recognitions_in_force(conn, region, day)?;
    let recognised = in_force
        .iter()
        .map(|(_, environment)| environment.as_str())
        .collect::<BTreeSet<&str>>()
        .len() as u64;
    let signatories = signatories(conn, region)?;
    let by_year = issued_by_year(conn, region)?;
    let counts = (recognised, in_force.len() as u64, signatories.len() as u64);
    let summary = summary(conn, (region, day), counts, language)?;
    let [environments_by_qualification, recognitions_by_qualification] =
        qualification_tables(conn, (&in_force, recognised), language)?;
    let tables = [
        summary,
        environments_by_qualification,
        recognitions_by_qualification,
        TableBuilder::partition(
            "signatories_by_kind",
            say(
                "Linjausten allekirjoittajat organisaation tyypin mukaan",
                "Riktlinjernas undertecknare efter typ av organisation",
                "Signatories of the guidelines by kind of organisation",
            ),
            "organisations",
            signatories.len() as u64,
        )
        .rows(KIND_LABELS.iter().map(|(kind, [fi, sv, en])| {
            let count = signatories.values().filter(|value| *value == kind).count() as u64;
            (kind.to_string(), say(fi, sv, en).to_owned(), count)
        })),
        TableBuilder::partition(
            "certificates_by_year",
            say(
                "Myönnetyt osaamistodistukset vuosittain",
                "Utfärdade kompetensintyg per år",
                "Certificates of competence issued by year",
            ),
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
        region_name: region_name.get(language.tag()).to_owned(),
        as_of: day,
        exact,
        rounding_base: ROUNDING_BASE,
        tables: tables.into_iter().map(|table| table.build(exact)).collect(),
    })
}
