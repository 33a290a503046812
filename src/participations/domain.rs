//! The rules of participations and completed units.

use uuid::Uuid;

use super::{
    dto::{Completion, CompletionInput, ParticipationInput},
    model::{
        CertificateLinkRow, CompletionRow, EnvironmentLinkRow, NewParticipation, ParticipationContent,
        ParticipationRow,
    },
    repo::{self, Links},
};
use crate::{
    audit::{self, Actor, Change},
    certificates::dto::CertificateStatus,
    certificates::repo as certificates,
    db::{now, DbConnection},
    environments::repo as environments,
    error::{ApiError, FieldError},
    organisations::{dto::OrganisationKind, repo as organisations},
    programmes::{model::ProgrammeRow, repo as programmes},
    reference::{self, check_municipality, repo::names_of},
    text::sorted_unique,
};

pub const NOT_FOUND: ApiError = ApiError::NotFound {
    resource: "programme participation",
};

pub const COMPLETION_NOT_FOUND: ApiError = ApiError::NotFound {
    resource: "completion",
};

/// Whether `organisation_id` takes part in the programme: its administrator or a partner.
pub fn takes_part(
    conn: &mut DbConnection,
    programme: &ProgrammeRow,
    organisation_id: &str,
) -> Result<bool, ApiError> {
    Ok(programme.administrator_organisation_id == organisation_id
        || programmes::is_partner(conn, &programme.id, organisation_id)?)
}

fn content(input: &ParticipationInput, version: i64) -> ParticipationContent {
    ParticipationContent {
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        municipality_code: input.municipality.trim().to_owned(),
        coach_organisation_id: input.coach_organisation_id.clone(),
        gender: input.gender,
        age_band: input.age_band,
        unemployment_duration: input.unemployment_duration,
        education_level: input.education_level,
        immigrant_background: input.immigrant_background,
        next_step: input.next_step,
        version,
        updated_at: now(),
    }
}

fn links_of(id: &str, input: &ParticipationInput) -> Links {
    Links {
        environments: sorted_unique(input.learning_environment_ids.iter().cloned())
            .into_iter()
            .map(|environment_id| EnvironmentLinkRow {
                participation_id: id.to_owned(),
                environment_id,
            })
            .collect(),
        certificates: sorted_unique(input.certificate_ids.iter().cloned())
            .into_iter()
            .map(|certificate_id| CertificateLinkRow {
                participation_id: id.to_owned(),
                certificate_id,
            })
            .collect(),
    }
}

