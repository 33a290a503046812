//! Importing reference data from a JSON file: validated as a whole, then upserted in one
//! transaction, with a report of what changed. The format is documented in `reference/README.md`.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use validator::Validate;

use super::{
    dto::QualificationType,
    model::{MunicipalityRow, QualificationRow, RegionRow, UnitLinkRow, UnitRow},
};
use crate::{
    db::{write_transaction, DbConnection},
    error::ApiError,
    extract::flatten_validation_errors,
    schema::{
        learning_environments, municipalities, qualification_unit_links, qualification_units, qualifications,
        recognitions, regions,
    },
    text::LocalizedText,
};

/// The reference data the service ships and loads into an empty database on first start.
pub const SHIPPED_REFERENCE_DATA: &str = include_str!("../../reference/reference-data.json");

/// Rows inserted per statement.
const INSERT_CHUNK: usize = 200;

/// A reference data file (`reference/README.md`): every section is optional, and a record is
/// created or updated by its code.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"qualification_units": [{"code": "SAMPLE-900", "name": {"fi": "Uusi osa"}, "competence_points": 15, "sample": true}]}))]
pub struct ReferenceFile {
    /// Free text or an object about the file: its sources and licence. Not imported.
    #[serde(default)]
    pub about: Option<serde_json::Value>,
    #[serde(default)]
    pub regions: Vec<RegionEntry>,
    #[serde(default)]
    pub municipalities: Vec<MunicipalityEntry>,
    #[serde(default)]
    pub qualification_units: Vec<UnitEntry>,
    #[serde(default)]
    pub qualifications: Vec<QualificationEntry>,
}

fn yes() -> bool {
    true
}

/// A region (*maakunta*).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "04", "name": {"fi": "Satakunta", "sv": "Satakunta", "en": "Satakunta Region"}, "in_force": true, "placeholder": false}))]
pub struct RegionEntry {
    #[schema(pattern = "^[0-9]{2}$", example = "04")]
    pub code: String,
    pub name: LocalizedText,
    #[serde(default = "yes")]
    pub in_force: bool,
    #[serde(default)]
    pub placeholder: bool,
}

/// A municipality (*kunta*).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "684", "name": {"fi": "Rauma", "sv": "Raumo"}, "region": "04", "in_force": true}))]
pub struct MunicipalityEntry {
    #[schema(pattern = "^[0-9]{3}$", example = "684")]
    pub code: String,
    pub name: LocalizedText,
    /// A region in the file or the database.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{2}$")]
    pub region: Option<String>,
    #[serde(default = "yes")]
    pub in_force: bool,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    #[serde(default)]
    pub placeholder: bool,
}

/// A qualification unit.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "SAMPLE-103", "name": {"fi": "Kiinteistönhoitopalveluissa toimiminen"}, "competence_points": 60, "sample": true}))]
pub struct UnitEntry {
    #[schema(pattern = "^[A-Za-z0-9_-]{1,40}$", example = "SAMPLE-103")]
    pub code: String,
    pub name: LocalizedText,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 500)]
    pub competence_points: Option<i32>,
    #[serde(default)]
    pub sample: bool,
    /// The unit's professional requirements (*ammattitaitovaatimukset*) in order, each a short
    /// text a coach can tick as shown. Absent: left as they are; present: replaced.
    #[serde(default)]
    pub requirements: Option<Vec<super::dto::RequirementText>>,
}

/// A unit of a qualification: its code, or its code with its place in the qualification's
/// structure.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum UnitLinkEntry {
    Code(String),
    Placed(PlacedUnit),
}

/// A unit with its place in the qualification's structure.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "100761", "compulsory": true, "competence_area": "1583"}))]
pub struct PlacedUnit {
    pub code: String,
    /// Whether every holder of the qualification completes it.
    #[serde(default)]
    pub compulsory: Option<bool>,
    /// The code of the competence area (*osaamisala*) it belongs to, one of `competence_areas`.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{1,10}$")]
    pub competence_area: Option<String>,
}

impl UnitLinkEntry {
    pub fn code(&self) -> &str {
        match self {
            UnitLinkEntry::Code(code) => code,
            UnitLinkEntry::Placed(placed) => &placed.code,
        }
    }

