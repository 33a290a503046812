//! The rules of guidelines and their signatures.

use chrono::NaiveDateTime;
use uuid::Uuid;

use super::{
    dto::{GuidelineInput, GuidelineStatus, SignatureInput, WithdrawalInput},
    model::{GuidelineContent, GuidelineRow, NewGuideline, SignatureRow},
    repo::{self, SignatureWithOrganisation},
};
use crate::{
    audit::{self, Actor, Change},
    concurrency::IfMatch,
    db::{now, DbConnection},
    error::{ApiError, FieldError},
    organisations::repo as organisations,
    reference::repo::region_exists,
};

const NOT_FOUND: ApiError = ApiError::NotFound {
    resource: "guideline",
};

fn content(input: &GuidelineInput, version: i64, at: NaiveDateTime) -> GuidelineContent {
    let title = input.title.clone().trimmed();
    GuidelineContent {
        title_search: title.search_key(),
        title_fi: title.fi,
        title_sv: title.sv,
        title_en: title.en,
        version_label: input.version_label.trim().to_owned(),
        summary: input.summary.clone(),
        adopted_on: input.adopted_on,
        adopting_body: input.adopting_body.clone(),
        national: input.scope.national,
        full_text_url: input.full_text_url.clone(),
        version,
        updated_at: at,
    }
}

