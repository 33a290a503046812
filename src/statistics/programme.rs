//! A programme's figures for its funders, from its participations, completions and the
//! recognitions made in its area during its period.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
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

/// A table of a programme's statistics, for `table=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeTable {
    Participants,
    ParticipantsByGender,
    ParticipantsByAgeBand,
    ParticipantsByUnemploymentDuration,
    ParticipantsByEducationLevel,
    ParticipantsByImmigrantBackground,
    ParticipantsByMunicipality,
    NextSteps,
    PositiveNextSteps,
    UnitsByQualification,
    UnitsByMunicipality,
    QualificationsCompleted,
    RecognisedEnvironmentsByMunicipality,
    RecognisedEnvironmentsByQualification,
    UnitsByQualificationAndMunicipality,
}

impl ProgrammeTable {
    /// In the order the answer gives them.
    pub const ALL: [ProgrammeTable; 15] = [
        ProgrammeTable::Participants,
        ProgrammeTable::ParticipantsByGender,
        ProgrammeTable::ParticipantsByAgeBand,
        ProgrammeTable::ParticipantsByUnemploymentDuration,
        ProgrammeTable::ParticipantsByEducationLevel,
        ProgrammeTable::ParticipantsByImmigrantBackground,
        ProgrammeTable::ParticipantsByMunicipality,
        ProgrammeTable::NextSteps,
        ProgrammeTable::PositiveNextSteps,
        ProgrammeTable::UnitsByQualification,
        ProgrammeTable::UnitsByMunicipality,
        ProgrammeTable::QualificationsCompleted,
        ProgrammeTable::RecognisedEnvironmentsByMunicipality,
        ProgrammeTable::RecognisedEnvironmentsByQualification,
        ProgrammeTable::UnitsByQualificationAndMunicipality,
    ];

    pub fn as_str(self) -> &'static str {
        crate::text_enum::name(&self)
    }
}

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

/// What a programme's tables are counted from, loaded once.
struct Counted {
    people: Vec<ParticipationRow>,
    completions: Vec<CompletionRow>,
    recognised: Vec<Recognised>,
    municipality_names: HashMap<String, String>,
    qualification_names: HashMap<String, String>,
}

impl Counted {
    fn load(conn: &mut DbConnection, programme: &ProgrammeRow) -> Result<Self, ApiError> {
        let people = participations::all_of(conn, &programme.id)?;
        let completions = participations::completions_of_programme(conn, &programme.id)?;
        let recognised = recognised_in_area(conn, programme)?;
        let municipality_codes: BTreeSet<String> = people
            .iter()
            .map(|row| row.municipality_code.clone())
            .chain(completions.iter().map(|row| row.municipality_code.clone()))
            .chain(recognised.iter().map(|(_, _, municipality)| municipality.clone()))
            .collect();
        let municipality_names =
            reference::municipality_names(conn, &municipality_codes.into_iter().collect::<Vec<_>>())?;
        let qualification_codes: BTreeSet<String> = completions
            .iter()
            .map(|row| row.qualification_code.clone())
            .chain(
                recognised
                    .iter()
                    .map(|(_, qualification, _)| qualification.clone()),
            )
            .collect();
        let qualification_names =
            reference::names_of(conn, &qualification_codes.into_iter().collect::<Vec<_>>(), &[])?
                .qualifications
                .into_iter()
                .map(|(code, named)| (code, named.name.fi))
                .collect();
        Ok(Self {
            people,
            completions,
            recognised,
            municipality_names,
            qualification_names,
        })
    }

    fn count(&self, keep: impl Fn(&ParticipationRow) -> bool) -> u64 {
        self.people.iter().filter(|person| keep(person)).count() as u64
    }
}

/// A category's key or label.
type Name<C> = fn(C) -> &'static str;