    fn placement(&self) -> (Option<bool>, Option<String>) {
        match self {
            UnitLinkEntry::Code(_) => (None, None),
            UnitLinkEntry::Placed(placed) => (placed.compulsory, placed.competence_area.clone()),
        }
    }
}

/// A competence area (*osaamisala*) of a qualification.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "1583", "name": {"fi": "Puutarhatuotannon osaamisala", "sv": "Kompetensområdet för trädgårdsproduktion"}}))]
pub struct CompetenceAreaEntry {
    /// The *osaamisala* code value (`1583` of `osaamisala_1583`).
    #[schema(pattern = "^[0-9]{1,10}$")]
    pub code: String,
    pub name: LocalizedText,
}

/// The national requirements document (*tutkinnon peruste*) in ePerusteet that a
/// qualification's units come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"eperusteet_id": 1721199, "diary_number": "75/011/2014", "valid_from": "2016-08-01", "valid_until": null}))]
pub struct RequirementsDocument {
    /// The document's id in ePerusteet (*perusteId*).
    pub eperusteet_id: i64,
    /// Its diary number (*diaarinumero*), as the education authorities cite it.
    pub diary_number: String,
    /// The first day it is in force.
    pub valid_from: Option<NaiveDate>,
    /// The last day it is in force, when an end is set.
    pub valid_until: Option<NaiveDate>,
}

/// A qualification and, when `units` is given, its units in order.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "381141", "name": {"fi": "Puhtaus- ja kiinteistöpalvelualan perustutkinto"},
    "type": "vocational_upper_secondary", "competence_points": 180, "replaced_by": null, "sample": false,
    "units": ["SAMPLE-101", "SAMPLE-103"]}))]
pub struct QualificationEntry {
    #[schema(pattern = "^[0-9]{6}$", example = "381141")]
    pub code: String,
    pub name: LocalizedText,
    #[serde(rename = "type")]
    pub qualification_type: QualificationType,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 500)]
    pub competence_points: Option<i32>,
    #[serde(default)]
    #[schema(pattern = "^[0-9]{6}$")]
    pub replaced_by: Option<String>,
    #[serde(default)]
    pub sample: bool,
    /// Units in order, each a code or a code with its place. Absent: the qualification's units are
    /// left as they are; present: replaced.
    #[serde(default)]
    pub units: Option<Vec<UnitLinkEntry>>,
    /// Competence areas in order. Absent: left as they are; present: replaced.
    #[serde(default)]
    pub competence_areas: Option<Vec<CompetenceAreaEntry>>,
    /// Where its requirements are published. Absent: left as it is.
    #[serde(default)]
    pub requirements_document: Option<RequirementsDocument>,
}

/// How many records of one kind the import created, changed and found as they were.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"created": 1, "updated": 0, "unchanged": 629}))]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "regions": {"created": 0, "updated": 0, "unchanged": 21},
    "municipalities": {"created": 0, "updated": 1, "unchanged": 629},
    "qualification_units": {"created": 1, "updated": 0, "unchanged": 0},
    "qualifications": {"created": 0, "updated": 0, "unchanged": 0},
    "unit_lists_replaced": 0,
    "requirement_lists_replaced": 0,
    "competence_area_lists_replaced": 0,
    "requirements_documents_changed": 0
}))]
pub struct ImportReport {
    pub regions: Counts,
    pub municipalities: Counts,
    pub qualification_units: Counts,
    pub qualifications: Counts,
    /// Qualifications whose list of units (or their places in it) was replaced.
    pub unit_lists_replaced: usize,
    /// Units whose professional requirements were replaced.
    pub requirement_lists_replaced: usize,
    /// Qualifications whose competence areas were replaced.
    pub competence_area_lists_replaced: usize,
    /// Qualifications whose requirements document was recorded or changed.
    pub requirements_documents_changed: usize,
}

/// Everything wrong with a file, each problem with the JSON path of the element at fault.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}", .0.iter().map(|(path, message)| format!("{path}: {message}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<(String, String)>),
    #[error("{0}")]
    Database(#[from] ApiError),
}

impl From<ImportError> for ApiError {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Invalid(problems) => ApiError::Validation(
                problems
                    .into_iter()
                    .map(|(path, message)| crate::error::FieldError::new(path, "invalid", message))
                    .collect(),
            ),
            ImportError::Database(error) => error,
        }
    }
}

impl From<diesel::result::Error> for ImportError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Database(error.into())
    }
}

