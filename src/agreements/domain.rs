//! The rules of cooperation agreements: what makes a valid one and how it moves through its life.

use chrono::{NaiveDate, NaiveDateTime};
use uuid::Uuid;

use super::{
    dto::{AgreementInput, AgreementStatus, PartyRole, TerminationInput},
    model::{
        AgreementContent, AgreementRow, AttachmentRow, ContactRow, EnvironmentLinkRow, NewAgreement,
        PartyRow, QualificationLinkRow,
    },
    repo::{self, Children},
};
use crate::{
    audit::{self, Actor, Change},
    db::{now, DbConnection},
    environments::repo as environments,
    error::{ApiError, FieldError},
    events::{self, Happened, RegistryEventKind},
    guidelines::repo as guidelines,
    organisations::repo as organisations,
    reference::repo as reference,
    text::sorted_unique,
};

pub const NOT_FOUND: ApiError = ApiError::NotFound {
    resource: "agreement",
};

/// The status a reader sees: an active agreement past `valid_until` is expired, without any job.
pub fn effective_status(row: &AgreementRow, today: NaiveDate) -> AgreementStatus {
    match row.status {
        AgreementStatus::Active if row.valid_until.is_some_and(|until| until < today) => {
            AgreementStatus::Expired
        }
        status => status,
    }
}

pub use crate::db::today;

fn children_of(id: &str, input: &AgreementInput) -> Children {
    Children {
        parties: input
            .parties
            .iter()
            .map(|party| PartyRow {
                agreement_id: id.to_owned(),
                organisation_id: party.organisation_id.clone(),
                role: party.role,
                confirmed_at: None,
                confirmed_by_client_id: None,
            })
            .collect(),
        contacts: input
            .contacts
            .iter()
            .zip(1..)
            .map(|(contact, position)| ContactRow {
                agreement_id: id.to_owned(),
                position,
                organisation_id: contact.organisation_id.clone(),
                name: contact.name.trim().to_owned(),
                role: contact.role.clone(),
                email: contact.email.clone(),
                phone: contact.phone.clone(),
            })
            .collect(),
        qualifications: sorted_unique(input.qualifications.iter().cloned())
            .into_iter()
            .map(|code| QualificationLinkRow {
                agreement_id: id.to_owned(),
                qualification_code: code,
            })
            .collect(),
        environments: sorted_unique(input.learning_environments.iter().cloned())
            .into_iter()
            .map(|environment_id| EnvironmentLinkRow {
                agreement_id: id.to_owned(),
                environment_id,
            })
            .collect(),
        attachments: input
            .attachments
            .iter()
            .zip(1..)
            .map(|(attachment, position)| AttachmentRow {
                agreement_id: id.to_owned(),
                position,
                title: attachment.title.trim().to_owned(),
                url: attachment.url.clone(),
            })
            .collect(),
    }
}

fn content(input: &AgreementInput, version: i64, at: NaiveDateTime) -> AgreementContent {
    AgreementContent {
        reference_number: input.reference_number.trim().to_owned(),
        title: input.title.trim().to_owned(),
        guideline_id: input.guideline_id.clone(),
        valid_from: input.valid_from,
        valid_until: input.valid_until,
        terms: input.terms.clone(),
        version,
        updated_at: at,
    }
}

/// What is wrong with an input's dates and parties, on their own.
fn shape_errors(input: &AgreementInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if input.valid_until.is_some_and(|until| until < input.valid_from) {
        errors.push(FieldError::new(
            "valid_until",
            "before_start",
            "valid_until is before valid_from",
        ));
    }
    let distinct: std::collections::HashSet<&str> = input
        .parties
        .iter()
        .map(|party| party.organisation_id.as_str())
        .collect();
    if distinct.len() != input.parties.len() {
        errors.push(FieldError::new(
            "parties",
            "duplicate",
            "an organisation is listed twice",
        ));
    }
    let providers = input
        .parties
        .iter()
        .filter(|party| party.role == PartyRole::EducationProvider)
        .count();
    if providers == 0 || providers == input.parties.len() {
        errors.push(FieldError::new(
            "parties",
            "roles",
            "an agreement needs an education provider and at least one other party",
        ));
    }
    errors
}

