//! A programme's figures for its funders, from its participations, completions and the
//! recognitions made in its area during its period.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::tables::{cross_table, CrossTable, Heading, Table, TableBuilder, ROUNDING_BASE};
use crate::{
    db::{today, DbConnection},
    error::ApiError,
    participations::{
        dto::{AgeBand, EducationLevel, Gender, ImmigrantBackground, NextStep, UnemploymentDuration},
        model::{CompletionRow, ParticipationRow},
        repo as participations,
    },
    programmes::{model::ProgrammeRow, repo as programmes},
    reference::repo as reference,
    schema::{learning_environments, recognitions},
    text::localized,
    text::LocalizedText,
};

/// A programme's statistics: every table funders ask for.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"programme_id": "0193a2b4-8e00-7a3a-9f00-5b1c2d3e4f60", "programme_name": {"fi": "Osaaminen näkyväksi Satakunnassa"},
    "starts_on": "2026-01-01", "ends_on": "2028-12-31", "as_of": "2026-11-24", "exact": true, "rounding_base": 5,
    "tables": [{"name": "participants", "title": "Osallistujat", "counts": "participants", "partition": false, "rounded": false,
                "total": {"count": 77, "percent": null},
                "rows": [{"key": "under_30", "label": "alle 30-vuotiaat", "count": 51, "percent": 66.2}]}],
    "cross_tables": []}))]
pub struct ProgrammeStatistics {
    pub programme_id: String,
    pub programme_name: LocalizedText,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The day the figures were counted on: periods ended by then count as ended.
    pub as_of: NaiveDate,
    /// `true` for the programme's administrator: exact figures. Otherwise counts of people are
    /// rounded (see each table's `rounded`).
    pub exact: bool,
    /// Public counts of people are rounded to the nearest multiple of this (see `rounded`).
    pub rounding_base: u64,
    /// In this order: `participants`, `participants_by_gender`, `participants_by_age_band`,
    /// `participants_by_unemployment_duration`, `participants_by_education_level`,
    /// `participants_by_immigrant_background`, `participants_by_municipality`, `next_steps`,
    /// `positive_next_steps`, `units_by_qualification`, `units_by_municipality`,
    /// `qualifications_completed`, `recognised_environments_by_municipality`,
    /// `recognised_environments_by_qualification`.
    pub tables: Vec<Table>,
    /// `units_by_qualification_and_municipality`.
    pub cross_tables: Vec<CrossTable>,
}

/// The names of the table of a programme's statistics, for `table=`.
pub const TABLES: [&str; 15] = [
    "participants",
    "participants_by_gender",
    "participants_by_age_band",
    "participants_by_unemployment_duration",
    "participants_by_education_level",
    "participants_by_immigrant_background",
    "participants_by_municipality",
    "next_steps",
    "positive_next_steps",
    "units_by_qualification",
    "units_by_municipality",
    "qualifications_completed",
    "recognised_environments_by_municipality",
    "recognised_environments_by_qualification",
    "units_by_qualification_and_municipality",
];

/// A recognition started in the programme's area during its period: environment, qualification,
/// the environment's municipality.
type Recognised = (String, String, String);

/// Recognitions that started within the programme's period at environments in its area.
fn recognised_in_area(
    conn: &mut DbConnection,
    programme: &ProgrammeRow,
) -> Result<Vec<Recognised>, ApiError> {
    let area = programmes::children(conn, std::slice::from_ref(&programme.id))?;
    let municipalities: Vec<String> = area
        .municipalities
        .into_iter()
        .map(|link| link.municipality_code)
        .collect();
    let regions: Vec<String> = area.regions.into_iter().map(|link| link.region_code).collect();
    Ok(recognitions::table
        .inner_join(learning_environments::table)
        .filter(recognitions::valid_from.ge(programme.starts_on))
        .filter(recognitions::valid_from.le(programme.ends_on))
        .filter(
            learning_environments::municipality_code
                .eq_any(municipalities)
                .or(learning_environments::region_code.eq_any(regions)),
        )
        .select((
            recognitions::environment_id,
            recognitions::qualification_code,
            learning_environments::municipality_code,
        ))
        .load(conn)?)
}