pub fn parse(json: &[u8]) -> Result<ReferenceFile, ImportError> {
    // serde would also read a struct from an array (`[]` as an empty file): a file is an object.
    if json.iter().find(|byte| !byte.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ImportError::Invalid(vec![(
            "$".to_owned(),
            "a reference data file is a JSON object".to_owned(),
        )]));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let path = if path == "." {
            "$".to_owned()
        } else {
            format!("$.{path}")
        };
        ImportError::Invalid(vec![(path, error.inner().to_string())])
    })
}

/// Validates the file against itself and the database, then upserts it, all in one transaction.
pub fn import(conn: &mut DbConnection, file: &ReferenceFile) -> Result<ImportReport, ImportError> {
    write_transaction(conn, |conn| {
        validate(conn, file)?;
        let mut report = ImportReport {
            regions: upsert_regions(conn, file)?,
            municipalities: upsert_municipalities(conn, file)?,
            qualification_units: upsert_units(conn, file)?,
            qualifications: upsert_qualifications(conn, file)?,
            ..ImportReport::default()
        };
        report.requirement_lists_replaced = super::structure::replace_requirements(conn, file)?;
        report.competence_area_lists_replaced = super::structure::replace_competence_areas(conn, file)?;
        report.requirements_documents_changed = super::structure::record_documents(conn, file)?;
        report.unit_lists_replaced = replace_unit_lists(conn, file)?;
        if report.municipalities.updated > 0 {
            // A municipality moved to another region takes its learning environments with it.
            refresh_regions(conn)?;
        }
        Ok(report)
    })
}

/// Moves environments, and their recognitions, into the region their municipality now belongs
/// to. Their `region_code` columns are copies of the municipality's, kept for filtering.
fn refresh_regions(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::update(learning_environments::table)
        .set(
            learning_environments::region_code.eq(municipalities::table
                .filter(municipalities::code.eq(learning_environments::municipality_code))
                .select(municipalities::region_code)
                .single_value()),
        )
        .execute(conn)?;
    diesel::update(recognitions::table)
        .set(
            recognitions::region_code.eq(learning_environments::table
                .filter(learning_environments::id.eq(recognitions::environment_id))
                .select(learning_environments::region_code)
                .single_value()),
        )
        .execute(conn)
        .map(drop)
}

/// Loads the shipped reference data when the database has none yet.
pub fn load_shipped_if_empty(conn: &mut DbConnection) -> Result<Option<ImportReport>, ImportError> {
    let regions: i64 = regions::table.count().get_result(conn)?;
    if regions > 0 {
        return Ok(None);
    }
    let file = parse(SHIPPED_REFERENCE_DATA.as_bytes())?;
    import(conn, &file).map(Some)
}

fn is_digits(value: &str, len: usize) -> bool {
    value.len() == len && value.bytes().all(|b| b.is_ascii_digit())
}

fn is_unit_code(value: &str) -> bool {
    (1..=40).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

struct Problems(Vec<(String, String)>);

impl Problems {
    fn add(&mut self, path: String, message: impl Into<String>) {
        self.0.push((path, message.into()));
    }

    fn name(&mut self, path: &str, name: &LocalizedText) {
        if let Err(errors) = name.validate() {
            for error in flatten_validation_errors(&errors) {
                self.add(format!("{path}.name.{}", error.field), error.message);
            }
        }
    }

    fn duplicates<'a>(&mut self, section: &str, codes: impl Iterator<Item = &'a str>) {
        let mut seen = HashSet::new();
        for (index, code) in codes.enumerate() {
            if !seen.insert(code) {
                self.add(
                    format!("$.{section}[{index}].code"),
                    format!("code {code:?} appears twice"),
                );
            }
        }
    }
}

impl Problems {
    fn regions_and_municipalities(&mut self, file: &ReferenceFile, mut known_regions: HashSet<String>) {
        for (index, region) in file.regions.iter().enumerate() {
            let path = format!("$.regions[{index}]");
            if !is_digits(&region.code, 2) {
                self.add(format!("{path}.code"), "a region code is two digits");
            }
            self.name(&path, &region.name);
            known_regions.insert(region.code.clone());
        }
        for (index, municipality) in file.municipalities.iter().enumerate() {
            let path = format!("$.municipalities[{index}]");
            if !is_digits(&municipality.code, 3) {
                self.add(format!("{path}.code"), "a municipality code is three digits");
            }
            if let Some(region) = &municipality.region {
                if !known_regions.contains(region) {
                    self.add(format!("{path}.region"), format!("unknown region {region:?}"));
                }
            }
            self.name(&path, &municipality.name);
        }
    }

