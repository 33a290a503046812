//! The rules of recognitions: who may recognise what, overlaps, ending, and how they read.

use chrono::{Days, NaiveDate};
use uuid::Uuid;

use super::{
    dto::{EndInput, OwnerConsent, RecognitionInput, RecognitionStatus},
    model::RecognitionRow,
    repo,
};
use crate::{
    agreements::{domain as agreements, dto::AgreementStatus, repo as agreement_repo},
    audit::{self, Actor, Change},
    db::{now, today, DbConnection},
    environments::model::EnvironmentRow,
    error::{ApiError, FieldError},
    events::{self, Happened, RegistryEventKind},
    organisations::{dto::OrganisationKind, repo as organisations},
};

pub const NOT_FOUND: ApiError = ApiError::NotFound {
    resource: "recognition",
};

/// How a recognition reads on `today`: one past its last day in force reads as ended.
pub fn status(row: &RecognitionRow, today: NaiveDate) -> RecognitionStatus {
    match row.in_force_until {
        Some(until) if until < today || until < row.valid_from => RecognitionStatus::Ended,
        _ if row.valid_from > today => RecognitionStatus::Scheduled,
        _ => RecognitionStatus::Active,
    }
}

/// The last day in force of a recognition valid until `valid_until` and ended from `ended_on`.
fn last_day(valid_until: Option<NaiveDate>, ended_on: Option<NaiveDate>) -> Option<NaiveDate> {
    let day_before_end = ended_on.and_then(|day| day.checked_sub_days(Days::new(1)));
    match (valid_until, day_before_end) {
        (Some(until), Some(before)) => Some(until.min(before)),
        (until, before) => until.or(before),
    }
}

/// Checks that `provider` is an active education provider; `own` when it is the caller's own
/// organisation (which then may not recognise at all), not one an administrator named.
fn check_provider(conn: &mut DbConnection, provider: &str, own: bool) -> Result<(), ApiError> {
    let field = "provider_organisation_id";
    match organisations::find(conn, provider)? {
        None => Err(ApiError::validation(
            field,
            "unknown_id",
            "no organisation has this id",
        )),
        Some((row, _)) if !row.active => Err(ApiError::validation(
            field,
            "inactive",
            "the organisation is not active",
        )),
        Some((row, _)) if row.kind != OrganisationKind::EducationProvider => {
            if own {
                Err(ApiError::Forbidden(
                    "Only education providers recognise learning environments.".to_owned(),
                ))
            } else {
                Err(ApiError::validation(
                    field,
                    "not_an_education_provider",
                    "only education providers recognise learning environments",
                ))
            }
        }
        Some(_) => Ok(()),
    }
}

/// Checks the agreement a recognition is made under: in force, and both the provider and the
/// environment's owner among its parties; when it lists environments or qualifications, this
/// environment and the recognised units' qualifications among them.
fn check_agreement(
    conn: &mut DbConnection,
    agreement_id: &str,
    environment: &EnvironmentRow,
    provider: &str,
    input: &RecognitionInput,
    errors: &mut Vec<FieldError>,
) -> Result<(), ApiError> {
    let field = "agreement_id";
    let Some(agreement) = agreement_repo::find(conn, agreement_id)? else {
        errors.push(FieldError::new(field, "unknown_id", "no agreement has this id"));
        return Ok(());
    };
    if agreements::effective_status(&agreement, today()) != AgreementStatus::Active {
        errors.push(FieldError::new(
            field,
            "not_active",
            "the agreement is not in force",
        ));
    }
    let children = agreement_repo::children(conn, std::slice::from_ref(&agreement.id))?;
    let is_party = |organisation: &str| {
        children
            .parties
            .iter()
            .any(|party| party.organisation_id == organisation)
    };
    if !is_party(provider) || !is_party(&environment.organisation_id) {
        errors.push(FieldError::new(
            field,
            "not_a_party",
            "the agreement must list both the education provider and the environment's organisation",
        ));
    }
    if !children.environments.is_empty()
        && !children
            .environments
            .iter()
            .any(|link| link.environment_id == environment.id)
    {
        errors.push(FieldError::new(
            field,
            "environment_not_covered",
            "the agreement lists learning environments and this is not one of them",
        ));
    }
    if !children.qualifications.is_empty() {
        for (index, unit) in input.units.iter().enumerate() {
            if !children
                .qualifications
                .iter()
                .any(|link| link.qualification_code == unit.qualification)
            {
                errors.push(FieldError::new(
                    format!("units[{index}].qualification"),
                    "qualification_not_covered",
                    "the agreement lists qualifications and this is not one of them",
                ));
            }
        }
    }
    Ok(())
}

