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
    locale::Language,
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
    "starts_on": "2026-01-01", "ends_on": "2028-12-31", "as_of": "2026-11-24", "from": "2026-01-01", "until": "2028-12-31", "exact": true, "rounding_base": 5,
    "tables": [{"name": "participants", "title": "Osallistujat", "counts": "participants", "partition": false, "rounded": false,
                "total": {"count": 77, "percent": null},
                "rows": [{"key": "under_30", "label": "alle 30-vuotiaat", "count": 51, "percent": 66.2, "sum_of": []}]}],
    "cross_tables": []}))]
pub struct ProgrammeStatistics {
    pub programme_id: String,
    pub programme_name: LocalizedText,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The day the figures were counted on: periods ended by then count as ended.
    pub as_of: NaiveDate,
    /// The first day reported: the programme's start, or `from` when later.
    pub from: NaiveDate,
    /// The last day reported: the programme's end, or `until` when earlier.
    pub until: NaiveDate,
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

/// The days a report covers: the programme's period, narrowed by `from` and `until`.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

impl Period {
    /// The programme's period within `from` and `until`, or the problem with them.
    pub fn of(
        programme: &ProgrammeRow,
        from: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> Result<Self, ApiError> {
        let period = Self {
            from: from.map_or(programme.starts_on, |from| from.max(programme.starts_on)),
            until: until.map_or(programme.ends_on, |until| until.min(programme.ends_on)),
        };
        if period.from > period.until {
            return Err(ApiError::validation(
                "until",
                "empty_period",
                format!(
                    "from {} until {} leaves no day of the programme's period {} – {}",
                    period.from, period.until, programme.starts_on, programme.ends_on
                ),
            ));
        }
        Ok(period)
    }

    fn contains(self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.until
    }

    /// Whether a coaching period from `starts_on` to `ends_on` (open when `None`) has a day in it.
    fn overlaps(self, starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> bool {
        starts_on <= self.until && ends_on.is_none_or(|end| end >= self.from)
    }
}

/// A recognition started in the programme's area during the period: environment, qualification,
/// the environment's municipality.
type Recognised = (String, String, String);

/// Recognitions that started within the period at environments in the programme's area.
fn recognised_in_area(
    conn: &mut DbConnection,
    programme: &ProgrammeRow,
    period: Period,
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
        .filter(recognitions::valid_from.ge(period.from))
        .filter(recognitions::valid_from.le(period.until))
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

/// What a programme's tables are counted from, loaded once, and the language they are told in.
struct Counted {
    language: Language,
    people: Vec<ParticipationRow>,
    completions: Vec<CompletionRow>,
    recognised: Vec<Recognised>,
    municipality_names: HashMap<String, LocalizedText>,
    qualification_names: HashMap<String, LocalizedText>,
}

impl Counted {
    fn load(
        conn: &mut DbConnection,
        programme: &ProgrammeRow,
        period: Period,
        language: Language,
    ) -> Result<Self, ApiError> {
        let people: Vec<ParticipationRow> = participations::all_of(conn, &programme.id)?
            .into_iter()
            .filter(|row| period.overlaps(row.starts_on, row.ends_on))
            .collect();
        let completions: Vec<CompletionRow> = participations::completions_of_programme(conn, &programme.id)?
            .into_iter()
            .filter(|row| period.contains(row.completed_on))
            .collect();
        let recognised = recognised_in_area(conn, programme, period)?;
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
                .map(|(code, named)| (code, named.name))
                .collect();
        Ok(Self {
            language,
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

    /// Finnish, Swedish or English, as the report is asked for.
    fn say<'a>(&self, fi: &'a str, sv: &'a str, en: &'a str) -> &'a str {
        self.language.pick(fi, sv, en)
    }

    /// Rows for coded things (municipalities, qualifications) named from `names`.
    fn coded_rows(
        &self,
        counts: &BTreeMap<String, u64>,
        names: &HashMap<String, LocalizedText>,
    ) -> Vec<(String, String, u64)> {
        counts
            .iter()
            .map(|(code, &count)| (code.clone(), self.name_of(code, names), count))
            .collect()
    }

    fn name_of(&self, code: &str, names: &HashMap<String, LocalizedText>) -> String {
        names
            .get(code)
            .map(|name| name.get(self.language.tag()).to_owned())
            .unwrap_or_else(|| code.to_owned())
    }
}

/// A category's key.
type Key<C> = fn(C) -> &'static str;
/// A category's label in a language.
type Label<C> = fn(C, Language) -> &'static str;

/// A partition of participants by one of their categories, every category shown.
fn participants_by<C: Copy + Eq>(
    (name, title): (&'static str, &str),
    counted: &Counted,
    (all, category): (&[C], impl Fn(&ParticipationRow) -> C),
    (key, label): (Key<C>, Label<C>),
) -> TableBuilder {
    let people = &counted.people;
    let values: Vec<C> = people.iter().map(category).collect();
    let language = counted.language;
    TableBuilder::partition(name, title, "participants", people.len() as u64).rows(category_rows(
        all,
        &values,
        key,
        |category| label(category, language),
    ))
}

fn participants_table(counted: &Counted) -> TableBuilder {
    let say = |fi, sv, en| counted.say(fi, sv, en);
    TableBuilder::shares_of(
        "participants",
        say("Osallistujat", "Deltagare", "Participants"),
        "participants",
        counted.people.len() as u64,
    )
    .row(
        "under_30",
        say("alle 30-vuotiaat", "under 30 år", "under 30"),
        counted.count(|p| p.age_band.under_30()),
    )
    .row(
        "unemployed_at_least_12_months",
        say(
            "työttömänä vähintään 12 kuukautta",
            "arbetslösa minst 12 månader",
            "unemployed at least 12 months",
        ),
        counted.count(|p| p.unemployment_duration == UnemploymentDuration::AtLeast12Months),
    )
    .row(
        "immigrant_background",
        say(
            "maahanmuuttajataustaiset",
            "med invandrarbakgrund",
            "immigrant background",
        ),
        counted.count(|p| p.immigrant_background == ImmigrantBackground::Yes),
    )
}

fn participant_tables(counted: &Counted) -> Vec<TableBuilder> {
    let say = |fi, sv, en| counted.say(fi, sv, en);
    let people = &counted.people;
    vec![
        participants_table(counted),
        participants_by(
            (
                "participants_by_gender",
                say(
                    "Osallistujat sukupuolen mukaan",
                    "Deltagare efter kön",
                    "Participants by gender",
                ),
            ),
            counted,
            (Gender::ALL, |p| p.gender),
            (Gender::as_str, Gender::label),
        ),
        participants_by(
            (
                "participants_by_age_band",
                say(
                    "Osallistujat iän mukaan",
                    "Deltagare efter ålder",
                    "Participants by age",
                ),
            ),
            counted,
            (AgeBand::ALL, |p| p.age_band),
            (AgeBand::as_str, AgeBand::label),
        ),
        participants_by(
            (
                "participants_by_unemployment_duration",
                say(
                    "Osallistujat työttömyyden keston mukaan",
                    "Deltagare efter arbetslöshetens längd",
                    "Participants by length of unemployment",
                ),
            ),
            counted,
            (UnemploymentDuration::ALL, |p| p.unemployment_duration),
            (UnemploymentDuration::as_str, UnemploymentDuration::label),
        ),
        participants_by(
            (
                "participants_by_education_level",
                say(
                    "Osallistujat koulutustason mukaan",
                    "Deltagare efter utbildningsnivå",
                    "Participants by level of education",
                ),
            ),
            counted,
            (EducationLevel::ALL, |p| p.education_level),
            (EducationLevel::as_str, EducationLevel::label),
        ),
        participants_by(
            (
                "participants_by_immigrant_background",
                say(
                    "Osallistujat maahanmuuttajataustan mukaan",
                    "Deltagare efter invandrarbakgrund",
                    "Participants by immigrant background",
                ),
            ),
            counted,
            (ImmigrantBackground::ALL, |p| p.immigrant_background),
            (ImmigrantBackground::as_str, ImmigrantBackground::label),
        ),
        TableBuilder::partition(
            "participants_by_municipality",
            say(
                "Osallistujat kotikunnan mukaan",
                "Deltagare efter hemkommun",
                "Participants by municipality of residence",
            ),
            "participants",
            people.len() as u64,
        )
        .rows(counted.coded_rows(
            &tally(people.iter().map(|row| row.municipality_code.clone())),
            &counted.municipality_names,
        )),
    ]
}

fn next_step_tables(counted: &Counted, as_of: NaiveDate) -> Vec<TableBuilder> {
    let say = |fi, sv, en| counted.say(fi, sv, en);
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
    let language = counted.language;
    vec![
        TableBuilder::partition(
            "next_steps",
            say(
                "Jatkosijoittuminen päättyneillä jaksoilla",
                "Fortsatt placering efter avslutade perioder",
                "Next steps after ended periods",
            ),
            "ended_participations",
            ended_total,
        )
        .rows(category_rows(
            NextStep::ALL,
            &recorded,
            NextStep::as_str,
            |step| step.label(language),
        ))
        .row(
            "not_recorded",
            say("ei kirjattu", "inte registrerat", "not recorded"),
            ended_total - recorded.len() as u64,
        )
        .subtotal(
            "employed_total",
            say(
                "työssä yhteensä, myös palkkatuettu",
                "i arbete sammanlagt, även med lönesubvention",
                "employed in total, subsidised employment included",
            ),
            &["employment", "subsidised_employment"],
        )
        .subtotal(
            "in_education_total",
            say(
                "opinnoissa tai koulutuksessa yhteensä",
                "i studier eller utbildning sammanlagt",
                "in education or training in total",
            ),
            &["studies", "other_education"],
        ),
        TableBuilder::partition(
            "positive_next_steps",
            say(
                "Myönteinen jatkosijoittuminen (opinnot, koulutus tai työ, myös palkkatuettu)",
                "Positiv fortsatt placering (studier, utbildning eller arbete, även med lönesubvention)",
                "Positive next steps (studies, training or work, subsidised work included)",
            ),
            "ended_participations",
            ended_total,
        )
        .row(
            "positive",
            say(
                "opintoihin, koulutukseen tai työhön",
                "till studier, utbildning eller arbete",
                "to studies, training or work",
            ),
            positive,
        )
        .row(
            "other",
            say(
                "muu, ei tiedossa tai ei kirjattu",
                "annat, okänt eller inte registrerat",
                "other, unknown or not recorded",
            ),
            ended_total - positive,
        ),
    ]
}

fn completion_tables(counted: &Counted) -> Vec<TableBuilder> {
    let say = |fi, sv, en| counted.say(fi, sv, en);
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
            say(
                "Suoritetut tutkinnon osat tutkinnoittain",
                "Avlagda examensdelar per examen",
                "Completed qualification units by qualification",
            ),
            "completed_units",
            units_total,
        )
        .rows(counted.coded_rows(
            &tally(completions.iter().map(|row| row.qualification_code.clone())),
            &counted.qualification_names,
        )),
        TableBuilder::partition(
            "units_by_municipality",
            say(
                "Suoritetut tutkinnon osat kunnittain",
                "Avlagda examensdelar per kommun",
                "Completed qualification units by municipality",
            ),
            "completed_units",
            units_total,
        )
        .rows(counted.coded_rows(
            &tally(completions.iter().map(|row| row.municipality_code.clone())),
            &counted.municipality_names,
        )),
        TableBuilder::partition(
            "qualifications_completed",
            say(
                "Suoritetut kokonaiset tutkinnot",
                "Avlagda hela examina",
                "Whole qualifications completed",
            ),
            "completed_qualifications",
            whole.values().sum(),
        )
        .rows(counted.coded_rows(&whole, &counted.qualification_names)),
    ]
}

fn environment_tables(counted: &Counted) -> Vec<TableBuilder> {
    let say = |fi, sv, en| counted.say(fi, sv, en);
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
            say(
                "Kaudella tunnustetut oppimisympäristöt kunnittain",
                "Under perioden erkända lärmiljöer per kommun",
                "Learning environments recognised in the period, by municipality",
            ),
            "environments",
            environments_total,
        )
        .rows(counted.coded_rows(
            &tally(environment_municipality.values().map(|code| code.to_string())),
            &counted.municipality_names,
        )),
        TableBuilder::shares_of(
            "recognised_environments_by_qualification",
            say(
                "Kaudella tunnustetut oppimisympäristöt tutkinnoittain",
                "Under perioden erkända lärmiljöer per examen",
                "Learning environments recognised in the period, by qualification",
            ),
            "environments",
            environments_total,
        )
        .rows(
            counted.coded_rows(
                &tally(
                    environment_qualifications
                        .iter()
                        .map(|(qualification, _)| qualification.to_string()),
                ),
                &counted.qualification_names,
            ),
        ),
    ]
}

/// Headings for coded rows or columns, named from `names`.
fn headings(counted: &Counted, codes: &[&String], names: &HashMap<String, LocalizedText>) -> Vec<Heading> {
    codes
        .iter()
        .map(|&code| Heading {
            key: code.clone(),
            label: counted.name_of(code, names),
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
            counted.say(
                "Suoritetut tutkinnon osat tutkinnoittain ja kunnittain",
                "Avlagda examensdelar per examen och kommun",
                "Completed qualification units by qualification and municipality",
            ),
            "completed_units",
            counted.say("tutkinto", "examen", "qualification"),
        ),
        headings(counted, &row_codes, &counted.qualification_names),
        headings(counted, &column_codes, &counted.municipality_names),
        &cells,
        exact,
    )
}

/// The programme's figures over `period`, in `language`; exact for its administrator.
pub fn compute(
    conn: &mut DbConnection,
    programme: &ProgrammeRow,
    (period, language): (Period, Language),
    exact: bool,
) -> Result<ProgrammeStatistics, ApiError> {
    let as_of = today();
    let counted = Counted::load(conn, programme, period, language)?;
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
        from: period.from,
        until: period.until,
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