/// Counts per key, in key order.
fn tally<K: Ord>(keys: impl IntoIterator<Item = K>) -> BTreeMap<K, u64> {
    let mut counts = BTreeMap::new();
    for key in keys {
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

/// Rows for every category of an enumeration, zeros included, in the enumeration's order.
fn category_rows<C: Copy + Eq>(
    all: &[C],
    values: &[C],
    key: impl Fn(C) -> &'static str,
    label: impl Fn(C) -> &'static str,
) -> Vec<(String, String, u64)> {
    all.iter()
        .map(|&category| {
            let count = values.iter().filter(|&&value| value == category).count() as u64;
            (key(category).to_owned(), label(category).to_owned(), count)
        })
        .collect()
}

/// Rows for coded things (municipalities, qualifications) named from `names`.
fn coded_rows(counts: &BTreeMap<String, u64>, names: &HashMap<String, String>) -> Vec<(String, String, u64)> {
    counts
        .iter()
        .map(|(code, &count)| {
            (
                code.clone(),
                names.get(code).cloned().unwrap_or_else(|| code.clone()),
                count,
            )
        })
        .collect()
}

pub fn compute(
    conn: &mut DbConnection,
    programme: &ProgrammeRow,
    exact: bool,
) -> Result<ProgrammeStatistics, ApiError> {
    let as_of = today();
    let rows: Vec<ParticipationRow> = participations::all_of(conn, &programme.id)?;
    let completions: Vec<CompletionRow> = participations::completions_of_programme(conn, &programme.id)?;
    let recognised = recognised_in_area(conn, programme)?;

    let people = &rows;
    let total = people.len() as u64;

    let mut municipality_codes: BTreeSet<String> =
        rows.iter().map(|row| row.municipality_code.clone()).collect();
    municipality_codes.extend(completions.iter().map(|row| row.municipality_code.clone()));
    municipality_codes.extend(recognised.iter().map(|(_, _, municipality)| municipality.clone()));
    let municipality_names =
        reference::municipality_names(conn, &municipality_codes.into_iter().collect::<Vec<_>>())?;
    let mut qualification_codes: Vec<String> = completions
        .iter()
        .map(|row| row.qualification_code.clone())
        .collect();
    qualification_codes.extend(
        recognised
            .iter()
            .map(|(_, qualification, _)| qualification.clone()),
    );
    qualification_codes.sort();
    qualification_codes.dedup();
    let qualification_names: HashMap<String, String> = reference::names_of(conn, &qualification_codes, &[])?
        .qualifications
        .into_iter()
        .map(|(code, named)| (code, named.name.fi))
        .collect();

    let count = |keep: &dyn Fn(&crate::participations::model::ParticipationRow) -> bool| {
        people.iter().filter(|person| keep(person)).count() as u64
    };
    let mut tables = vec![
        TableBuilder::shares_of("participants", "Osallistujat", "participants", total)
            .row("under_30", "alle 30-vuotiaat", count(&|p| p.age_band.under_30()))
            .row(
                "unemployed_at_least_12_months",
                "työttömänä vähintään 12 kuukautta",
                count(&|p| p.unemployment_duration == UnemploymentDuration::AtLeast12Months),
            )
            .row(
                "immigrant_background",
                "maahanmuuttajataustaiset",
                count(&|p| p.immigrant_background == ImmigrantBackground::Yes),
            ),
        TableBuilder::partition(
            "participants_by_gender",
            "Osallistujat sukupuolen mukaan",
            "participants",
            total,
        )
        .rows(category_rows(
            Gender::ALL,
            &people.iter().map(|p| p.gender).collect::<Vec<_>>(),
            Gender::as_str,
            Gender::label,
        )),
        TableBuilder::partition(
            "participants_by_age_band",
            "Osallistujat iän mukaan",
            "participants",
            total,
        )
        .rows(category_rows(
            AgeBand::ALL,
            &people.iter().map(|p| p.age_band).collect::<Vec<_>>(),
            AgeBand::as_str,
            AgeBand::label,
        )),
        TableBuilder::partition(
            "participants_by_unemployment_duration",
            "Osallistujat työttömyyden keston mukaan",
            "participants",
            total,
        )
        .rows(category_rows(
            UnemploymentDuration::ALL,
            &people.iter().map(|p| p.unemployment_duration).collect::<Vec<_>>(),
            UnemploymentDuration::as_str,
            UnemploymentDuration::label,
        )),
        TableBuilder::partition(
            "participants_by_education_level",
            "Osallistujat koulutustason mukaan",
            "participants",
            total,
        )
        .rows(category_rows(
            EducationLevel::ALL,
            &people.iter().map(|p| p.education_level).collect::<Vec<_>>(),
            EducationLevel::as_str,
            EducationLevel::label,
        )),
        TableBuilder::partition(
            "participants_by_immigrant_background",
            "Osallistujat maahanmuuttajataustan mukaan",
            "participants",
            total,
        )
        .rows(category_rows(
            ImmigrantBackground::ALL,
            &people.iter().map(|p| p.immigrant_background).collect::<Vec<_>>(),
            ImmigrantBackground::as_str,
            ImmigrantBackground::label,
        )),
        TableBuilder::partition(
            "participants_by_municipality",
            "Osallistujat kotikunnan mukaan",
            "participants",
            total,
        )
        .rows(coded_rows(
            &tally(rows.iter().map(|row| row.municipality_code.clone())),
            &municipality_names,
        )),
    ];

    // A period has ended when its end date has passed or its next step is known.
    let ended: Vec<Option<NextStep>> = rows
        .iter()
        .zip(people)
        .filter(|(row, person)| row.ends_on.is_some_and(|end| end <= as_of) || person.next_step.is_some())
        .map(|(_, person)| person.next_step)
        .collect();
    let ended_total = ended.len() as u64;
    let recorded: Vec<NextStep> = ended.iter().flatten().copied().collect();
    let positive = recorded.iter().filter(|step| step.positive()).count() as u64;
    tables.push(
        TableBuilder::partition(
            "next_steps",
            "Jatkosijoittuminen päättyneillä jaksoilla",
            "ended_participations",
            ended_total,
        )
        .rows(category_rows(
            NextStep::ALL,
            &recorded,
            NextStep::as_str,
            NextStep::label,
        ))
        .row("not_recorded", "ei kirjattu", ended_total - recorded.len() as u64),
    );
    tables.push(
        TableBuilder::partition(
            "positive_next_steps",
            "Myönteinen jatkosijoittuminen (opinnot tai työ, myös palkkatuettu)",
            "ended_participations",
            ended_total,
        )
        .row("positive", "opintoihin tai työhön", positive)
        .row(
            "other",
            "muu, ei tiedossa tai ei kirjattu",
            ended_total - positive,
        ),
    );

    let units_total = completions.len() as u64;
    let units_by_qualification = tally(completions.iter().map(|row| row.qualification_code.clone()));
    let units_by_municipality = tally(completions.iter().map(|row| row.municipality_code.clone()));
    tables.push(
        TableBuilder::partition(
            "units_by_qualification",
            "Suoritetut tutkinnon osat tutkinnoittain",
            "completed_units",
            units_total,
        )
        .rows(coded_rows(&units_by_qualification, &qualification_names)),
    );
    tables.push(
        TableBuilder::partition(
            "units_by_municipality",
            "Suoritetut tutkinnon osat kunnittain",
            "completed_units",
            units_total,
        )
        .rows(coded_rows(&units_by_municipality, &municipality_names)),
    );
    let whole = tally(
        completions
            .iter()
            .filter(|row| row.qualification_completed)
            .map(|row| row.qualification_code.clone()),
    );
    tables.push(
        TableBuilder::partition(
            "qualifications_completed",
            "Suoritetut kokonaiset tutkinnot",
            "completed_qualifications",
            whole.values().sum(),
        )
        .rows(coded_rows(&whole, &qualification_names)),
    );

    let environment_municipality: BTreeMap<&str, &str> = recognised
        .iter()
        .map(|(environment, _, municipality)| (environment.as_str(), municipality.as_str()))
        .collect();
    let environments_total = environment_municipality.len() as u64;
    tables.push(
        TableBuilder::partition(
            "recognised_environments_by_municipality",
            "Ohjelman aikana tunnustetut oppimisympäristöt kunnittain",
            "environments",
            environments_total,
        )
        .rows(coded_rows(
            &tally(environment_municipality.values().map(|code| code.to_string())),
            &municipality_names,
        )),
    );
    let environment_qualifications: BTreeSet<(&str, &str)> = recognised
        .iter()
        .map(|(environment, qualification, _)| (qualification.as_str(), environment.as_str()))
        .collect();
    tables.push(
        TableBuilder::shares_of(
            "recognised_environments_by_qualification",
            "Ohjelman aikana tunnustetut oppimisympäristöt tutkinnoittain",
            "environments",
            environments_total,
        )
        .rows(coded_rows(
            &tally(
                environment_qualifications
                    .iter()
                    .map(|(qualification, _)| qualification.to_string()),
            ),
            &qualification_names,
        )),
    );

    let headings = |codes: Vec<&String>, names: &HashMap<String, String>| -> Vec<Heading> {
        codes
            .into_iter()
            .map(|code| Heading {
                key: code.clone(),
                label: names.get(code).cloned().unwrap_or_else(|| code.clone()),
            })
            .collect()
    };
    let row_codes: Vec<&String> = units_by_qualification.keys().collect();
    let column_codes: Vec<&String> = units_by_municipality.keys().collect();
    let pairs = tally(
        completions
            .iter()
            .map(|row| (row.qualification_code.as_str(), row.municipality_code.as_str())),
    );
    let cells: Vec<Vec<u64>> = row_codes
        .iter()
        .map(|qualification| {
            column_codes
                .iter()
                .map(|municipality| {
                    pairs
                        .get(&(qualification.as_str(), municipality.as_str()))
                        .copied()
                        .unwrap_or(0)
                })
                .collect()
        })
        .collect();
    let cross = cross_table(
        (
            "units_by_qualification_and_municipality",
            "Suoritetut tutkinnon osat tutkinnoittain ja kunnittain",
            "completed_units",
            "tutkinto",
        ),
        headings(row_codes, &qualification_names),
        headings(column_codes, &municipality_names),
        &cells,
        exact,
    );

    Ok(ProgrammeStatistics {
        programme_id: programme.id.clone(),
        programme_name: localized(&programme.name_fi, &programme.name_sv, &programme.name_en),
        starts_on: programme.starts_on,
        ends_on: programme.ends_on,
        as_of,
        exact,
        rounding_base: ROUNDING_BASE,
        tables: tables.into_iter().map(|table| table.build(exact)).collect(),
        cross_tables: vec![cross],
    })
}
