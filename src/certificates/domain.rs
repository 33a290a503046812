//! The rules of certificates' content: checks, drafts and their writes, and the helpers the
//! lifecycle, sharing and views share: sealing, the feed's audience.

use chrono::NaiveDateTime;
use uuid::Uuid;

use super::{
    dto::{CertificateInput, CertificateStatus, RequirementShown, Skill, SkillInput},
    model::{CertificateRow, ContentChanges, EnvironmentLinkRow, UnitRow},
    protection::PersonalDataKey,
    repo,
};
use crate::{
    audit::{self, Actor, Change},
    db::{now, today, DbConnection},
    environments::repo as environments,
    error::{ApiError, FieldError},
    identifiers,
    organisations::repo as organisations,
    reference::{self, model::UnitRequirementRow},
};

pub const NOT_FOUND: ApiError = ApiError::NotFound {
    resource: "certificate",
};
/// The audit log's name of certificates.
pub const RESOURCE: &str = "certificate";

pub(super) fn protection_failed(error: super::protection::ProtectionError) -> ApiError {
    ApiError::internal(error.to_string())
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|error| ApiError::internal(error.to_string()))
}

/// Checks the holder's identifiers and dates; returns the canonical identity code when one was
/// given, and makes the learner OID canonical.
fn check_holder(input: &mut CertificateInput, errors: &mut Vec<FieldError>) -> Option<String> {
    let holder = &mut input.holder;
    let hetu = match holder.hetu.as_deref().map(identifiers::personal_identity_code) {
        None => None,
        Some(Ok(code)) => {
            if code.birth_date != holder.date_of_birth {
                errors.push(FieldError::new(
                    "holder.date_of_birth",
                    "mismatch",
                    "does not agree with the personal identity code",
                ));
            }
            Some(code.code)
        }
        Some(Err(message)) => {
            errors.push(FieldError::new("holder.hetu", "hetu", message));
            None
        }
    };
    if let Some(oid) = &holder.learner_oid {
        match identifiers::learner_oid(oid) {
            Ok(oid) => holder.learner_oid = Some(oid),
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
    hetu
}

/// Every text the printed certificate shows, by the field it comes from.
fn printed_texts(input: &CertificateInput) -> Vec<(String, &str)> {
    let mut texts = vec![
        ("holder.given_names".to_owned(), input.holder.given_names.as_str()),
        ("holder.family_name".to_owned(), input.holder.family_name.as_str()),
        ("coach.name".to_owned(), input.coach.name.as_str()),
    ];
    let optional = [
        ("coach.title".to_owned(), input.coach.title.as_deref()),
        (
            "programme_reference".to_owned(),
            input.programme_reference.as_deref(),
        ),
    ];
    texts.extend(
        optional
            .into_iter()
            .filter_map(|(field, text)| Some((field, text?))),
    );
    for (index, unit) in input.units.iter().enumerate() {
        texts.push((format!("units[{index}].description"), &unit.description));
        for (skill_index, skill) in unit.skills.iter().enumerate() {
            if let Some(text) = &skill.text {
                texts.push((format!("units[{index}].skills[{skill_index}].text"), text));
            }
        }
    }
    for (index, competence) in input.other_competences.iter().enumerate() {
        let field = |name: &str| format!("other_competences[{index}].{name}");
        texts.push((field("name"), &competence.name));
        let optional = [
            ("framework", competence.framework.as_deref()),
            ("code", competence.code.as_deref()),
            ("description", competence.description.as_deref()),
        ];
        texts.extend(
            optional
                .into_iter()
                .filter_map(|(name, text)| Some((field(name), text?))),
        );
    }
    texts
}

/// Text the certificate's font cannot print is refused, rather than printed as empty boxes.
fn check_printable(input: &CertificateInput, errors: &mut Vec<FieldError>) {
    for (field, text) in printed_texts(input) {
        let missing = crate::pdf::font::unprintable(text);
        if !missing.is_empty() {
            let letters: Vec<String> = missing
                .iter()
                .map(|c| format!("{c} (U+{:04X})", u32::from(*c)))
                .collect();
            errors.push(FieldError::new(
                field,
                "unprintable",
                format!(
                    "the printed certificate cannot show {}: its font covers the Latin, Greek and Cyrillic alphabets",
                    letters.join(", ")
                ),
            ));
        }
    }
}

/// Checks the units and learning environments a certificate names.
fn check_references(
    conn: &mut DbConnection,
    issuer: &str,
    input: &mut CertificateInput,
    errors: &mut Vec<FieldError>,
) -> Result<(), ApiError> {
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
        let field = format!("learning_environment_ids[{index}]");
        match found.iter().find(|environment| &environment.id == id) {
            Some(environment) if environment.organisation_id == issuer => {}
            Some(_) => errors.push(FieldError::new(
                field,
                "not_own",
                "the learning environment belongs to another organisation",
            )),
            None => errors.push(FieldError::new(
                field,
                "unknown",
                format!("no learning environment has the id {id:?}"),
            )),
        }
    }
    Ok(())
}

/// The skills of each unit as the certificate keeps them: a requirement named by position is
/// looked up among the unit's imported requirements, and its wording kept.
fn resolve_skills(
    conn: &mut DbConnection,
    input: &CertificateInput,
    errors: &mut Vec<FieldError>,
) -> Result<Vec<Vec<Skill>>, ApiError> {
    let mut resolved = Vec::with_capacity(input.units.len());
    for (index, unit) in input.units.iter().enumerate() {
        let named = unit.skills.iter().any(|skill| skill.requirement.is_some());
        let requirements = match named {
            true => reference::repo::requirements_of(conn, &unit.unit)?,
            false => Vec::new(),
        };
        let skills = unit.skills.iter().enumerate().map(|(skill_index, skill)| {
            let field = format!("units[{index}].skills[{skill_index}]");
            resolve_skill(skill, (&unit.unit, &requirements), field, errors)
        });
        resolved.push(skills.collect());
    }
    Ok(resolved)
}

/// One skill as kept; what is wrong with it goes to `errors` under `field`.
fn resolve_skill(
    skill: &SkillInput,
    (unit, requirements): (&str, &[UnitRequirementRow]),
    field: String,
    errors: &mut Vec<FieldError>,
) -> Skill {
    let requirement = match skill.requirement {
        None if skill.text.is_none() => {
            errors.push(FieldError::new(
                field,
                "empty",
                "give the skill's text, its requirement or both",
            ));
            None
        }
        None => None,
        Some(position) => {
            let found = requirements.iter().find(|row| row.position == position);
            if found.is_none() {
                errors.push(FieldError::new(
                    format!("{field}.requirement"),
                    "unknown",
                    format!(
                        "the unit {unit} has {} imported requirements; there is no requirement {position}",
                        requirements.len()
                    ),
                ));
            }
            found.map(|row| RequirementShown {
                position,
                text: crate::text::localized(&row.text_fi, &row.text_sv, &row.text_en),
            })
        }
    };
    Skill {
        text: skill.text.as_deref().map(|text| text.trim().to_owned()),
        requirement_code: skill.requirement_code.clone(),
        requirement,
    }
}

/// A certificate's content once checked: the holder's code (canonical) when one was given, and
/// the skills of each unit as kept.
struct Checked {
    hetu: Option<String>,
    skills: Vec<Vec<Skill>>,
}

/// Checks a certificate's content.
fn check(conn: &mut DbConnection, issuer: &str, input: &mut CertificateInput) -> Result<Checked, ApiError> {
    let mut errors = Vec::new();
    let hetu = check_holder(input, &mut errors);
    check_printable(input, &mut errors);
    check_references(conn, issuer, input, &mut errors)?;
    let skills = resolve_skills(conn, input, &mut errors)?;
    if errors.is_empty() {
        Ok(Checked { hetu, skills })
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
        holder_learner_oid_index: input
            .holder
            .learner_oid
            .as_deref()
            .map(|oid| key.blind_index(oid)),
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
    skills: &[Vec<Skill>],
) -> Result<(Vec<UnitRow>, Vec<EnvironmentLinkRow>), ApiError> {
    let units = input
        .units
        .iter()
        .zip(skills)
        .zip(0..)
        .map(|((unit, skills), position)| {
            Ok(UnitRow {
                certificate_id: id.to_owned(),
                position,
                qualification_code: unit.qualification.clone(),
                unit_code: unit.unit.clone(),
                description: unit.description.clone(),
                skills: to_json(skills)?,
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
    let checked = check(conn, issuer, &mut input)?;
    let id = Uuid::now_v7().to_string();
    let at = now();
    let content = content_changes(&input, checked.hetu.as_deref(), key, 1, at)?;
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
            holder_subject_id: None,
            holder_learner_oid_index: content.holder_learner_oid_index,
            imported: false,
        },
    )?;
    let (units, environments) = children_of(&id, &input, &checked.skills)?;
    repo::insert_children(conn, &units, &environments)?;
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
    let checked = check(conn, &current.issuer_organisation_id, &mut input)?;
    let changes = content_changes(&input, checked.hetu.as_deref(), key, current.version + 1, now())?;
    if !repo::update_content(conn, &current.id, current.version, &changes)? {
        return Err(ApiError::PreconditionFailed);
    }
    let (units, environments) = children_of(&current.id, &input, &checked.skills)?;
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
pub(super) fn audience(conn: &mut DbConnection, row: &CertificateRow) -> Result<Vec<String>, ApiError> {
    let mut audience = vec![row.issuer_organisation_id.clone()];
    for share in repo::active_shares(conn, std::slice::from_ref(&row.id))? {
        if !audience.contains(&share.organisation_id) {
            audience.push(share.organisation_id);
        }
    }
    Ok(audience)
}

pub(super) fn seal(key: &PersonalDataKey, value: &str) -> Result<String, ApiError> {
    key.encrypt(value).map_err(protection_failed)
}

pub(super) fn open(key: &PersonalDataKey, sealed: Option<&str>) -> Result<Option<String>, ApiError> {
    sealed
        .map(|sealed| key.decrypt(sealed))
        .transpose()
        .map_err(protection_failed)
}
