//! Certificates as their readers see them, and the audit of who read personal data.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::GroupedBy;
use uuid::Uuid;

use super::domain::{open, RESOURCE};
use super::{
    dto::{
        Certificate, CertificateEnvironment, CertificateInput, CertificateUnit, CertificateUnitInput,
        CoachInput, Holder, HolderInput, OtherCompetenceInput, ReadPurpose, Share, Skill, SkillInput,
    },
    model::{parse_json, CertificateRow, Children, EnvironmentLinkRow, LinkedEnvironment, ShareRow, UnitRow},
    protection::PersonalDataKey,
    repo,
};
use crate::{
    audit::{self, Actor, Change},
    db::DbConnection,
    error::ApiError,
    lookups::Lookups,
    organisations::dto::OrganisationSummary,
    reference::repo::Names,
    text::localized,
};

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
                    skills: parse_json::<Vec<Skill>>(&unit.skills)?
                        .into_iter()
                        .map(|skill| SkillInput {
                            text: skill.text,
                            requirement_code: skill.requirement_code,
                            requirement: skill.requirement.map(|shown| shown.position),
                        })
                        .collect(),
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

/// What the views of a page of certificates look up: found once for the page.
struct Found {
    organisations: HashMap<String, OrganisationSummary>,
    names: Names,
}

impl Found {
    fn organisation(&self, id: &str) -> Result<OrganisationSummary, ApiError> {
        self.organisations
            .get(id)
            .cloned()
            .ok_or_else(|| ApiError::internal(format!("organisation {id} is missing")))
    }
}

/// Certificates as their readers see them; `shows_shares` tells for an issuer id whether the
/// reader sees whom it shared them with.
pub fn views(
    conn: &mut DbConnection,
    lookups: &Lookups,
    rows: Vec<CertificateRow>,
    key: &PersonalDataKey,
    shows_shares: impl Fn(&str) -> bool,
) -> Result<Vec<Certificate>, ApiError> {
    let version = Lookups::version(conn)?;
    let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
    let units = repo::units_of(conn, &ids)?;
    let environments = repo::environments_of(conn, &ids)?;
    let shares = repo::active_shares(conn, &ids)?;
    let children = units
        .grouped_by(&rows)
        .into_iter()
        .zip(environments.grouped_by(&rows))
        .zip(shares.grouped_by(&rows))
        .map(|((units, environments), shares)| Children {
            units,
            environments,
            shares,
        });
    let certificates: Vec<(CertificateRow, Children)> = rows.into_iter().zip(children).collect();
    views_of(conn, (lookups, version), certificates, key, shows_shares)
}

/// A certificate read whole ([`repo::find_whole`]) as its reader sees it.
pub fn whole_view(
    conn: &mut DbConnection,
    lookups: &Lookups,
    whole: repo::Whole,
    key: &PersonalDataKey,
    shows_shares: impl Fn(&str) -> bool,
) -> Result<Certificate, ApiError> {
    let version = whole.catalogue_version;
    views_of(
        conn,
        (lookups, version),
        vec![(whole.row, whole.children)],
        key,
        shows_shares,
    )?
    .pop()
    .ok_or_else(|| ApiError::internal("a certificate read whole has no view"))
}

/// The views of certificates whose child rows are loaded, naming what they name once for all.
fn views_of(
    conn: &mut DbConnection,
    (lookups, version): (&Lookups, i64),
    certificates: Vec<(CertificateRow, Children)>,
    key: &PersonalDataKey,
    shows_shares: impl Fn(&str) -> bool,
) -> Result<Vec<Certificate>, ApiError> {
    let mut organisation_ids = Vec::new();
    let (mut qualification_codes, mut unit_codes) = (Vec::new(), Vec::new());
    for (row, children) in &certificates {
        organisation_ids.push(row.issuer_organisation_id.clone());
        organisation_ids.extend(children.shares.iter().map(|share| share.organisation_id.clone()));
        let (qualifications, units) = repo::codes_of(&children.units);
        qualification_codes.extend(qualifications);
        unit_codes.extend(units);
    }
    let found = Found {
        organisations: lookups.organisations(conn, version, &organisation_ids)?,
        names: lookups.names(conn, version, &qualification_codes, &unit_codes)?,
    };
    certificates
        .into_iter()
        .map(|(row, children)| {
            let shows = shows_shares(&row.issuer_organisation_id);
            view(row, children, &found, key, shows)
        })
        .collect()
}

