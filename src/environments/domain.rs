//! The rules of learning environments: what makes a valid one, how it changes, and how it reads.

use chrono::NaiveDateTime;
use uuid::Uuid;

use super::{
    dto::{Address, Contact, Coordinates, EnvironmentInput},
    model::{EnvironmentChanges, EnvironmentRow, LanguageRow, NewEnvironment, TaskRow},
    repo,
};
use crate::{
    audit::{self, Actor, Change},
    db::{now, DbConnection},
    error::ApiError,
    events::{self, Happened, RegistryEventKind},
    organisations::repo as organisations,
    recognitions::repo as recognitions,
    reference::check_municipality,
    text::normalize_for_search,
};

pub const NOT_FOUND: ApiError = ApiError::NotFound {
    resource: "learning environment",
};

/// Normalizes input that passed field validation and checks its references; returns the region
/// of its municipality.
fn check(conn: &mut DbConnection, input: &mut EnvironmentInput) -> Result<Option<String>, ApiError> {
    input.name = input.name.clone().trimmed();
    input.work_tasks = input
        .work_tasks
        .iter()
        .map(|task| task.trim().to_owned())
        .collect();
    input.languages.sort();
    input.languages.dedup();
    input.address.street_address = input.address.street_address.trim().to_owned();
    let mut errors = Vec::new();
    let region = match check_municipality(conn, "address.municipality", &input.address.municipality)? {
        Ok(municipality) => municipality.region_code,
        Err(error) => {
            errors.push(error);
            None
        }
    };
    if errors.is_empty() {
        Ok(region)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The text `q` searches: every name variant, the description and the work tasks.
fn search_text(input: &EnvironmentInput) -> String {
    let mut parts = vec![input.name.search_key()];
    parts.extend(input.description.as_deref().map(normalize_for_search));
    parts.extend(input.work_tasks.iter().map(|task| normalize_for_search(task)));
    parts.join(" | ")
}

fn columns(
    input: &EnvironmentInput,
    region: Option<String>,
    version: i64,
    at: NaiveDateTime,
) -> EnvironmentChanges {
    let contact = input.contact.as_ref();
    EnvironmentChanges {
        name_fi: input.name.fi.clone(),
        name_sv: input.name.sv.clone(),
        name_en: input.name.en.clone(),
        description: input.description.clone(),
        sector: input.sector,
        street_address: input.address.street_address.clone(),
        postal_code: input.address.postal_code.clone(),
        post_office: input.address.post_office.clone(),
        municipality_code: input.address.municipality.clone(),
        region_code: region,
        latitude: input.coordinates.map(|point| point.latitude),
        longitude: input.coordinates.map(|point| point.longitude),
        capacity: input.capacity,
        accessibility: input.accessibility.clone(),
        contact_name: contact.map(|contact| contact.name.trim().to_owned()),
        contact_title: contact.and_then(|contact| contact.title.clone()),
        contact_email: contact.and_then(|contact| contact.email.clone()),
        contact_phone: contact.and_then(|contact| contact.phone.clone()),
        contact_private: contact.is_some_and(|contact| contact.private),
        search_text: search_text(input),
        active: input.active,
        version,
        updated_at: at,
    }
}

fn save_lists(conn: &mut DbConnection, id: &str, input: &EnvironmentInput) -> Result<(), ApiError> {
    let tasks: Vec<TaskRow> = input
        .work_tasks
        .iter()
        .zip(1..)
        .map(|(task, position)| TaskRow {
            environment_id: id.to_owned(),
            position,
            task: task.clone(),
        })
        .collect();
    let languages: Vec<LanguageRow> = input
        .languages
        .iter()
        .map(|language| LanguageRow {
            environment_id: id.to_owned(),
            language: language.clone(),
        })
        .collect();
    Ok(repo::replace_lists(conn, id, &tasks, &languages)?)
}

/// Creates an environment for `owner`; returns its id.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    owner: &str,
    mut input: EnvironmentInput,
) -> Result<String, ApiError> {
    match organisations::find(conn, owner)? {
        None => {
            return Err(ApiError::validation(
                "organisation_id",
                "unknown_id",
                "no organisation has this id",
            ))
        }
        Some((organisation, _)) if !organisation.active => {
            return Err(ApiError::validation(
                "organisation_id",
                "inactive",
                "the organisation is not active",
            ))
        }
        Some(_) => {}
    }
    let region = check(conn, &mut input)?;
    let at = now();
    let id = Uuid::now_v7().to_string();
    repo::insert(
        conn,
        &NewEnvironment {
            id: id.clone(),
            organisation_id: owner.to_owned(),
            columns: columns(&input, region, 1, at),
            created_at: at,
        },
    )?;
    save_lists(conn, &id, &input)?;
    audit::record(
        conn,
        actor,
        Change::new("environment.create", "learning_environment", &id, Some(owner)),
    )?;
    Ok(id)
}

/// Replaces the environment's fields with `input`, provided it is still at `current.version`.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &EnvironmentRow,
    mut input: EnvironmentInput,
) -> Result<(), ApiError> {
    if input
        .organisation_id
        .as_deref()
        .is_some_and(|owner| owner != current.organisation_id)
    {
        return Err(ApiError::validation(
            "organisation_id",
            "immutable",
            "an environment stays with the organisation that registered it",
        ));
    }
    let region = check(conn, &mut input)?;
    if region != current.region_code {
        recognitions::set_region(conn, &current.id, region.as_deref())?;
    }
    let changes = columns(&input, region, current.version + 1, now());
    if !repo::update(conn, &current.id, current.version, &changes)? {
        return Err(ApiError::PreconditionFailed);
    }
    save_lists(conn, &current.id, &input)?;
    audit::record(
        conn,
        actor,
        Change::new(
            "environment.update",
            "learning_environment",
            &current.id,
            Some(&current.organisation_id),
        ),
    )?;
    let mut audience = recognitions::providers_of(conn, &current.id)?;
    audience.push(current.organisation_id.clone());
    announce_change(conn, current, &audience)
}