/// What is wrong with the organisations, qualifications, environments and guideline an input names.
fn reference_errors(conn: &mut DbConnection, input: &AgreementInput) -> Result<Vec<FieldError>, ApiError> {
    let mut errors = Vec::new();
    for (index, party) in input.parties.iter().enumerate() {
        let field = format!("parties[{index}].organisation_id");
        match organisations::find(conn, &party.organisation_id)? {
            None => errors.push(FieldError::new(
                field,
                "unknown_id",
                "no organisation has this id",
            )),
            Some((row, _)) if !row.active => errors.push(FieldError::new(
                field,
                "inactive",
                "the organisation is not active",
            )),
            Some(_) => {}
        }
    }
    for (index, code) in input.qualifications.iter().enumerate() {
        if reference::find_qualification(conn, code)?.is_none() {
            errors.push(FieldError::new(
                format!("qualifications[{index}]"),
                "unknown_code",
                format!("no qualification has the code {code:?}"),
            ));
        }
    }
    let is_party = |organisation: &str| {
        input
            .parties
            .iter()
            .any(|party| party.organisation_id == organisation)
    };
    for (index, id) in input.learning_environments.iter().enumerate() {
        let field = format!("learning_environments[{index}]");
        match environments::find(conn, id)? {
            None => errors.push(FieldError::new(
                field,
                "unknown_id",
                "no learning environment has this id",
            )),
            Some(environment) if !is_party(&environment.organisation_id) => errors.push(FieldError::new(
                field,
                "not_a_party",
                "the environment belongs to an organisation that is not a party",
            )),
            Some(_) => {}
        }
    }
    for (index, contact) in input.contacts.iter().enumerate() {
        if !is_party(&contact.organisation_id) {
            errors.push(FieldError::new(
                format!("contacts[{index}].organisation_id"),
                "not_a_party",
                "a contact person represents one of the parties",
            ));
        }
    }
    if let Some(guideline) = &input.guideline_id {
        if guidelines::find(conn, guideline)?.is_none() {
            errors.push(FieldError::new(
                "guideline_id",
                "unknown_id",
                "no guideline has this id",
            ));
        }
    }
    Ok(errors)
}