/// A partition of participants by one of their categories, every category shown.
fn participants_by<C: Copy + Eq>(
    (name, title): (&'static str, &'static str),
    people: &[ParticipationRow],
    (all, category): (&[C], impl Fn(&ParticipationRow) -> C),
    (key, label): (Name<C>, Name<C>),
) -> TableBuilder {
    let values: Vec<C> = people.iter().map(category).collect();
    TableBuilder::partition(name, title, "participants", people.len() as u64)
        .rows(category_rows(all, &values, key, label))
}

fn participant_tables(counted: &Counted) -> Vec<TableBuilder> {
    let people = &counted.people;
    vec![
        TableBuilder::shares_of(
            "participants",
            "Osallistujat",
            "participants",
            people.len() as u64,
        )
        .row(
            "under_30",
            "alle 30-vuotiaat",
            counted.count(|p| p.age_band.under_30()),
        )
        .row(
            "unemployed_at_least_12_months",
            "työttömänä vähintään 12 kuukautta",
            counted.count(|p| p.unemployment_duration == UnemploymentDuration::AtLeast12Months),
        )
        .row(
            "immigrant_background",
            "maahanmuuttajataustaiset",
            counted.count(|p| p.immigrant_background == ImmigrantBackground::Yes),
        ),
        participants_by(
            ("participants_by_gender", "Osallistujat sukupuolen mukaan"),
            people,
            (Gender::ALL, |p| p.gender),
            (Gender::as_str, Gender::label),
        ),
        participants_by(
            ("participants_by_age_band", "Osallistujat iän mukaan"),
            people,
            (AgeBand::ALL, |p| p.age_band),
            (AgeBand::as_str, AgeBand::label),
        ),
        participants_by(
            (
                "participants_by_unemployment_duration",
                "Osallistujat työttömyyden keston mukaan",
            ),
            people,
            (UnemploymentDuration::ALL, |p| p.unemployment_duration),
            (UnemploymentDuration::as_str, UnemploymentDuration::label),
        ),
        participants_by(
            (
                "participants_by_education_level",
                "Osallistujat koulutustason mukaan",
            ),
            people,
            (EducationLevel::ALL, |p| p.education_level),
            (EducationLevel::as_str, EducationLevel::label),
        ),
        participants_by(
            (
                "participants_by_immigrant_background",
                "Osallistujat maahanmuuttajataustan mukaan",
            ),
            people,
            (ImmigrantBackground::ALL, |p| p.immigrant_background),
            (ImmigrantBackground::as_str, ImmigrantBackground::label),
        ),
        TableBuilder::partition(
            "participants_by_municipality",
            "Osallistujat kotikunnan mukaan",
            "participants",
            people.len() as u64,
        )
        .rows(coded_rows(
            &tally(people.iter().map(|row| row.municipality_code.clone())),
            &counted.municipality_names,
        )),
    ]
}

fn next_step_tables(counted: &Counted, as_of: NaiveDate) -> Vec<TableBuilder> {
    // A period has ended when its end date has passed or its next step is known.
    let ended: Vec<Option<NextStep>> = counted
        .people
        .iter()
        .filter(|row| row.ends_on.is_some_and(|end| end <= as_of) || row.next_step.is_some())
        .map(|row| row.next_step)
        .collect();
    let ended_total = ended.len() as u64;
    let recorded: Vec<NextStep> = ended.iter().flatten().copied().collect();
    let positive = recorded.iter().filter(|step| step.positive()).count() as u64;
    vec![
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
    ]
}