fn unit_view(unit: UnitRow, names: &Names) -> Result<CertificateUnit, ApiError> {
    Ok(CertificateUnit {
        qualification: names.qualification(&unit.qualification_code),
        unit: names.unit(&unit.unit_code),
        skills: parse_json(&unit.skills)?,
        description: unit.description,
        hours: unit.hours,
    })
}

fn environment_view((_, environment): (EnvironmentLinkRow, LinkedEnvironment)) -> CertificateEnvironment {
    CertificateEnvironment {
        name: localized(&environment.name_fi, &environment.name_sv, &environment.name_en),
        id: environment.id,
        municipality: environment.municipality_code,
    }
}

fn share_view(share: ShareRow, found: &Found) -> Result<Share, ApiError> {
    Ok(Share {
        organisation: found.organisation(&share.organisation_id)?,
        consent_given_on: share.consent_given_on,
        consent_method: share.consent_method,
        shared_at: utc(share.shared_at),
        study_right_oid: share.study_right_oid,
    })
}

fn view(
    row: CertificateRow,
    children: Children,
    found: &Found,
    key: &PersonalDataKey,
    shows_shares: bool,
) -> Result<Certificate, ApiError> {
    let learning_environments = children.environments.into_iter().map(environment_view).collect();
    let shares = match shows_shares {
        true => children
            .shares
            .into_iter()
            .map(|share| share_view(share, found))
            .collect::<Result<_, ApiError>>()?,
        false => Vec::new(),
    };
    let secrets = open_holder(&row, key)?;
    Ok(Certificate {
        status: row.status,
        issuer: found.organisation(&row.issuer_organisation_id)?,
        holder: Holder {
            hetu: secrets.hetu,
            given_names: row.holder_given_names,
            family_name: row.holder_family_name,
            date_of_birth: secrets.date_of_birth,
            learner_oid: secrets.learner_oid,
        },
        learning_environments,
        programme_reference: row.programme_reference,
        start_date: row.start_date,
        end_date: row.end_date,
        hours: row.hours,
        coach: CoachInput {
            name: row.coach_name,
            title: row.coach_title,
        },
        language: row.language,
        units: children
            .units
            .into_iter()
            .map(|unit| unit_view(unit, &found.names))
            .collect::<Result<_, ApiError>>()?,
        other_competences: parse_json(&row.other_competences)?,
        shares,
        verification_code: row.verification_code,
        supersedes: row.supersedes_id,
        superseded_by: row.superseded_by_id,
        issued_at: row.issued_at.map(utc),
        imported: row.imported,
        revoked_at: row.revoked_at.map(utc),
        revocation_reason: row.revocation_reason,
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        id: row.id,
        holder_access: None,
    })
}

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

/// Records that `actor` read the personal data of these certificates.
pub fn record_reads(
    conn: &mut DbConnection,
    actor: &Actor,
    rows: &[CertificateRow],
    purpose: ReadPurpose,
) -> Result<(), ApiError> {
    for row in rows {
        record_read(conn, actor, (&row.id, &row.issuer_organisation_id), purpose)?;
    }
    Ok(())
}

/// Records that `actor` read the personal data of the certificate `id` of `issuer`.
pub fn record_read(
    conn: &mut DbConnection,
    actor: &Actor,
    (id, issuer): (&str, &str),
    purpose: ReadPurpose,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        actor,
        Change::new(purpose.as_str(), RESOURCE, id, Some(issuer)),
    )?;
    Ok(())
}
