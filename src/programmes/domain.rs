//! The rules of programmes: what makes a valid one.

use std::collections::HashMap;

use uuid::Uuid;

use super::{
    dto::ProgrammeInput,
    model::{
        FunderRow, MunicipalityLinkRow, NewProgramme, PartnerRow, ProgrammeContent, ProgrammeRow,
        RegionLinkRow,
    },
    repo::{self, Children},
};
use crate::{
    audit::{self, Actor, Change},
    db::{now, DbConnection},
    error::{ApiError, FieldError},
    organisations::repo as organisations,
    reference::{check_municipality, repo as reference},
    text::sorted_unique,
};

pub const NOT_FOUND: ApiError = ApiError::NotFound {
    resource: "programme",
};

/// The list's values trimmed, sorted, each once.
fn trimmed_set(values: &[String]) -> Vec<String> {
    sorted_unique(values.iter().map(|value| value.trim().to_owned()))
}

/// When each current partner accepted: a partner named again keeps its acceptance, a new one is
/// only invited.
type Acceptances = HashMap<String, chrono::NaiveDateTime>;

fn children_of(id: &str, administrator: &str, input: &ProgrammeInput, accepted: &Acceptances) -> Children {
    Children {
        funders: input
            .funders
            .iter()
            .zip(1..)
            .map(|(funder, position)| FunderRow {
                programme_id: id.to_owned(),
                position,
                name: funder.name.trim().to_owned(),
                instrument: funder.instrument,
                decision_reference: funder.decision_reference.as_ref().map(|r| r.trim().to_owned()),
            })
            .collect(),
        regions: trimmed_set(&input.regions)
            .into_iter()
            .map(|region_code| RegionLinkRow {
                programme_id: id.to_owned(),
                region_code,
            })
            .collect(),
        municipalities: trimmed_set(&input.municipalities)
            .into_iter()
            .map(|municipality_code| MunicipalityLinkRow {
                programme_id: id.to_owned(),
                municipality_code,
            })
            .collect(),
        // The administrator is not its own partner.
        partners: trimmed_set(&input.partners)
            .into_iter()
            .filter(|organisation_id| organisation_id != administrator)
            .map(|organisation_id| PartnerRow {
                programme_id: id.to_owned(),
                accepted_at: accepted.get(&organisation_id).copied(),
                organisation_id,
            })
            .collect(),
    }
}

fn content(input: &ProgrammeInput, version: i64) -> ProgrammeContent {
    let name = input.name.clone().trimmed();
    ProgrammeContent {
        name_search: name.search_key(),
        name_fi: name.fi,
        name_sv: name.sv,
        name_en: name.en,
        description: input.description.as_ref().map(|text| text.trim().to_owned()),
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        status: input.status,
        version,
        updated_at: now(),
    }
}

/// Checks an input as a whole and its references against the database.
fn check(conn: &mut DbConnection, input: &ProgrammeInput) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if input.ends_on < input.starts_on {
        errors.push(FieldError::new(
            "ends_on",
            "before_start",
            "ends_on is before starts_on",
        ));
    }
    if input.regions.is_empty() && input.municipalities.is_empty() {
        errors.push(FieldError::new(
            "regions",
            "required",
            "a programme's area names at least one region or municipality",
        ));
    }
    for (index, code) in input.regions.iter().enumerate() {
        if !reference::region_exists(conn, code.trim())? {
            errors.push(FieldError::new(
                format!("regions[{index}]"),
                "unknown_code",
                format!("no region has the code {code:?}"),
            ));
        }
    }
    for (index, code) in input.municipalities.iter().enumerate() {
        if let Err(error) = check_municipality(conn, &format!("municipalities[{index}]"), code.trim())? {
            errors.push(error);
        }
    }
    let partners = organisations::find_many(conn, &input.partners)?;
    for (index, id) in input.partners.iter().enumerate() {
        match partners.iter().find(|row| &row.id == id) {
            None => errors.push(FieldError::new(
                format!("partners[{index}]"),
                "unknown_id",
                "no organisation has this id",
            )),
            Some(row) if !row.active => errors.push(FieldError::new(
                format!("partners[{index}]"),
                "inactive",
                "the organisation is not active",
            )),
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Checks that the administering organisation exists and is active.
fn check_administrator(conn: &mut DbConnection, administrator: &str) -> Result<(), ApiError> {
    match organisations::find(conn, administrator)? {
        Some((row, _)) if row.active => Ok(()),
        Some(_) => Err(ApiError::validation(
            "administrator_organisation_id",
            "inactive",
            "the organisation is not active",
        )),
        None => Err(ApiError::validation(
            "administrator_organisation_id",
            "unknown_id",
            "no organisation has this id",
        )),
    }
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    administrator: String,
    input: ProgrammeInput,
) -> Result<String, ApiError> {
    check_administrator(conn, &administrator)?;
    check(conn, &input)?;
    let id = Uuid::now_v7().to_string();
    let content = content(&input, 1);
    repo::insert(
        conn,
        &NewProgramme {
            id: id.clone(),
            administrator_organisation_id: administrator.clone(),
            created_at: content.updated_at,
            content,
        },
    )?;
    repo::replace_children(
        conn,
        &id,
        &children_of(&id, &administrator, &input, &Acceptances::new()),
    )?;
    audit::record(
        conn,
        actor,
        Change::new("programme.create", "programme", &id, Some(&administrator)),
    )?;
    Ok(id)
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &ProgrammeRow,
    input: ProgrammeInput,
) -> Result<(), ApiError> {
    if input.administrator_organisation_id.as_deref() != Some(&current.administrator_organisation_id) {
        return Err(ApiError::validation(
            "administrator_organisation_id",
            "immutable",
            "the administering organisation of a programme does not change",
        ));
    }
    check(conn, &input)?;
    if !repo::update_content(
        conn,
        &current.id,
        current.version,
        &content(&input, current.version + 1),
    )? {
        return Err(ApiError::PreconditionFailed);
    }
    let administrator = &current.administrator_organisation_id;
    let accepted: Acceptances = repo::children(conn, std::slice::from_ref(&current.id))?
        .partners
        .into_iter()
        .filter_map(|partner| Some((partner.organisation_id, partner.accepted_at?)))
        .collect();
    repo::replace_children(
        conn,
        &current.id,
        &children_of(&current.id, administrator, &input, &accepted),
    )?;
    audit::record(
        conn,
        actor,
        Change::new("programme.update", "programme", &current.id, Some(administrator)),
    )
    .map_err(ApiError::from)
}

/// An invited partner accepts (from then on it takes part: coaches participants, records
/// completions, is listed) or declines; a partner that accepted may end its partnership the same
/// way. Either changes the programme's version.
pub fn decide_partnership(
    conn: &mut DbConnection,
    actor: &Actor,
    programme: &ProgrammeRow,
    organisation_id: &str,
    accept: bool,
) -> Result<(), ApiError> {
    let partner = repo::partner(conn, &programme.id, organisation_id)?.ok_or(ApiError::NotFound {
        resource: "partnership",
    })?;
    let at = now();
    let action = if accept {
        if partner.accepted_at.is_none() {
            repo::accept_partner(conn, &programme.id, organisation_id, at)?;
        }
        "programme.partnership.accept"
    } else {
        repo::remove_partner(conn, &programme.id, organisation_id)?;
        "programme.partnership.end"
    };
    repo::touch(conn, &programme.id, at)?;
    audit::record(
        conn,
        actor,
        Change::new(
            action,
            "programme",
            &programme.id,
            Some(&programme.administrator_organisation_id),
        ),
    )?;
    Ok(())
}