/// The scope's regions, sorted and checked against the reference data.
fn checked_regions(conn: &mut DbConnection, input: &GuidelineInput) -> Result<Vec<String>, ApiError> {
    let mut regions = input.scope.regions.clone();
    regions.sort();
    regions.dedup();
    let mut errors = Vec::new();
    for (index, region) in regions.iter().enumerate() {
        if !region_exists(conn, region)? {
            errors.push(FieldError::new(
                format!("scope.regions[{index}]"),
                "unknown_code",
                format!("no region has the code {region:?}"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(regions)
    } else {
        Err(ApiError::Validation(errors))
    }
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    owner: Option<String>,
    input: GuidelineInput,
) -> Result<(GuidelineRow, Vec<String>), ApiError> {
    let regions = checked_regions(conn, &input)?;
    let at = now();
    let id = Uuid::now_v7().to_string();
    repo::insert(
        conn,
        &NewGuideline {
            id: id.clone(),
            content: content(&input, 1, at),
            status: GuidelineStatus::Draft,
            owner_organisation_id: owner.clone(),
            created_at: at,
        },
        &regions,
    )?;
    audit::record(
        conn,
        actor,
        Change::new("guideline.create", "guideline", &id, owner.as_deref()),
    )?;
    repo::find(conn, &id)?.ok_or(NOT_FOUND)
}

/// Replaces a draft's content; only drafts are freely editable.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &GuidelineRow,
    input: GuidelineInput,
) -> Result<(GuidelineRow, Vec<String>), ApiError> {
    if current.status != GuidelineStatus::Draft {
        return Err(ApiError::Conflict(
            "Only a draft guideline can be edited; supersede it with a new version instead.".to_owned(),
        ));
    }
    let regions = checked_regions(conn, &input)?;
    if !repo::update_content(
        conn,
        &current.id,
        current.version,
        &content(&input, current.version + 1, now()),
    )? {
        return Err(ApiError::PreconditionFailed);
    }
    repo::replace_regions(conn, &current.id, &regions)?;
    audit::record(
        conn,
        actor,
        Change::new(
            "guideline.update",
            "guideline",
            &current.id,
            current.owner_organisation_id.as_deref(),
        ),
    )?;
    repo::find(conn, &current.id)?.ok_or(NOT_FOUND)
}

/// A status change: `from` must be the current status.
fn transition(
    conn: &mut DbConnection,
    actor: &Actor,
    guideline: &GuidelineRow,
    from: &[GuidelineStatus],
    to: GuidelineStatus,
    superseded_by: Option<&str>,
    action: &str,
) -> Result<(), ApiError> {
    let status = guideline.status;
    if !from.contains(&status) || guideline.superseded_by.is_some() {
        return Err(ApiError::Conflict(format!(
            "A guideline that is {} cannot be {action}.",
            if guideline.superseded_by.is_some() {
                "superseded"
            } else {
                status.as_str()
            }
        )));
    }
    if to == GuidelineStatus::OpenForSigning && guideline.adopted_on.is_none() {
        return Err(ApiError::validation(
            "adopted_on",
            "required",
            "a guideline opens for signing once it has been adopted: set adopted_on first",
        ));
    }
    if !repo::set_status(
        conn,
        &guideline.id,
        guideline.version,
        to.as_str(),
        superseded_by,
        now(),
    )? {
        return Err(ApiError::PreconditionFailed);
    }
    audit::record(
        conn,
        actor,
        Change::new(
            &format!("guideline.{action}"),
            "guideline",
            &guideline.id,
            guideline.owner_organisation_id.as_deref(),
        ),
    )?;
    Ok(())
}

pub fn open(conn: &mut DbConnection, actor: &Actor, guideline: &GuidelineRow) -> Result<(), ApiError> {
    transition(
        conn,
        actor,
        guideline,
        &[GuidelineStatus::Draft],
        GuidelineStatus::OpenForSigning,
        None,
        "open",
    )
}

pub fn close(conn: &mut DbConnection, actor: &Actor, guideline: &GuidelineRow) -> Result<(), ApiError> {
    transition(
        conn,
        actor,
        guideline,
        &[GuidelineStatus::OpenForSigning],
        GuidelineStatus::Closed,
        None,
        "close",
    )
}

/// Opens `successor` (a draft) and closes `old` in one step, `old` pointing to its successor.
pub fn supersede(
    conn: &mut DbConnection,
    actor: &Actor,
    old: &GuidelineRow,
    successor: &GuidelineRow,
) -> Result<(), ApiError> {
    if old.id == successor.id {
        return Err(ApiError::validation(
            "successor_id",
            "same",
            "a guideline cannot supersede itself",
        ));
    }
    transition(
        conn,
        actor,
        successor,
        &[GuidelineStatus::Draft],
        GuidelineStatus::OpenForSigning,
        None,
        "open",
    )?;
    transition(
        conn,
        actor,
        old,
        &[GuidelineStatus::OpenForSigning, GuidelineStatus::Closed],
        GuidelineStatus::Closed,
        Some(&successor.id),
        "supersede",
    )
}

/// Loads a guideline for a change, checking `If-Match` when the caller sent one.
pub fn load_for_change(
    conn: &mut DbConnection,
    id: &str,
    if_match: Option<&IfMatch>,
) -> Result<GuidelineRow, ApiError> {
    let (row, _) = repo::find(conn, id)?.ok_or(NOT_FOUND)?;
    if let Some(if_match) = if_match {
        if_match.check(row.version)?;
    }
    Ok(row)
}

pub fn sign(
    conn: &mut DbConnection,
    actor: &Actor,
    guideline: &GuidelineRow,
    regions: &[String],
    organisation_id: String,
    on_behalf: bool,
    input: SignatureInput,
) -> Result<SignatureWithOrganisation, ApiError> {
    if guideline.status != GuidelineStatus::OpenForSigning {
        return Err(ApiError::Conflict(
            "The guideline is not open for signing.".to_owned(),
        ));
    }
    let organisation = organisations::find(conn, &organisation_id)?.ok_or_else(|| {
        ApiError::validation("organisation_id", "unknown_id", "no organisation has this id")
    })?;
    if !organisation.0.active {
        return Err(ApiError::validation(
            "organisation_id",
            "inactive",
            "the organisation is not active",
        ));
    }
    let in_scope = guideline.national || regions.contains(&input.region);
    if !region_exists(conn, &input.region)? || !in_scope {
        return Err(ApiError::validation(
            "region",
            "out_of_scope",
            "the guideline does not apply in this region",
        ));
    }
    if repo::has_active_signature(conn, &guideline.id, &organisation_id, &input.region)? {
        return Err(ApiError::Conflict(
            "The organisation has already signed this guideline for this region.".to_owned(),
        ));
    }
    let at = now();
    let row = SignatureRow {
        id: Uuid::now_v7().to_string(),
        guideline_id: guideline.id.clone(),
        organisation_id: organisation_id.clone(),
        region_code: input.region,
        signer_name: input.signer_name.trim().to_owned(),
        signer_title: input.signer_title,
        signed_on: input.signed_on,
        commitments: input.commitments,
        recorded_on_behalf: on_behalf,
        withdrawn_on: None,
        withdrawal_reason: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    repo::insert_signature(conn, &row)?;
    audit::record(
        conn,
        actor,
        Change::new("signature.create", "signature", &row.id, Some(&organisation_id)),
    )?;
    repo::find_signature(conn, &row.id)?.ok_or(ApiError::NotFound {
        resource: "signature",
    })
}

pub fn withdraw(
    conn: &mut DbConnection,
    actor: &Actor,
    signature: &SignatureRow,
    input: WithdrawalInput,
) -> Result<SignatureWithOrganisation, ApiError> {
    if signature.withdrawn_on.is_some() {
        return Err(ApiError::Conflict(
            "The signature has already been withdrawn.".to_owned(),
        ));
    }
    if input.withdrawn_on < signature.signed_on {
        return Err(ApiError::validation(
            "withdrawn_on",
            "before_signing",
            "a signature cannot be withdrawn before it was signed",
        ));
    }
    if !repo::withdraw(
        conn,
        &signature.id,
        signature.version,
        input.withdrawn_on,
        input.reason.trim(),
        now(),
    )? {
        return Err(ApiError::PreconditionFailed);
    }
    audit::record(
        conn,
        actor,
        Change::new(
            "signature.withdraw",
            "signature",
            &signature.id,
            Some(&signature.organisation_id),
        ),
    )?;
    repo::find_signature(conn, &signature.id)?.ok_or(ApiError::NotFound {
        resource: "signature",
    })
}
