//! The rules of certificates: content checks, the lifecycle, sharing and the feed's audience.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use uuid::Uuid;

use super::{
    credential::{self, Signer},
    dto::{
        Certificate, CertificateEnvironment, CertificateInput, CertificateStatus, CertificateUnit,
        CertificateUnitInput, CoachInput, FeedEventKind, Holder, HolderInput, OtherCompetenceInput, Share,
        ShareInput, SkillInput,
    },
    model::{CertificateRow, ContentChanges, EnvironmentLinkRow, ShareRow, UnitRow},
    protection::PersonalDataKey,
    repo, status_list,
};
use crate::{
    audit::{self, Actor, Change},
    db::{now, today, DbConnection},
    environments::repo as environments,
    error::{ApiError, FieldError},
    identifiers,
    organisations::{dto::OrganisationKind, repo as organisations},
    reference,
    text::localized,
};

pub const NOT_FOUND: ApiError = ApiError::NotFound {
    resource: "certificate",
};
const RESOURCE: &str = "certificate";

fn protection_failed(error: super::protection::ProtectionError) -> ApiError {
    ApiError::internal(error.to_string())
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|error| ApiError::internal(error.to_string()))
}

/// Checks a certificate's content; returns the holder's code (canonical) when one was given.
fn check(
    conn: &mut DbConnection,
    issuer: &str,
    input: &mut CertificateInput,
) -> Result<Option<String>, ApiError> {
    let mut errors = Vec::new();
    let hetu = match input.holder.hetu.as_deref() {
        None => None,
        Some(value) => match identifiers::personal_identity_code(value) {
            Ok(code) => {
                if code.birth_date != input.holder.date_of_birth {
                    errors.push(FieldError::new(
                        "holder.date_of_birth",
                        "mismatch",
                        "does not agree with the personal identity code",
                    ));
                }
                Some(code.code)
            }
            Err(message) => {
                errors.push(FieldError::new("holder.hetu", "hetu", message));
                None
            }
        },
    };
    if let Some(oid) = &input.holder.learner_oid {
        match identifiers::learner_oid(oid) {
            Ok(oid) => input.holder.learner_oid = Some(oid),
            Err(message) => errors.push(FieldError::new("holder.learner_oid", "learner_oid", message)),
        }
    }
    if input.end_date < input.start_date {
        errors.push(FieldError::new(
            "end_date",
            "before_start",
            "end_date is before start_date",
        ));
    }
    if input.holder.date_of_birth > today() {
        errors.push(FieldError::new(
            "holder.date_of_birth",
            "future",
            "is in the future",
        ));
    }
    for (index, unit) in input.units.iter().enumerate() {
        let field = format!("units[{index}]");
        if input.units[..index]
            .iter()
            .any(|earlier| earlier.unit == unit.unit && earlier.qualification == unit.qualification)
        {
            errors.push(FieldError::new(
                field,
                "duplicate",
                "the unit is listed twice under the same qualification",
            ));
        } else if let Some(error) = reference::check_unit(conn, &field, &unit.qualification, &unit.unit)? {
            errors.push(error);
        }
    }
    input.learning_environment_ids.dedup();
    let found = environments::find_many(conn, &input.learning_environment_ids)?;
    for (index, id) in input.learning_environment_ids.iter().enumerate() {
        match found.iter().find(|environment| &environment.id == id) {
            Some(environment) if environment.organisation_id == issuer => {}
            Some(_) => errors.push(FieldError::new(
                format!("learning_environment_ids[{index}]"),
                "not_own",
                "the learning environment belongs to another organisation",
            )),
            None => errors.push(FieldError::new(
                format!("learning_environment_ids[{index}]"),
                "unknown",
                format!("no learning environment has the id {id:?}"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(hetu)
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn content_changes(
    input: &CertificateInput,
    hetu: Option<&str>,
    key: &PersonalDataKey,
    version: i64,
    at: NaiveDateTime,
) -> Result<ContentChanges, ApiError> {
    Ok(ContentChanges {
        holder_given_names: input.holder.given_names.trim().to_owned(),
        holder_family_name: input.holder.family_name.trim().to_owned(),
        holder_birth_date_encrypted: Some(seal(key, &input.holder.date_of_birth.to_string())?),
        holder_hetu_encrypted: hetu.map(|code| seal(key, code)).transpose()?,
        holder_hetu_index: hetu.map(|code| key.blind_index(code)),
        holder_learner_oid: input
            .holder
            .learner_oid
            .as_deref()
            .map(|oid| seal(key, oid))
            .transpose()?,
        programme_reference: input.programme_reference.clone(),
        start_date: input.start_date,
        end_date: input.end_date,
        hours: input.hours,
        coach_name: input.coach.name.trim().to_owned(),
        coach_title: input.coach.title.clone(),
        language: input.language,
        other_competences: to_json(&input.other_competences)?,
        version,
        updated_at: at,
    })
}

fn children_of(
    id: &str,
    input: &CertificateInput,
) -> Result<(Vec<UnitRow>, Vec<EnvironmentLinkRow>), ApiError> {
    let units = input
        .units
        .iter()
        .zip(0..)
        .map(|(unit, position)| {
            Ok(UnitRow {
                certificate_id: id.to_owned(),
                position,
                qualification_code: unit.qualification.clone(),
                unit_code: unit.unit.clone(),
                description: unit.description.clone(),
                skills: to_json(&unit.skills)?,
                hours: unit.hours,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    let environments = input
        .learning_environment_ids
        .iter()
        .map(|environment_id| EnvironmentLinkRow {
            certificate_id: id.to_owned(),
            environment_id: environment_id.clone(),
        })
        .collect();
    Ok((units, environments))
}

/// Whether an organisation may issue certificates: any active organisation may.
fn check_issuer(conn: &mut DbConnection, issuer: &str) -> Result<(), ApiError> {
    match organisations::find(conn, issuer)? {
        Some((found, _)) if found.active => Ok(()),
        Some(_) => Err(ApiError::Conflict(
            "The issuing organisation is not active.".to_owned(),
        )),
        None => Err(ApiError::validation(
            "issuer_organisation_id",
            "unknown",
            "no organisation has this id",
        )),
    }
}

/// Writes a new draft and returns its id.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    issuer: &str,
    mut input: CertificateInput,
    supersedes: Option<&str>,
    key: &PersonalDataKey,
) -> Result<String, ApiError> {
    check_issuer(conn, issuer)?;
    let hetu = check(conn, issuer, &mut input)?;
    let id = Uuid::now_v7().to_string();
    let at = now();
    let content = content_changes(&input, hetu.as_deref(), key, 1, at)?;
    repo::insert(
        conn,
        &CertificateRow {
            id: id.clone(),
            issuer_organisation_id: issuer.to_owned(),
            status: CertificateStatus::Draft,
            holder_given_names: content.holder_given_names,
            holder_family_name: content.holder_family_name,
            holder_hetu_encrypted: content.holder_hetu_encrypted,
            holder_hetu_index: content.holder_hetu_index,
            holder_learner_oid: content.holder_learner_oid,
            programme_reference: content.programme_reference,
            start_date: content.start_date,
            end_date: content.end_date,
            hours: content.hours,
            coach_name: content.coach_name,
            coach_title: content.coach_title,
            language: content.language,
            other_competences: content.other_competences,
            supersedes_id: supersedes.map(str::to_owned),
            superseded_by_id: None,
            verification_code: None,
            credential: None,
            issued_at: None,
            revoked_at: None,
            revocation_reason: None,
            version: 1,
            created_at: at,
            updated_at: at,
            status_list: None,
            status_list_index: None,
            holder_birth_date_encrypted: content.holder_birth_date_encrypted,
        },
    )?;
    let (units, environments) = children_of(&id, &input)?;
    repo::replace_children(conn, &id, &units, &environments)?;
    audit::record(conn, actor, Change::new("create", RESOURCE, &id, Some(issuer)))?;
    Ok(id)
}

fn frozen(row: &CertificateRow) -> ApiError {
    ApiError::Conflict(format!(
        "The certificate is {}: issued content never changes. Supersede it with a corrected certificate instead.",
        row.status
    ))
}

/// Replaces a draft's content.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &CertificateRow,
    mut input: CertificateInput,
    key: &PersonalDataKey,
) -> Result<(), ApiError> {
    if current.status != CertificateStatus::Draft {
        return Err(frozen(current));
    }
    if input
        .issuer_organisation_id
        .as_ref()
        .is_some_and(|issuer| issuer != &current.issuer_organisation_id)
    {
        return Err(ApiError::validation(
            "issuer_organisation_id",
            "immutable",
            "the issuing organisation cannot change",
        ));
    }
    let hetu = check(conn, &current.issuer_organisation_id, &mut input)?;
    let changes = content_changes(&input, hetu.as_deref(), key, current.version + 1, now())?;
    if !repo::update_content(conn, &current.id, current.version, &changes)? {
        return Err(ApiError::PreconditionFailed);
    }
    let (units, environments) = children_of(&current.id, &input)?;
    repo::replace_children(conn, &current.id, &units, &environments)?;
    audit::record(
        conn,
        actor,
        Change::new(
            "update",
            RESOURCE,
            &current.id,
            Some(&current.issuer_organisation_id),
        ),
    )
    .map_err(ApiError::from)
}

/// Deletes a draft; issued certificates stay for good.
pub fn delete(conn: &mut DbConnection, actor: &Actor, current: &CertificateRow) -> Result<(), ApiError> {
    if current.status != CertificateStatus::Draft {
        return Err(frozen(current));
    }
    if !repo::delete_draft(conn, &current.id, current.version)? {
        return Err(ApiError::PreconditionFailed);
    }
    audit::record(
        conn,
        actor,
        Change::new(
            "delete",
            RESOURCE,
            &current.id,
            Some(&current.issuer_organisation_id),
        ),
    )
    .map_err(ApiError::from)
}

/// The organisations that see a certificate's events: its issuer and those it is shared with now.
fn audience(conn: &mut DbConnection, row: &CertificateRow) -> Result<Vec<String>, ApiError> {
    let mut audience = vec![row.issuer_organisation_id.clone()];
    for share in repo::active_shares(conn, std::slice::from_ref(&row.id))? {
        if !audience.contains(&share.organisation_id) {
            audience.push(share.organisation_id);
        }
    }
    Ok(audience)
}

/// Moves `current` from one status to another: 409 with `refusal` when it is not in the first,
/// 412 when it changed meanwhile.
fn move_status(
    conn: &mut DbConnection,
    current: &CertificateRow,
    (from, to): (CertificateStatus, CertificateStatus),
    refusal: &str,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    if current.status != from {
        return Err(ApiError::Conflict(refusal.to_owned()));
    }
    let transition = repo::Transition {
        from,
        to,
        expected_version: current.version,
        at,
    };
    if repo::transition(conn, &current.id, &transition)? {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed)
    }
}

/// Issues a draft: freezes it, gives it a verification code and signs its credential. A draft
/// that corrects another certificate supersedes it, and takes over its shares.
pub fn issue(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &CertificateRow,
    signer: &Signer,
) -> Result<(), ApiError> {
    let at = now();
    move_status(
        conn,
        current,
        (CertificateStatus::Draft, CertificateStatus::Issued),
        &format!("The certificate is already {}.", current.status),
        at,
    )?;
    // The feed's counter is taken first: its lock also serializes the choice of a status bit.
    repo::append_events(
        conn,
        &current.id,
        FeedEventKind::Issued,
        None,
        std::slice::from_ref(&current.issuer_organisation_id),
        at,
    )?;
    let status = status_list::assign(conn)?;
    let code = credential::verification_code().map_err(protection_failed)?;
    // Issuing changes no content: the draft as loaded is what is signed.
    let (units, _) = repo::children(conn, std::slice::from_ref(&current.id))?;
    let names = repo::unit_names(conn, &units)?;
    let (issuer, _) = organisations::find(conn, &current.issuer_organisation_id)?
        .ok_or_else(|| ApiError::internal("the issuing organisation is missing"))?;
    let content = credential::Content {
        row: current,
        units: &units,
        names: &names,
        issuer: &issuer,
    };
    let jwt = credential::sign(&content, at, &code, status, signer)?;
    repo::set_issued(conn, &current.id, at, &code, &jwt, status)?;
    audit::record(
        conn,
        actor,
        Change::new(
            "issue",
            RESOURCE,
            &current.id,
            Some(&current.issuer_organisation_id),
        ),
    )?;
    if let Some(old_id) = &current.supersedes_id {
        supersede_old(conn, actor, old_id, &current.id, at)?;
    }
    Ok(())
}

fn supersede_old(
    conn: &mut DbConnection,
    actor: &Actor,
    old_id: &str,
    successor: &str,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let old = repo::find(conn, old_id)?.ok_or(NOT_FOUND)?;
    let audience = audience(conn, &old)?;
    if old.status == CertificateStatus::Issued {
        repo::transition(
            conn,
            old_id,
            &repo::Transition {
                from: CertificateStatus::Issued,
                to: CertificateStatus::Superseded,
                expected_version: old.version,
                at,
            },
        )?;
    }
    repo::set_superseded_by(conn, old_id, successor)?;
    audit::record(
        conn,
        actor,
        Change::new("supersede", RESOURCE, old_id, Some(&old.issuer_organisation_id)),
    )?;
    repo::append_events(conn, old_id, FeedEventKind::Superseded, None, &audience, at)?;
    // The holder consented to sharing this record with them; its correction goes to them too.
    for share in repo::active_shares(conn, &[old_id.to_owned()])? {
        repo::insert_share(
            conn,
            &ShareRow {
                id: Uuid::now_v7().to_string(),
                certificate_id: successor.to_owned(),
                shared_at: at,
                ended_at: None,
                ..share.clone()
            },
        )?;
        repo::append_events(
            conn,
            successor,
            FeedEventKind::Shared,
            Some(&share.organisation_id),
            &[old.issuer_organisation_id.clone(), share.organisation_id.clone()],
            at,
        )?;
    }
    Ok(())
}

/// Revokes an issued certificate.
pub fn revoke(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &CertificateRow,
    reason: &str,
) -> Result<(), ApiError> {
    let at = now();
    move_status(
        conn,
        current,
        (CertificateStatus::Issued, CertificateStatus::Revoked),
        &format!(
            "Only an issued certificate can be revoked; this one is {}.",
            current.status
        ),
        at,
    )?;
    repo::set_revoked(conn, &current.id, at, reason.trim())?;
    audit::record(
        conn,
        actor,
        Change::new(
            "revoke",
            RESOURCE,
            &current.id,
            Some(&current.issuer_organisation_id),
        ),
    )?;
    let audience = audience(conn, current)?;
    repo::append_events(conn, &current.id, FeedEventKind::Revoked, None, &audience, at)
        .map_err(ApiError::from)
}

/// Starts a correction: a new draft with the issued certificate's content.
pub fn supersede(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &CertificateRow,
    key: &PersonalDataKey,
) -> Result<String, ApiError> {
    if current.status != CertificateStatus::Issued {
        return Err(ApiError::Conflict(format!(
            "Only an issued certificate can be corrected; this one is {}.",
            current.status
        )));
    }
    if let Some(draft) = repo::pending_successor(conn, &current.id)? {
        return Err(ApiError::Conflict(format!(
            "A correction is already being written: certificate {draft}."
        )));
    }
    let input = input_of(conn, current, key)?;
    create(
        conn,
        actor,
        &current.issuer_organisation_id,
        input,
        Some(&current.id),
        key,
    )
}

/// Shares an issued certificate with an education provider.
pub fn share(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &CertificateRow,
    input: &ShareInput,
) -> Result<(), ApiError> {
    if current.status != CertificateStatus::Issued {
        return Err(ApiError::Conflict(format!(
            "Only an issued certificate can be shared; this one is {}.",
            current.status
        )));
    }
    if input.consent_given_on > today() {
        return Err(ApiError::validation(
            "consent_given_on",
            "future",
            "consent cannot be given in the future",
        ));
    }
    match organisations::find(conn, &input.organisation_id)? {
        Some((found, _)) if found.active && found.kind == OrganisationKind::EducationProvider => {}
        Some(_) => {
            return Err(ApiError::validation(
                "organisation_id",
                "not_education_provider",
                "certificates are shared with active education providers",
            ))
        }
        None => {
            return Err(ApiError::validation(
                "organisation_id",
                "unknown",
                "no organisation has this id",
            ))
        }
    }
    let shares = repo::active_shares(conn, std::slice::from_ref(&current.id))?;
    if shares
        .iter()
        .any(|share| share.organisation_id == input.organisation_id)
    {
        return Err(ApiError::Conflict(
            "The certificate is already shared with this organisation.".to_owned(),
        ));
    }
    let at = now();
    repo::insert_share(
        conn,
        &ShareRow {
            id: Uuid::now_v7().to_string(),
            certificate_id: current.id.clone(),
            organisation_id: input.organisation_id.clone(),
            consent_given_on: input.consent_given_on,
            consent_method: input.consent_method,
            shared_at: at,
            ended_at: None,
        },
    )?;
    audit::record(
        conn,
        actor,
        Change::new(
            "share",
            RESOURCE,
            &current.id,
            Some(&current.issuer_organisation_id),
        ),
    )?;
    repo::append_events(
        conn,
        &current.id,
        FeedEventKind::Shared,
        Some(&input.organisation_id),
        &[
            current.issuer_organisation_id.clone(),
            input.organisation_id.clone(),
        ],
        at,
    )
    .map_err(ApiError::from)
}

/// Ends sharing with `organisation_id`.
pub fn unshare(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &CertificateRow,
    organisation_id: &str,
) -> Result<(), ApiError> {
    let at = now();
    if !repo::end_share(conn, &current.id, organisation_id, at)? {
        return Err(ApiError::NotFound { resource: "share" });
    }
    audit::record(
        conn,
        actor,
        Change::new(
            "unshare",
            RESOURCE,
            &current.id,
            Some(&current.issuer_organisation_id),
        ),
    )?;
    repo::append_events(
        conn,
        &current.id,
        FeedEventKind::Unshared,
        Some(organisation_id),
        &[current.issuer_organisation_id.clone(), organisation_id.to_owned()],
        at,
    )
    .map_err(ApiError::from)
}

fn seal(key: &PersonalDataKey, value: &str) -> Result<String, ApiError> {
    key.encrypt(value).map_err(protection_failed)
}

fn open(key: &PersonalDataKey, sealed: Option<&str>) -> Result<Option<String>, ApiError> {
    sealed
        .map(|sealed| key.decrypt(sealed))
        .transpose()
        .map_err(protection_failed)
}

/// The holder's personal data as stored sealed: identity code, birth date and learner OID.
struct HolderSecrets {
    hetu: Option<String>,
    date_of_birth: NaiveDate,
    learner_oid: Option<String>,
}

fn open_holder(row: &CertificateRow, key: &PersonalDataKey) -> Result<HolderSecrets, ApiError> {
    let date_of_birth = open(key, row.holder_birth_date_encrypted.as_deref())?
        .and_then(|date| date.parse().ok())
        .ok_or_else(|| ApiError::internal(format!("certificate {} has no readable birth date", row.id)))?;
    Ok(HolderSecrets {
        hetu: open(key, row.holder_hetu_encrypted.as_deref())?,
        date_of_birth,
        learner_oid: open(key, row.holder_learner_oid.as_deref())?,
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text)
        .map_err(|error| ApiError::internal(format!("stored JSON does not parse: {error}")))
}

/// The content of a certificate as input, for a merge patch or a correction.
pub fn input_of(
    conn: &mut DbConnection,
    row: &CertificateRow,
    key: &PersonalDataKey,
) -> Result<CertificateInput, ApiError> {
    let (units, environments) = repo::children(conn, std::slice::from_ref(&row.id))?;
    let secrets = open_holder(row, key)?;
    Ok(CertificateInput {
        issuer_organisation_id: Some(row.issuer_organisation_id.clone()),
        holder: HolderInput {
            given_names: row.holder_given_names.clone(),
            family_name: row.holder_family_name.clone(),
            date_of_birth: secrets.date_of_birth,
            hetu: secrets.hetu,
            learner_oid: secrets.learner_oid,
        },
        learning_environment_ids: environments.into_iter().map(|link| link.environment_id).collect(),
        programme_reference: row.programme_reference.clone(),
        start_date: row.start_date,
        end_date: row.end_date,
        hours: row.hours,
        coach: CoachInput {
            name: row.coach_name.clone(),
            title: row.coach_title.clone(),
        },
        language: row.language,
        units: units
            .into_iter()
            .map(|unit| {
                Ok(CertificateUnitInput {
                    skills: parse_json::<Vec<SkillInput>>(&unit.skills)?,
                    qualification: unit.qualification_code,
                    unit: unit.unit_code,
                    description: unit.description,
                    hours: unit.hours,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        other_competences: parse_json::<Vec<OtherCompetenceInput>>(&row.other_competences)?,
    })
}

fn utc(at: NaiveDateTime) -> chrono::DateTime<Utc> {
    at.and_utc()
}

/// Certificates as their readers see them; `shows_shares` tells for an issuer id whether the
/// reader sees whom it shared them with.
pub fn views(
    conn: &mut DbConnection,
    rows: Vec<CertificateRow>,
    key: &PersonalDataKey,
    shows_shares: impl Fn(&str) -> bool,
) -> Result<Vec<Certificate>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
    let (units, links) = repo::children(conn, &ids)?;
    let shares = repo::active_shares(conn, &ids)?;
    let environment_ids: Vec<String> = links.iter().map(|link| link.environment_id.clone()).collect();
    let environment_rows = environments::find_many(conn, &environment_ids)?;
    let mut organisation_ids: Vec<String> = rows
        .iter()
        .map(|row| row.issuer_organisation_id.clone())
        .collect();
    organisation_ids.extend(shares.iter().map(|share| share.organisation_id.clone()));
    let organisations = organisations::summaries(conn, &organisation_ids)?;
    let names = repo::unit_names(conn, &units)?;
    let organisation = |id: &str| {
        organisations
            .get(id)
            .cloned()
            .ok_or_else(|| ApiError::internal(format!("organisation {id} is missing")))
    };
    let mut units_by_certificate: HashMap<&str, Vec<&UnitRow>> = HashMap::new();
    for unit in &units {
        units_by_certificate
            .entry(unit.certificate_id.as_str())
            .or_default()
            .push(unit);
    }
    rows.into_iter()
        .map(|row| {
            let units = units_by_certificate
                .get(row.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|unit| {
                    Ok(CertificateUnit {
                        qualification: names.qualification(&unit.qualification_code),
                        unit: names.unit(&unit.unit_code),
                        description: unit.description.clone(),
                        skills: parse_json(&unit.skills)?,
                        hours: unit.hours,
                    })
                })
                .collect::<Result<_, ApiError>>()?;
            let learning_environments = links
                .iter()
                .filter(|link| link.certificate_id == row.id)
                .filter_map(|link| {
                    environment_rows
                        .iter()
                        .find(|environment| environment.id == link.environment_id)
                })
                .map(|environment| CertificateEnvironment {
                    id: environment.id.clone(),
                    name: localized(&environment.name_fi, &environment.name_sv, &environment.name_en),
                    municipality: environment.municipality_code.clone(),
                })
                .collect();
            let shares = if shows_shares(&row.issuer_organisation_id) {
                shares
                    .iter()
                    .filter(|share| share.certificate_id == row.id)
                    .map(|share| {
                        Ok(Share {
                            organisation: organisation(&share.organisation_id)?,
                            consent_given_on: share.consent_given_on,
                            consent_method: share.consent_method,
                            shared_at: utc(share.shared_at),
                        })
                    })
                    .collect::<Result<_, ApiError>>()?
            } else {
                Vec::new()
            };
            let secrets = open_holder(&row, key)?;
            Ok(Certificate {
                status: row.status,
                issuer: organisation(&row.issuer_organisation_id)?,
                holder: Holder {
                    hetu: secrets.hetu,
                    given_names: row.holder_given_names.clone(),
                    family_name: row.holder_family_name.clone(),
                    date_of_birth: secrets.date_of_birth,
                    learner_oid: secrets.learner_oid,
                },
                learning_environments,
                programme_reference: row.programme_reference.clone(),
                start_date: row.start_date,
                end_date: row.end_date,
                hours: row.hours,
                coach: CoachInput {
                    name: row.coach_name.clone(),
                    title: row.coach_title.clone(),
                },
                language: row.language,
                units,
                other_competences: parse_json(&row.other_competences)?,
                shares,
                verification_code: row.verification_code.clone(),
                supersedes: row.supersedes_id.clone(),
                superseded_by: row.superseded_by_id.clone(),
                issued_at: row.issued_at.map(utc),
                revoked_at: row.revoked_at.map(utc),
                revocation_reason: row.revocation_reason.clone(),
                version: row.version,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
                id: row.id,
            })
        })
        .collect()
}

/// Records that `actor` read the personal data of these certificates.
/// A search by identity code, found or not: who searched and when, never the code.
pub fn record_search(
    conn: &mut DbConnection,
    actor: &Actor,
    searcher_organisation_id: Option<&str>,
) -> Result<(), ApiError> {
    let id = Uuid::now_v7().to_string();
    audit::record(
        conn,
        actor,
        Change::new("search", "certificate_search", &id, searcher_organisation_id),
    )?;
    Ok(())
}

pub fn record_reads(conn: &mut DbConnection, actor: &Actor, rows: &[CertificateRow]) -> Result<(), ApiError> {
    for row in rows {
        audit::record(
            conn,
            actor,
            Change::new("read", RESOURCE, &row.id, Some(&row.issuer_organisation_id)),
        )?;
    }
    Ok(())
}
