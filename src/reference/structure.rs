//! What a qualification's requirements say beyond names: each unit's professional requirements,
//! the competence areas, and the requirements document they come from. Written by the import,
//! each list replaced only when the file gives it.

use diesel::prelude::*;

use super::{
    import::ReferenceFile,
    model::{CompetenceAreaRow, RequirementsDocumentRow, UnitRequirementRow},
};
use crate::{
    db::DbConnection,
    schema::{competence_areas, qualifications, unit_requirements},
};

/// Replaces the requirements of every unit whose entry lists them; returns how many changed.
pub fn replace_requirements(conn: &mut DbConnection, file: &ReferenceFile) -> QueryResult<usize> {
    let mut replaced = 0;
    for unit in &file.qualification_units {
        let Some(requirements) = &unit.requirements else {
            continue;
        };
        let wanted: Vec<UnitRequirementRow> = requirements
            .iter()
            .zip(1..)
            .map(|(text, position)| {
                let text = text.clone().trimmed();
                UnitRequirementRow {
                    unit_code: unit.code.clone(),
                    position,
                    text_fi: text.fi,
                    text_sv: text.sv,
                    text_en: text.en,
                }
            })
            .collect();
        let current: Vec<UnitRequirementRow> = unit_requirements::table
            .filter(unit_requirements::unit_code.eq(&unit.code))
            .order(unit_requirements::position)
            .select(UnitRequirementRow::as_select())
            .load(conn)?;
        let changed = replace_list(
            conn,
            (current, &wanted),
            |conn| {
                diesel::delete(unit_requirements::table.filter(unit_requirements::unit_code.eq(&unit.code)))
                    .execute(conn)
            },
            |conn, rows| crate::per_backend!(conn, conn => diesel::insert_into(unit_requirements::table).values(rows).execute(conn)),
        )?;
        replaced += usize::from(changed);
    }
    Ok(replaced)
}

/// Replaces a stored list by `wanted` when it differs from `current`; says whether it did.
pub fn replace_list<R: PartialEq>(
    conn: &mut DbConnection,
    (current, wanted): (Vec<R>, &[R]),
    delete: impl FnOnce(&mut DbConnection) -> QueryResult<usize>,
    insert: impl FnOnce(&mut DbConnection, &[R]) -> QueryResult<usize>,
) -> QueryResult<bool> {
    if current == wanted {
        return Ok(false);
    }
    delete(conn)?;
    if !wanted.is_empty() {
        insert(conn, wanted)?;
    }
    Ok(true)
}

/// Replaces the competence areas of every qualification whose entry lists them.
pub fn replace_competence_areas(conn: &mut DbConnection, file: &ReferenceFile) -> QueryResult<usize> {
    let mut replaced = 0;
    for qualification in &file.qualifications {
        let Some(areas) = &qualification.competence_areas else {
            continue;
        };
        let wanted: Vec<CompetenceAreaRow> = areas
            .iter()
            .zip(1..)
            .map(|(area, position)| {
                let name = area.name.clone().trimmed();
                CompetenceAreaRow {
                    qualification_code: qualification.code.clone(),
                    code: area.code.clone(),
                    position,
                    name_fi: name.fi,
                    name_sv: name.sv,
                    name_en: name.en,
                }
            })
            .collect();
        let current: Vec<CompetenceAreaRow> = competence_areas::table
            .filter(competence_areas::qualification_code.eq(&qualification.code))
            .order(competence_areas::position)
            .select(CompetenceAreaRow::as_select())
            .load(conn)?;
        let code = &qualification.code;
        let changed = replace_list(
            conn,
            (current, &wanted),
            |conn| {
                diesel::delete(competence_areas::table.filter(competence_areas::qualification_code.eq(code)))
                    .execute(conn)
            },
            |conn, rows| crate::per_backend!(conn, conn => diesel::insert_into(competence_areas::table).values(rows).execute(conn)),
        )?;
        replaced += usize::from(changed);
    }
    Ok(replaced)
}

/// Records the requirements document of every qualification whose entry names one.
pub fn record_documents(conn: &mut DbConnection, file: &ReferenceFile) -> QueryResult<usize> {
    let mut changed = 0;
    for qualification in &file.qualifications {
        let Some(document) = &qualification.requirements_document else {
            continue;
        };
        let wanted = RequirementsDocumentRow {
            eperusteet_id: Some(document.eperusteet_id),
            diary_number: Some(document.diary_number.trim().to_owned()),
            requirements_valid_from: document.valid_from,
            requirements_valid_until: document.valid_until,
        };
        let current = document_of(conn, &qualification.code)?;
        if current.as_ref() != Some(&wanted) {
            diesel::update(qualifications::table.find(&qualification.code))
                .set(&wanted)
                .execute(conn)?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// A qualification's requirements document as stored (all `None` when none is recorded).
pub fn document_of(conn: &mut DbConnection, code: &str) -> QueryResult<Option<RequirementsDocumentRow>> {
    qualifications::table
        .find(code)
        .select(RequirementsDocumentRow::as_select())
        .first(conn)
        .optional()
}