    fn competence_points(&mut self, path: &str, points: Option<i32>) {
        if points.is_some_and(|points| !(1..=500).contains(&points)) {
            self.add(format!("{path}.competence_points"), "must be between 1 and 500");
        }
    }

    /// Checks the units against the ones stored (code and whether sample data); returns every
    /// unit code known after the import.
    fn units(&mut self, file: &ReferenceFile, stored: HashMap<String, bool>) -> HashSet<String> {
        let mut known_units: HashSet<String> = stored.keys().cloned().collect();
        for (index, unit) in file.qualification_units.iter().enumerate() {
            let path = format!("$.qualification_units[{index}]");
            if unit.sample && super::dto::is_national_unit(&unit.code) {
                self.add(
                    format!("{path}.code"),
                    "a sample unit's code must not be all digits, as national unit codes are",
                );
            }
            if stored.get(&unit.code) == Some(&true) && !unit.sample {
                self.add(
                    format!("{path}.sample"),
                    format!(
                        "{:?} is sample data: a national unit may not take its place",
                        unit.code
                    ),
                );
            }
            for (position, requirement) in unit.requirements.iter().flatten().enumerate() {
                if requirement
                    .texts()
                    .any(|text| text.trim().is_empty() || text.chars().count() > 2000)
                {
                    self.add(
                        format!("{path}.requirements[{position}]"),
                        "a requirement is 1 to 2000 characters in each language",
                    );
                }
            }
            if !is_unit_code(&unit.code) {
                self.add(
                    format!("{path}.code"),
                    "a unit code is 1 to 40 letters, digits, '-' or '_'",
                );
            }
            self.competence_points(&path, unit.competence_points);
            self.name(&path, &unit.name);
            known_units.insert(unit.code.clone());
        }
        known_units
    }

    fn qualifications(&mut self, file: &ReferenceFile, known_units: &HashSet<String>) {
        for (index, qualification) in file.qualifications.iter().enumerate() {
            let path = format!("$.qualifications[{index}]");
            if !is_digits(&qualification.code, 6) {
                self.add(format!("{path}.code"), "a qualification code is six digits");
            }
            if qualification
                .replaced_by
                .as_ref()
                .is_some_and(|successor| !is_digits(successor, 6))
            {
                self.add(
                    format!("{path}.replaced_by"),
                    "a qualification code is six digits",
                );
            }
            self.competence_points(&path, qualification.competence_points);
            self.name(&path, &qualification.name);
            let areas = self.competence_areas(&path, qualification);
            self.unit_list(&path, qualification, (known_units, &areas));
        }
    }

    /// Checks a qualification's competence areas; returns their codes.
    fn competence_areas<'a>(
        &mut self,
        path: &str,
        qualification: &'a QualificationEntry,
    ) -> HashSet<&'a str> {
        let mut areas = HashSet::new();
        for (area_index, area) in qualification.competence_areas.iter().flatten().enumerate() {
            let area_path = format!("{path}.competence_areas[{area_index}]");
            if !is_area_code(&area.code) {
                self.add(format!("{area_path}.code"), AREA_CODE);
            } else if !areas.insert(area.code.as_str()) {
                self.add(
                    format!("{area_path}.code"),
                    format!("code {:?} appears twice", area.code),
                );
            }
            self.name(&area_path, &area.name);
        }
        areas
    }

    /// Checks a qualification's units: known, listed once, in one of its competence areas.
    fn unit_list(
        &mut self,
        path: &str,
        qualification: &QualificationEntry,
        (known_units, areas): (&HashSet<String>, &HashSet<&str>),
    ) {
        let mut listed = HashSet::new();
        for (unit_index, unit) in qualification.units.iter().flatten().enumerate() {
            let unit_path = format!("{path}.units[{unit_index}]");
            if let (_, Some(area)) = unit.placement() {
                if !is_area_code(&area) {
                    self.add(format!("{unit_path}.competence_area"), AREA_CODE);
                } else if qualification.competence_areas.is_some() && !areas.contains(area.as_str()) {
                    self.add(
                        format!("{unit_path}.competence_area"),
                        format!("not one of the qualification's competence areas: {area:?}"),
                    );
                }
            }
            let unit = unit.code();
            if !known_units.contains(unit) {
                self.add(unit_path, format!("unknown qualification unit {unit:?}"));
            } else if !listed.insert(unit) {
                self.add(unit_path, format!("unit {unit:?} is listed twice"));
            }
        }
    }
}

