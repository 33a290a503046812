//! How agreements read: stored rows as the API shows them, and as the input that recreates them.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::GroupedBy;

use super::domain::{effective_status, today};
use super::{
    dto::{Agreement, AgreementContact, AgreementInput, AttachmentInput, Party, PartyInput, Termination},
    model::{AgreementRow, AttachmentRow, ContactRow, EnvironmentLinkRow, PartyRow, QualificationLinkRow},
    repo::{self, Children},
};
use crate::{
    db::DbConnection,
    error::ApiError,
    organisations::{dto::OrganisationSummary, repo as organisations},
};

/// The input a merge patch of a draft starts from.
pub fn input_of(row: &AgreementRow, children: &Children) -> AgreementInput {
    AgreementInput {
        reference_number: row.reference_number.clone(),
        title: row.title.clone(),
        guideline_id: row.guideline_id.clone(),
        valid_from: row.valid_from,
        valid_until: row.valid_until,
        parties: children
            .parties
            .iter()
            .map(|party| PartyInput {
                organisation_id: party.organisation_id.clone(),
                role: party.role,
            })
            .collect(),
        qualifications: children
            .qualifications
            .iter()
            .map(|q| q.qualification_code.clone())
            .collect(),
        learning_environments: children
            .environments
            .iter()
            .map(|e| e.environment_id.clone())
            .collect(),
        contacts: children.contacts.iter().map(contact).collect(),
        terms: row.terms.clone(),
        attachments: children.attachments.iter().map(attachment).collect(),
    }
}

fn contact(row: &ContactRow) -> AgreementContact {
    AgreementContact {
        organisation_id: row.organisation_id.clone(),
        name: row.name.clone(),
        role: row.role.clone(),
        email: row.email.clone(),
        phone: row.phone.clone(),
    }
}

fn attachment(row: &AttachmentRow) -> AttachmentInput {
    AttachmentInput {
        title: row.title.clone(),
        url: row.url.clone(),
    }
}

/// Builds the API view of agreements, loading their lists and parties in a fixed number of queries.
/// `full_view` tells, from an agreement's parties, whether the reader sees contacts, terms and
/// attachments.
pub fn views(
    conn: &mut DbConnection,
    rows: Vec<AgreementRow>,
    full_view: impl Fn(&[PartyRow]) -> bool,
) -> Result<Vec<Agreement>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
    let children = repo::children(conn, &ids)?;
    views_of(conn, rows, children, full_view)
}

/// One agreement's own lists.
struct Own {
    parties: Vec<PartyRow>,
    contacts: Vec<ContactRow>,
    qualifications: Vec<QualificationLinkRow>,
    environments: Vec<EnvironmentLinkRow>,
    attachments: Vec<AttachmentRow>,
}

/// [`views`] of agreements whose lists are already loaded.
pub fn views_of(
    conn: &mut DbConnection,
    rows: Vec<AgreementRow>,
    children: Children,
    full_view: impl Fn(&[PartyRow]) -> bool,
) -> Result<Vec<Agreement>, ApiError> {
    let organisation_ids: Vec<String> = children
        .parties
        .iter()
        .map(|p| p.organisation_id.clone())
        .collect();
    let names = organisations::summaries(conn, &organisation_ids)?;
    let today = today();
    let own = children
        .parties
        .grouped_by(&rows)
        .into_iter()
        .zip(children.contacts.grouped_by(&rows))
        .zip(children.qualifications.grouped_by(&rows))
        .zip(children.environments.grouped_by(&rows))
        .zip(children.attachments.grouped_by(&rows))
        .map(
            |((((parties, contacts), qualifications), environments), attachments)| Own {
                parties,
                contacts,
                qualifications,
                environments,
                attachments,
            },
        );
    Ok(rows
        .into_iter()
        .zip(own)
        .map(|(row, own)| {
            let full = full_view(&own.parties);
            view(row, own, &names, full, today)
        })
        .collect())
}

fn view(
    row: AgreementRow,
    own: Own,
    names: &HashMap<String, OrganisationSummary>,
    full: bool,
    today: NaiveDate,
) -> Agreement {
    let status = effective_status(&row, today);
    Agreement {
        parties: own
            .parties
            .iter()
            .filter_map(|party| {
                Some(Party {
                    organisation: names.get(&party.organisation_id)?.clone(),
                    role: party.role,
                    confirmed_at: party.confirmed_at.map(|at| at.and_utc()),
                    confirmed_by_client_id: party.confirmed_by_client_id.clone(),
                })
            })
            .collect(),
        qualifications: own
            .qualifications
            .into_iter()
            .map(|q| q.qualification_code)
            .collect(),
        learning_environments: own.environments.into_iter().map(|e| e.environment_id).collect(),
        contacts: full.then(|| own.contacts.iter().map(contact).collect()),
        attachments: full.then(|| own.attachments.iter().map(attachment).collect()),
        terms: if full { row.terms } else { None },
        termination: row.terminated_on.map(|terminated_on| Termination {
            terminated_on,
            reason: row.termination_reason.unwrap_or_default(),
            by_organisation_id: row.terminated_by_organisation_id,
        }),
        id: row.id,
        reference_number: row.reference_number,
        issuer_organisation_id: row.issuer_organisation_id,
        title: row.title,
        guideline_id: row.guideline_id,
        valid_from: row.valid_from,
        valid_until: row.valid_until,
        status,
        activated_at: row.activated_at.map(|at| at.and_utc()),
        version: row.version,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    }
}