/// Checks an input as a whole and its references against the database.
/// Checks a participation as `recorder` (an organisation, none for an administrator) records it.
fn check(
    conn: &mut DbConnection,
    programme: &ProgrammeRow,
    input: &ParticipationInput,
    recorder: Option<&str>,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if input.starts_on < programme.starts_on || input.starts_on > programme.ends_on {
        errors.push(FieldError::new(
            "starts_on",
            "outside_programme",
            format!(
                "a coaching period starts within the programme's period {} – {}",
                programme.starts_on, programme.ends_on
            ),
        ));
    }
    match input.ends_on {
        Some(ends_on) if ends_on < input.starts_on => errors.push(FieldError::new(
            "ends_on",
            "before_start",
            "ends_on is before starts_on",
        )),
        Some(ends_on) if ends_on > programme.ends_on => errors.push(FieldError::new(
            "ends_on",
            "outside_programme",
            format!(
                "a coaching period ends by the programme's end {}",
                programme.ends_on
            ),
        )),
        None if input.next_step.is_some() => errors.push(FieldError::new(
            "next_step",
            "not_ended",
            "the next step is recorded with the end date",
        )),
        _ => {}
    }
    if let Err(error) = check_municipality(conn, "municipality", input.municipality.trim())? {
        errors.push(error);
    }
    if !takes_part(conn, programme, &input.coach_organisation_id)? {
        errors.push(FieldError::new(
            "coach_organisation_id",
            "not_a_partner",
            "the coaching organisation is the programme's administrator or one of its partners",
        ));
    }
    let known = environments::find_many(conn, &input.learning_environment_ids)?;
    for (index, id) in input.learning_environment_ids.iter().enumerate() {
        if !known.iter().any(|environment| &environment.id == id) {
            errors.push(FieldError::new(
                format!("learning_environment_ids[{index}]"),
                "unknown_id",
                "no learning environment has this id",
            ));
        }
    }
    check_certificate_links(conn, programme, input, recorder, &mut errors)?;
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Checks the linked certificates. One that does not exist and one the recorder cannot read
/// answer the same 404, so that neither ids nor statuses of others' certificates can be probed.
fn check_certificate_links(
    conn: &mut DbConnection,
    programme: &ProgrammeRow,
    input: &ParticipationInput,
    recorder: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Result<(), ApiError> {
    for (index, id) in input.certificate_ids.iter().enumerate() {
        let field = format!("certificate_ids[{index}]");
        let certificate = match certificates::find(conn, id)? {
            Some(certificate) if can_link(conn, recorder, &certificate)? => certificate,
            _ => {
                return Err(ApiError::NotFound {
                    resource: "certificate",
                })
            }
        };
        if certificate.status == CertificateStatus::Draft {
            errors.push(FieldError::new(
                field,
                "draft",
                "only issued certificates are linked",
            ));
        } else if !takes_part(conn, programme, &certificate.issuer_organisation_id)? {
            errors.push(FieldError::new(
                field,
                "not_a_partner",
                "the certificate was issued by an organisation outside the programme",
            ));
        }
    }
    Ok(())
}

/// Whether the recording organisation (none for an administrator) may link the certificate: it
/// issued it, or the certificate is shared with it.
fn can_link(
    conn: &mut DbConnection,
    recorder: Option<&str>,
    certificate: &crate::certificates::model::CertificateRow,
) -> Result<bool, ApiError> {
    let Some(recorder) = recorder else {
        return Ok(true);
    };
    if certificate.issuer_organisation_id == recorder {
        return Ok(true);
    }
    Ok(
        certificates::active_shares(conn, std::slice::from_ref(&certificate.id))?
            .iter()
            .any(|share| share.organisation_id == recorder),
    )
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    programme: &ProgrammeRow,
    input: &ParticipationInput,
) -> Result<String, ApiError> {
    check(conn, programme, input, actor.organisation_id.as_deref())?;
    let id = Uuid::now_v7().to_string();
    let content = content(input, 1);
    repo::insert(
        conn,
        &NewParticipation {
            id: id.clone(),
            programme_id: programme.id.clone(),
            created_at: content.updated_at,
            content,
        },
    )?;
    repo::replace_links(conn, &id, &links_of(&id, input))?;
    audit::record(
        conn,
        actor,
        Change::new(
            "participation.create",
            "participation",
            &id,
            Some(&programme.administrator_organisation_id),
        ),
    )?;
    Ok(id)
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    programme: &ProgrammeRow,
    current: &ParticipationRow,
    input: &ParticipationInput,
) -> Result<(), ApiError> {
    check(conn, programme, input, actor.organisation_id.as_deref())?;
    if !repo::update_content(
        conn,
        &current.id,
        current.version,
        &content(input, current.version + 1),
    )? {
        return Err(ApiError::PreconditionFailed);
    }
    repo::replace_links(conn, &current.id, &links_of(&current.id, input))?;
    audit::record(
        conn,
        actor,
        Change::new(
            "participation.update",
            "participation",
            &current.id,
            Some(&programme.administrator_organisation_id),
        ),
    )
    .map_err(ApiError::from)
}

/// Removes a participation recorded by mistake; one with completed units stays.
pub fn delete(
    conn: &mut DbConnection,
    actor: &Actor,
    programme: &ProgrammeRow,
    current: &ParticipationRow,
) -> Result<(), ApiError> {
    if repo::has_completions(conn, &current.id)? {
        return Err(ApiError::Conflict(
            "The participation has completed units; remove them first.".to_owned(),
        ));
    }
    if !repo::delete(conn, &current.id, current.version)? {
        return Err(ApiError::PreconditionFailed);
    }
    audit::record(
        conn,
        actor,
        Change::new(
            "participation.delete",
            "participation",
            &current.id,
            Some(&programme.administrator_organisation_id),
        ),
    )
    .map_err(ApiError::from)
}

/// Checks a completion's provider, unit, municipality, environment and day, naming every field at
/// fault.
fn check_completion(
    conn: &mut DbConnection,
    programme: &ProgrammeRow,
    participation: &ParticipationRow,
    provider: &str,
    input: &CompletionInput,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    match organisations::find(conn, provider)? {
        Some((row, _)) if row.kind == OrganisationKind::EducationProvider => {
            if !takes_part(conn, programme, provider)? {
                errors.push(FieldError::new(
                    "provider_organisation_id",
                    "not_a_partner",
                    "the education provider is not a partner of the programme",
                ));
            }
        }
        Some(_) => errors.push(FieldError::new(
            "provider_organisation_id",
            "not_an_education_provider",
            "units are completed at an education provider",
        )),
        None => errors.push(FieldError::new(
            "provider_organisation_id",
            "unknown_id",
            "no organisation has this id",
        )),
    }
    let qualification = input.qualification.trim();
    let unit = input.unit.trim();
    if let Some(mut error) = reference::check_unit(conn, "completion", qualification, unit)? {
        // The input names them at its top level.
        error.field = error.field.trim_start_matches("completion.").to_owned();
        errors.push(error);
    }
    if let Err(error) = check_municipality(conn, "municipality", input.municipality.trim())? {
        errors.push(error);
    }
    if let Some(environment) = &input.learning_environment_id {
        if environments::find(conn, environment)?.is_none() {
            errors.push(FieldError::new(
                "learning_environment_id",
                "unknown_id",
                "no learning environment has this id",
            ));
        }
    }
    if input.completed_on < participation.starts_on {
        errors.push(FieldError::new(
            "completed_on",
            "before_start",
            "a unit is completed after the coaching period began",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Records a completed unit for a participation; `provider` is the education provider it was
/// completed at.
pub fn record_completion(
    conn: &mut DbConnection,
    actor: &Actor,
    programme: &ProgrammeRow,
    participation: &ParticipationRow,
    provider: &str,
    input: &CompletionInput,
) -> Result<String, ApiError> {
    check_completion(conn, programme, participation, provider, input)?;
    let qualification = input.qualification.trim();
    let unit = input.unit.trim();
    if repo::completion_recorded(conn, &participation.id, qualification, unit)? {
        return Err(ApiError::Conflict(format!(
            "The participant's completion of {unit} in {qualification} is already recorded."
        )));
    }
    let id = Uuid::now_v7().to_string();
    repo::insert_completion(
        conn,
        &CompletionRow {
            id: id.clone(),
            programme_id: programme.id.clone(),
            participation_id: participation.id.clone(),
            provider_organisation_id: provider.to_owned(),
            qualification_code: qualification.to_owned(),
            unit_code: unit.to_owned(),
            completed_on: input.completed_on,
            environment_id: input.learning_environment_id.clone(),
            municipality_code: input.municipality.trim().to_owned(),
            qualification_completed: input.qualification_completed,
            recorded_by_organisation_id: actor.organisation_id.clone(),
            created_at: now(),
        },
    )?;
    audit::record(
        conn,
        actor,
        Change::new(
            "completion.create",
            "completion",
            &id,
            Some(&programme.administrator_organisation_id),
        ),
    )?;
    Ok(id)
}

pub fn remove_completion(
    conn: &mut DbConnection,
    actor: &Actor,
    programme: &ProgrammeRow,
    completion: &CompletionRow,
) -> Result<(), ApiError> {
    repo::delete_completion(conn, &completion.id)?;
    audit::record(
        conn,
        actor,
        Change::new(
            "completion.delete",
            "completion",
            &completion.id,
            Some(&programme.administrator_organisation_id),
        ),
    )
    .map_err(ApiError::from)
}

pub fn completion_views(
    conn: &mut DbConnection,
    rows: Vec<CompletionRow>,
) -> Result<Vec<Completion>, ApiError> {
    let qualifications: Vec<String> = rows.iter().map(|row| row.qualification_code.clone()).collect();
    let units: Vec<String> = rows.iter().map(|row| row.unit_code.clone()).collect();
    let names = names_of(conn, &qualifications, &units)?;
    Ok(rows
        .into_iter()
        .map(|row| Completion {
            qualification: names.qualification(&row.qualification_code),
            unit: names.unit(&row.unit_code),
            id: row.id,
            programme_id: row.programme_id,
            participation_id: row.participation_id,
            provider_organisation_id: row.provider_organisation_id,
            completed_on: row.completed_on,
            learning_environment_id: row.environment_id,
            municipality: row.municipality_code,
            qualification_completed: row.qualification_completed,
            recorded_by_organisation_id: row.recorded_by_organisation_id,
            created_at: row.created_at.and_utc(),
        })
        .collect())
}