/// Tells the owner and the providers that recognise the environment (their webhooks) that it
/// changed.
fn announce_change(
    conn: &mut DbConnection,
    current: &EnvironmentRow,
    audience: &[String],
) -> Result<(), ApiError> {
    let path = format!("/v1/learning-environments/{}", current.id);
    let happened = Happened {
        event: RegistryEventKind::EnvironmentChanged,
        resource_id: &current.id,
        path: &path,
    };
    events::record(conn, happened, audience, now()).map_err(ApiError::from)
}

/// Deletes an environment nothing refers to; one with recognitions or agreements is deactivated instead.
pub fn delete(conn: &mut DbConnection, actor: &Actor, current: &EnvironmentRow) -> Result<(), ApiError> {
    if repo::is_referenced(conn, &current.id)? {
        return Err(ApiError::Conflict(
            "Recognitions or agreements refer to this learning environment: deactivate it instead \
             (PATCH with {\"active\": false}), so that its history stays readable."
                .to_owned(),
        ));
    }
    if !repo::delete(conn, &current.id, current.version)? {
        return Err(ApiError::PreconditionFailed);
    }
    audit::record(
        conn,
        actor,
        Change::new(
            "environment.delete",
            "learning_environment",
            &current.id,
            Some(&current.organisation_id),
        ),
    )?;
    // Nothing refers to it: only its owner is told.
    announce_change(conn, current, std::slice::from_ref(&current.organisation_id))
}

pub fn coordinates(row: &EnvironmentRow) -> Option<Coordinates> {
    match (row.latitude, row.longitude) {
        (Some(latitude), Some(longitude)) => Some(Coordinates { latitude, longitude }),
        _ => None,
    }
}

/// The contact person as a reader sees it: only the title of a private one unless `full`.
pub fn contact_view(row: &EnvironmentRow, full: bool) -> Option<Contact> {
    let name = row.contact_name.clone()?;
    let shown = full || !row.contact_private;
    Some(Contact {
        name: shown.then_some(name),
        title: row.contact_title.clone(),
        email: row.contact_email.clone().filter(|_| shown),
        phone: row.contact_phone.clone().filter(|_| shown),
        private: row.contact_private,
    })
}

pub fn address_view(row: &EnvironmentRow) -> Address {
    Address {
        street_address: row.street_address.clone(),
        postal_code: row.postal_code.clone(),
        post_office: row.post_office.clone(),
        municipality: row.municipality_code.clone(),
        region: row.region_code.clone(),
    }
}