/// Checks an input's dates, units and agreement, naming every field at fault.
fn check_input(
    conn: &mut DbConnection,
    environment: &EnvironmentRow,
    provider: &str,
    input: &RecognitionInput,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if input.valid_until.is_some_and(|until| until < input.valid_from) {
        errors.push(FieldError::new(
            "valid_until",
            "before_start",
            "valid_until is before valid_from",
        ));
    }
    for (index, unit) in input.units.iter().enumerate() {
        let repeated = input.units[..index]
            .iter()
            .any(|earlier| earlier.unit == unit.unit && earlier.qualification == unit.qualification);
        if repeated {
            errors.push(FieldError::new(
                format!("units[{index}]"),
                "duplicate",
                "the unit is listed twice under the same qualification",
            ));
        } else if let Some(error) =
            crate::reference::check_unit(conn, &format!("units[{index}]"), &unit.qualification, &unit.unit)?
        {
            errors.push(error);
        }
    }
    if let Some(agreement_id) = &input.agreement_id {
        check_agreement(conn, agreement_id, environment, provider, input, &mut errors)?;
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// 409 when the provider already recognises the environment for one of the units over an
/// overlapping period.
fn check_overlaps(
    conn: &mut DbConnection,
    environment: &EnvironmentRow,
    provider: &str,
    input: &RecognitionInput,
) -> Result<(), ApiError> {
    for unit in &input.units {
        if repo::overlaps(
            conn,
            &environment.id,
            provider,
            &unit.qualification,
            &unit.unit,
            input.valid_from,
            input.valid_until,
        )? {
            return Err(ApiError::Conflict(format!(
                "The provider already recognises this environment for unit {} of qualification {} \
                 for a period that overlaps {}–{}; end that recognition first.",
                unit.unit,
                unit.qualification,
                input.valid_from,
                input.valid_until.map(|day| day.to_string()).unwrap_or_default(),
            )));
        }
    }
    Ok(())
}

/// The rows of a new recognition, one per unit.
fn new_rows(environment: &EnvironmentRow, provider: &str, input: &RecognitionInput) -> Vec<RecognitionRow> {
    let at = now();
    let consent = if environment.organisation_id == provider {
        OwnerConsent::Own
    } else {
        OwnerConsent::Pending
    };
    input
        .units
        .iter()
        .map(|unit| RecognitionRow {
            id: Uuid::now_v7().to_string(),
            environment_id: environment.id.clone(),
            region_code: environment.region_code.clone(),
            provider_organisation_id: provider.to_owned(),
            qualification_code: unit.qualification.clone(),
            unit_code: unit.unit.clone(),
            valid_from: input.valid_from,
            valid_until: input.valid_until,
            in_force_until: input.valid_until,
            agreement_id: input.agreement_id.clone(),
            note: unit.note.as_deref().map(str::trim).map(str::to_owned),
            ended_on: None,
            end_reason: None,
            version: 1,
            created_at: at,
            updated_at: at,
            owner_consent: consent,
        })
        .collect()
}

/// Records `provider`'s recognition of `environment` for each unit of `input`; returns their ids.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    environment: &EnvironmentRow,
    provider: &str,
    input: RecognitionInput,
) -> Result<Vec<String>, ApiError> {
    check_provider(conn, provider, actor.organisation_id.as_deref() == Some(provider))?;
    if !environment.active {
        return Err(ApiError::Conflict(
            "The learning environment is not active; reactivate it before recognising it.".to_owned(),
        ));
    }
    check_input(conn, environment, provider, &input)?;
    check_overlaps(conn, environment, provider, &input)?;
    let rows = new_rows(environment, provider, &input);
    repo::insert_all(conn, &rows)?;
    let audience = [provider.to_owned(), environment.organisation_id.clone()];
    for row in &rows {
        audit::record(
            conn,
            actor,
            Change::new("recognition.create", "recognition", &row.id, Some(provider)),
        )?;
        announce(conn, RegistryEventKind::RecognitionCreated, row, &audience)?;
    }
    Ok(rows.into_iter().map(|row| row.id).collect())
}

/// Ends a recognition from `input.ended_on` (today when absent); its history stays.
pub fn end(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &RecognitionRow,
    input: &EndInput,
) -> Result<(), ApiError> {
    if current.ended_on.is_some() {
        return Err(ApiError::Conflict(
            "The recognition has already been ended.".to_owned(),
        ));
    }
    let today = today();
    if status(current, today) == RecognitionStatus::Ended {
        return Err(ApiError::Conflict(
            "The recognition is no longer in force: its valid_until has passed.".to_owned(),
        ));
    }
    let ended_on = input.ended_on.unwrap_or(today);
    if ended_on < current.valid_from {
        return Err(ApiError::validation(
            "ended_on",
            "before_start",
            "ended_on is before the recognition's valid_from",
        ));
    }
    if current.valid_until.is_some_and(|until| ended_on > until) {
        return Err(ApiError::validation(
            "ended_on",
            "after_end",
            "the recognition already ends on its valid_until",
        ));
    }
    let in_force_until = last_day(current.valid_until, Some(ended_on));
    if !repo::end(
        conn,
        &current.id,
        current.version,
        ended_on,
        in_force_until,
        input.reason.trim(),
        now(),
    )? {
        return Err(ApiError::PreconditionFailed);
    }
    audit::record(
        conn,
        actor,
        Change::new(
            "recognition.end",
            "recognition",
            &current.id,
            Some(&current.provider_organisation_id),
        ),
    )?;
    let owner = crate::environments::repo::find(conn, &current.environment_id)?
        .map(|environment| environment.organisation_id);
    let audience: Vec<String> = [Some(current.provider_organisation_id.clone()), owner]
        .into_iter()
        .flatten()
        .collect();
    announce(conn, RegistryEventKind::RecognitionEnded, current, &audience)
}

/// Tells the provider and the environment's owner (their webhooks) what happened to `row`.
fn announce(
    conn: &mut DbConnection,
    event: RegistryEventKind,
    row: &RecognitionRow,
    audience: &[String],
) -> Result<(), ApiError> {
    let path = format!(
        "/v1/learning-environments/{}/recognitions/{}",
        row.environment_id, row.id
    );
    let happened = Happened {
        event,
        resource_id: &row.id,
        path: &path,
    };
    events::record(conn, happened, audience, now()).map_err(ApiError::from)
}

/// The owner's answer to another organisation's recognition of its environment.
pub fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &RecognitionRow,
    owner: &str,
    accept: bool,
) -> Result<(), ApiError> {
    let consent = current.owner_consent;
    if consent == OwnerConsent::Own {
        return Err(ApiError::Conflict(
            "The provider recognised its own environment: there is no consent to give.".to_owned(),
        ));
    }
    let (decided, action) = if accept {
        (OwnerConsent::Accepted, "recognition.accept")
    } else {
        (OwnerConsent::Declined, "recognition.decline")
    };
    repo::set_owner_consent(conn, &current.id, current.version, decided.as_str(), now())?
        .then_some(())
        .ok_or(ApiError::PreconditionFailed)?;
    audit::record(
        conn,
        actor,
        Change::new(action, "recognition", &current.id, Some(owner)),
    )?;
    Ok(())
}