fn completion_tables(counted: &Counted) -> Vec<TableBuilder> {
    let completions = &counted.completions;
    let units_total = completions.len() as u64;
    let whole = tally(
        completions
            .iter()
            .filter(|row| row.qualification_completed)
            .map(|row| row.qualification_code.clone()),
    );
    vec![
        TableBuilder::partition(
            "units_by_qualification",
            "Suoritetut tutkinnon osat tutkinnoittain",
            "completed_units",
            units_total,
        )
        .rows(coded_rows(
            &tally(completions.iter().map(|row| row.qualification_code.clone())),
            &counted.qualification_names,
        )),
        TableBuilder::partition(
            "units_by_municipality",
            "Suoritetut tutkinnon osat kunnittain",
            "completed_units",
            units_total,
        )
        .rows(coded_rows(
            &tally(completions.iter().map(|row| row.municipality_code.clone())),
            &counted.municipality_names,
        )),
        TableBuilder::partition(
            "qualifications_completed",
            "Suoritetut kokonaiset tutkinnot",
            "completed_qualifications",
            whole.values().sum(),
        )
        .rows(coded_rows(&whole, &counted.qualification_names)),
    ]
}

fn environment_tables(counted: &Counted) -> Vec<TableBuilder> {
    let environment_municipality: BTreeMap<&str, &str> = counted
        .recognised
        .iter()
        .map(|(environment, _, municipality)| (environment.as_str(), municipality.as_str()))
        .collect();
    let environment_qualifications: BTreeSet<(&str, &str)> = counted
        .recognised
        .iter()
        .map(|(environment, qualification, _)| (qualification.as_str(), environment.as_str()))
        .collect();
    let environments_total = environment_municipality.len() as u64;
    vec![
        TableBuilder::partition(
            "recognised_environments_by_municipality",
            "Ohjelman aikana tunnustetut oppimisympäristöt kunnittain",
            "environments",
            environments_total,
        )
        .rows(coded_rows(
            &tally(environment_municipality.values().map(|code| code.to_string())),
            &counted.municipality_names,
        )),
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
            &counted.qualification_names,
        )),
    ]
}

/// Headings for coded rows or columns, named from `names`.
fn headings(codes: &[&String], names: &HashMap<String, String>) -> Vec<Heading> {
    codes
        .iter()
        .map(|&code| Heading {
            key: code.clone(),
            label: names.get(code).cloned().unwrap_or_else(|| code.clone()),
        })
        .collect()
}

fn completion_cross_table(counted: &Counted, exact: bool) -> CrossTable {
    let completions = &counted.completions;
    let pairs = tally(
        completions
            .iter()
            .map(|row| (row.qualification_code.as_str(), row.municipality_code.as_str())),
    );
    let qualifications: BTreeSet<&String> = completions.iter().map(|row| &row.qualification_code).collect();
    let municipalities: BTreeSet<&String> = completions.iter().map(|row| &row.municipality_code).collect();
    let row_codes: Vec<&String> = qualifications.into_iter().collect();
    let column_codes: Vec<&String> = municipalities.into_iter().collect();
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
    cross_table(
        (
            "units_by_qualification_and_municipality",
            "Suoritetut tutkinnon osat tutkinnoittain ja kunnittain",
            "completed_units",
            "tutkinto",
        ),
        headings(&row_codes, &counted.qualification_names),
        headings(&column_codes, &counted.municipality_names),
        &cells,
        exact,
    )
}

pub fn compute(
    conn: &mut DbConnection,
    programme: &ProgrammeRow,
    exact: bool,
) -> Result<ProgrammeStatistics, ApiError> {
    let as_of = today();
    let counted = Counted::load(conn, programme)?;
    let tables = [
        participant_tables(&counted),
        next_step_tables(&counted, as_of),
        completion_tables(&counted),
        environment_tables(&counted),
    ];
    Ok(ProgrammeStatistics {
        programme_id: programme.id.clone(),
        programme_name: localized(&programme.name_fi, &programme.name_sv, &programme.name_en),
        starts_on: programme.starts_on,
        ends_on: programme.ends_on,
        as_of,
        exact,
        rounding_base: ROUNDING_BASE,
        tables: tables
            .into_iter()
            .flatten()
            .map(|table| table.build(exact))
            .collect(),
        cross_tables: vec![completion_cross_table(&counted, exact)],
    })
}