const AREA_CODE: &str = "a competence area code is 1 to 10 digits";

/// A competence area (*osaamisala*) code: 1 to 10 digits.
fn is_area_code(value: &str) -> bool {
    (1..=10).contains(&value.len()) && is_digits(value, value.len())
}

fn validate(conn: &mut DbConnection, file: &ReferenceFile) -> Result<(), ImportError> {
    let mut problems = Problems(Vec::new());
    problems.duplicates("regions", file.regions.iter().map(|r| r.code.as_str()));
    problems.duplicates(
        "municipalities",
        file.municipalities.iter().map(|m| m.code.as_str()),
    );
    problems.duplicates(
        "qualification_units",
        file.qualification_units.iter().map(|u| u.code.as_str()),
    );
    problems.duplicates(
        "qualifications",
        file.qualifications.iter().map(|q| q.code.as_str()),
    );
    let known_regions = regions::table
        .select(regions::code)
        .load(conn)?
        .into_iter()
        .collect();
    problems.regions_and_municipalities(file, known_regions);
    let stored_units = qualification_units::table
        .select((qualification_units::code, qualification_units::sample))
        .load(conn)?
        .into_iter()
        .collect();
    let known_units = problems.units(file, stored_units);
    problems.qualifications(file, &known_units);
    if problems.0.is_empty() {
        Ok(())
    } else {
        Err(ImportError::Invalid(problems.0))
    }
}

/// A reference table keyed by `code`, upserted the same way for every kind.
trait ReferenceRow: Sized + PartialEq {
    fn code(&self) -> &str;
    fn load_all(conn: &mut DbConnection) -> QueryResult<Vec<Self>>;
    fn insert(conn: &mut DbConnection, rows: &[Self]) -> QueryResult<usize>;
    fn update(conn: &mut DbConnection, row: &Self) -> QueryResult<usize>;
}

macro_rules! reference_row {
    ($row:ty, $table:ident) => {
        impl ReferenceRow for $row {
            fn code(&self) -> &str {
                &self.code
            }
            fn load_all(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
                $table::table.select(<$row>::as_select()).load(conn)
            }
            fn insert(conn: &mut DbConnection, rows: &[Self]) -> QueryResult<usize> {
                $crate::per_backend!(conn, conn => diesel::insert_into($table::table).values(rows).execute(conn))
            }
            fn update(conn: &mut DbConnection, row: &Self) -> QueryResult<usize> {
                diesel::update($table::table.find(&row.code)).set(row).execute(conn)
            }
        }
    };
}

reference_row!(RegionRow, regions);
reference_row!(MunicipalityRow, municipalities);
reference_row!(UnitRow, qualification_units);
reference_row!(QualificationRow, qualifications);

/// Inserts the new rows, updates the changed ones and counts the rest, keyed by code.
fn upsert<R: ReferenceRow>(conn: &mut DbConnection, rows: Vec<R>) -> QueryResult<Counts> {
    let existing: HashMap<String, R> = R::load_all(conn)?
        .into_iter()
        .map(|row| (row.code().to_owned(), row))
        .collect();
    let mut counts = Counts::default();
    let mut new_rows = Vec::new();
    for row in rows {
        match existing.get(row.code()) {
            None => new_rows.push(row),
            Some(current) if *current == row => counts.unchanged += 1,
            Some(_) => {
                R::update(conn, &row)?;
                counts.updated += 1;
            }
        }
    }
    counts.created = new_rows.len();
    for chunk in new_rows.chunks(INSERT_CHUNK) {
        R::insert(conn, chunk)?;
    }
    Ok(counts)
}

fn upsert_regions(conn: &mut DbConnection, file: &ReferenceFile) -> QueryResult<Counts> {
    let rows = file
        .regions
        .iter()
        .map(|entry| {
            let name = entry.name.clone().trimmed();
            RegionRow {
                code: entry.code.clone(),
                name_fi: name.fi,
                name_sv: name.sv,
                name_en: name.en,
                in_force: entry.in_force,
                placeholder: entry.placeholder,
            }
        })
        .collect();
    upsert(conn, rows)
}