/// Checks an input as a whole and its references against the database, naming every field at fault.
fn check_references(conn: &mut DbConnection, input: &AgreementInput) -> Result<(), ApiError> {
    let mut errors = shape_errors(input);
    errors.extend(reference_errors(conn, input)?);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn check_reference_number(
    conn: &mut DbConnection,
    issuer: &str,
    input: &AgreementInput,
    except_id: Option<&str>,
) -> Result<(), ApiError> {
    if repo::reference_taken(conn, issuer, input.reference_number.trim(), except_id)? {
        return Err(ApiError::Conflict(format!(
            "The issuing organisation already has an agreement with reference number {}.",
            input.reference_number.trim()
        )));
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    issuer: String,
    input: AgreementInput,
) -> Result<String, ApiError> {
    check_references(conn, &input)?;
    check_reference_number(conn, &issuer, &input, None)?;
    let at = now();
    let id = Uuid::now_v7().to_string();
    repo::insert(
        conn,
        &NewAgreement {
            id: id.clone(),
            issuer_organisation_id: issuer.clone(),
            content: content(&input, 1, at),
            status: AgreementStatus::Draft,
            created_at: at,
        },
    )?;
    repo::replace_children(conn, &id, &children_of(&id, &input))?;
    audit::record(
        conn,
        actor,
        Change::new("agreement.create", "agreement", &id, Some(&issuer)),
    )?;
    Ok(id)
}

fn require_draft(row: &AgreementRow, doing: &str) -> Result<(), ApiError> {
    if row.status == AgreementStatus::Draft {
        Ok(())
    } else {
        Err(ApiError::Conflict(format!(
            "Only a draft agreement can be {doing}."
        )))
    }
}

/// Replaces a draft's content. Every party confirms again afterwards.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &AgreementRow,
    input: AgreementInput,
) -> Result<(), ApiError> {
    require_draft(current, "edited")?;
    check_references(conn, &input)?;
    check_reference_number(conn, &current.issuer_organisation_id, &input, Some(&current.id))?;
    if !repo::update_content(
        conn,
        &current.id,
        current.version,
        &content(&input, current.version + 1, now()),
    )? {
        return Err(ApiError::PreconditionFailed);
    }
    repo::replace_children(conn, &current.id, &children_of(&current.id, &input))?;
    audit::record(
        conn,
        actor,
        Change::new(
            "agreement.update",
            "agreement",
            &current.id,
            Some(&current.issuer_organisation_id),
        ),
    )
    .map_err(ApiError::from)
}

/// Records a party's confirmation of the draft as it stands.
pub fn confirm(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &AgreementRow,
    parties: &[PartyRow],
    organisation_id: &str,
    client_id: &str,
) -> Result<(), ApiError> {
    require_draft(current, "confirmed")?;
    let party = parties
        .iter()
        .find(|party| party.organisation_id == organisation_id)
        .ok_or_else(|| ApiError::Forbidden("Only a party confirms an agreement.".to_owned()))?;
    if party.confirmed_at.is_some() {
        return Ok(());
    }
    let at = now();
    if !repo::touch(conn, &current.id, current.version, at)? {
        return Err(ApiError::PreconditionFailed);
    }
    repo::confirm(conn, &current.id, organisation_id, client_id, at)?;
    audit::record(
        conn,
        actor,
        Change::new(
            "agreement.confirm",
            "agreement",
            &current.id,
            Some(&current.issuer_organisation_id),
        ),
    )
    .map_err(ApiError::from)
}

/// Activates a draft every party has confirmed.
pub fn activate(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &AgreementRow,
    parties: &[PartyRow],
) -> Result<(), ApiError> {
    require_draft(current, "activated")?;
    let unconfirmed: Vec<&str> = parties
        .iter()
        .filter(|party| party.confirmed_at.is_none())
        .map(|party| party.organisation_id.as_str())
        .collect();
    if !unconfirmed.is_empty() {
        return Err(ApiError::Conflict(format!(
            "Every party confirms before activation; waiting for {}.",
            unconfirmed.join(", ")
        )));
    }
    let at = now();
    if !repo::touch(conn, &current.id, current.version, at)? {
        return Err(ApiError::PreconditionFailed);
    }
    repo::activate(conn, &current.id, at)?;
    audit::record(
        conn,
        actor,
        Change::new(
            "agreement.activate",
            "agreement",
            &current.id,
            Some(&current.issuer_organisation_id),
        ),
    )?;
    announce(conn, RegistryEventKind::AgreementActivated, current, parties)
}

/// Tells every party (their webhooks) what happened to the agreement.
fn announce(
    conn: &mut DbConnection,
    event: RegistryEventKind,
    current: &AgreementRow,
    parties: &[PartyRow],
) -> Result<(), ApiError> {
    let audience: Vec<String> = parties
        .iter()
        .map(|party| party.organisation_id.clone())
        .collect();
    let path = format!("/v1/agreements/{}", current.id);
    let happened = Happened {
        event,
        resource_id: &current.id,
        path: &path,
    };
    events::record(conn, happened, &audience, now()).map_err(ApiError::from)
}

pub fn terminate(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &AgreementRow,
    by_party: &str,
    input: &TerminationInput,
) -> Result<(), ApiError> {
    if effective_status(current, today()) != AgreementStatus::Active {
        return Err(ApiError::Conflict(
            "Only an agreement in force can be terminated.".to_owned(),
        ));
    }
    if input.terminated_on < current.valid_from {
        return Err(ApiError::validation(
            "terminated_on",
            "before_start",
            "an agreement cannot end before it began",
        ));
    }
    if !repo::touch(conn, &current.id, current.version, now())? {
        return Err(ApiError::PreconditionFailed);
    }
    repo::terminate(
        conn,
        &current.id,
        input.terminated_on,
        input.reason.trim(),
        by_party,
    )?;
    audit::record(
        conn,
        actor,
        Change::new(
            "agreement.terminate",
            "agreement",
            &current.id,
            Some(&current.issuer_organisation_id),
        ),
    )?;
    let parties = repo::children(conn, std::slice::from_ref(&current.id))?.parties;
    announce(conn, RegistryEventKind::AgreementTerminated, current, &parties)
}