fn upsert_municipalities(conn: &mut DbConnection, file: &ReferenceFile) -> QueryResult<Counts> {
    let rows = file
        .municipalities
        .iter()
        .map(|entry| {
            let name = entry.name.clone().trimmed();
            MunicipalityRow {
                code: entry.code.clone(),
                name_fi: name.fi,
                name_sv: name.sv,
                name_en: name.en,
                region_code: entry.region.clone(),
                in_force: entry.in_force,
                valid_to: entry.valid_to,
                placeholder: entry.placeholder,
            }
        })
        .collect();
    upsert(conn, rows)
}

fn upsert_units(conn: &mut DbConnection, file: &ReferenceFile) -> QueryResult<Counts> {
    let rows = file
        .qualification_units
        .iter()
        .map(|entry| {
            let name = entry.name.clone().trimmed();
            UnitRow {
                code: entry.code.clone(),
                name_fi: name.fi,
                name_sv: name.sv,
                name_en: name.en,
                competence_points: entry.competence_points,
                sample: entry.sample,
            }
        })
        .collect();
    upsert(conn, rows)
}

fn upsert_qualifications(conn: &mut DbConnection, file: &ReferenceFile) -> QueryResult<Counts> {
    let rows = file
        .qualifications
        .iter()
        .map(|entry| {
            let name = entry.name.clone().trimmed();
            QualificationRow {
                code: entry.code.clone(),
                name_search: name.search_key(),
                name_fi: name.fi,
                name_sv: name.sv,
                name_en: name.en,
                qualification_type: entry.qualification_type,
                competence_points: entry.competence_points,
                replaced_by: entry.replaced_by.clone(),
                sample: entry.sample,
            }
        })
        .collect();
    upsert(conn, rows)
}

fn replace_unit_lists(conn: &mut DbConnection, file: &ReferenceFile) -> QueryResult<usize> {
    let mut replaced = 0;
    for qualification in &file.qualifications {
        let Some(units) = &qualification.units else {
            continue;
        };
        let wanted: Vec<UnitLinkRow> = units
            .iter()
            .zip(1..)
            .map(|(unit, position)| {
                let (compulsory, competence_area) = unit.placement();
                UnitLinkRow {
                    qualification_code: qualification.code.clone(),
                    unit_code: unit.code().to_owned(),
                    position,
                    compulsory,
                    competence_area,
                }
            })
            .collect();
        let current: Vec<UnitLinkRow> = qualification_unit_links::table
            .filter(qualification_unit_links::qualification_code.eq(&qualification.code))
            .order(qualification_unit_links::position)
            .select(UnitLinkRow::as_select())
            .load(conn)?;
        let code = &qualification.code;
        let changed = super::structure::replace_list(
            conn,
            (current, &wanted),
            |conn| {
                diesel::delete(
                    qualification_unit_links::table
                        .filter(qualification_unit_links::qualification_code.eq(code)),
                )
                .execute(conn)
            },
            |conn, rows| crate::per_backend!(conn, conn => diesel::insert_into(qualification_unit_links::table).values(rows).execute(conn)),
        )?;
        replaced += usize::from(changed);
    }
    Ok(replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_parses() {
        let file = parse(SHIPPED_REFERENCE_DATA.as_bytes()).expect("shipped data parses");
        assert!(file.regions.iter().any(|r| r.code == "04"));
        assert!(file.regions.iter().any(|r| r.code == "18"));
        assert!(file
            .municipalities
            .iter()
            .any(|m| m.code == "684" && m.region.as_deref() == Some("04")));
        assert!(file
            .municipalities
            .iter()
            .any(|m| m.code == "205" && m.region.as_deref() == Some("18")));
        assert!(
            file.qualification_units.iter().all(|u| u.sample),
            "units are sample data"
        );
        assert!(
            file.qualifications.iter().all(|q| !q.sample),
            "qualification codes are official"
        );
    }

    #[test]
    fn parse_errors_carry_the_json_path() {
        let error =
            parse(br#"{"regions": [{"code": "04", "name": {"fi": "Satakunta"}, "in_force": "yes"}]}"#)
                .unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("$.regions[0].in_force: "), "{message}");
    }
}
