//! How programmes read: stored rows as the API shows them to each viewer, and as the input that recreates them.

use std::collections::HashMap;

use diesel::GroupedBy;

use super::domain::NOT_FOUND;
use super::{
    dto::{Funder, Programme, ProgrammeInput},
    model::{FunderRow, MunicipalityLinkRow, PartnerRow, ProgrammeRow, RegionLinkRow},
    repo::{self, Children},
};
use crate::{
    auth::Caller,
    db::DbConnection,
    error::ApiError,
    organisations::{dto::OrganisationSummary, repo as organisations},
    text::localized,
};

/// The input that recreates a programme as it is: the base a merge patch applies to.
pub fn input_of(row: &ProgrammeRow, children: &Children) -> ProgrammeInput {
    ProgrammeInput {
        name: localized(&row.name_fi, &row.name_sv, &row.name_en),
        description: row.description.clone(),
        administrator_organisation_id: Some(row.administrator_organisation_id.clone()),
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        status: row.status,
        funders: children
            .funders
            .iter()
            .map(|funder| super::dto::FunderInput {
                name: funder.name.clone(),
                instrument: funder.instrument,
                decision_reference: funder.decision_reference.clone(),
            })
            .collect(),
        regions: children
            .regions
            .iter()
            .map(|link| link.region_code.clone())
            .collect(),
        municipalities: children
            .municipalities
            .iter()
            .map(|link| link.municipality_code.clone())
            .collect(),
        partners: children
            .partners
            .iter()
            .map(|partner| partner.organisation_id.clone())
            .collect(),
    }
}

/// One programme's own lists.
struct Own {
    funders: Vec<FunderRow>,
    regions: Vec<RegionLinkRow>,
    municipalities: Vec<MunicipalityLinkRow>,
    partners: Vec<PartnerRow>,
}

fn view_of(
    row: ProgrammeRow,
    own: Own,
    summary: &dyn Fn(&str) -> Result<OrganisationSummary, ApiError>,
    viewer: Option<&Caller>,
) -> Result<Programme, ApiError> {
    let Own {
        funders,
        regions,
        municipalities,
        partners,
    } = own;
    // Invitations are shown to the administrator and to the invited organisation only.
    let sees_invitation = |partner: &PartnerRow| {
        viewer.is_some_and(|viewer| {
            viewer.acts_for(&row.administrator_organisation_id)
                || viewer.organisation_id.as_deref() == Some(&partner.organisation_id)
        })
    };
    let (accepted, invited): (Vec<PartnerRow>, Vec<PartnerRow>) = partners
        .into_iter()
        .partition(|partner| partner.accepted_at.is_some());
    Ok(Programme {
        administrator: summary(&row.administrator_organisation_id)?,
        name: localized(&row.name_fi, &row.name_sv, &row.name_en),
        funders: funders
            .into_iter()
            .map(|funder| Funder {
                name: funder.name,
                instrument: funder.instrument,
                decision_reference: funder.decision_reference,
            })
            .collect(),
        regions: regions.into_iter().map(|link| link.region_code).collect(),
        municipalities: municipalities
            .into_iter()
            .map(|link| link.municipality_code)
            .collect(),
        partners: accepted
            .iter()
            .map(|partner| summary(&partner.organisation_id))
            .collect::<Result<_, _>>()?,
        invited_partners: invited
            .iter()
            .filter(|partner| sees_invitation(partner))
            .map(|partner| summary(&partner.organisation_id))
            .collect::<Result<_, _>>()?,
        description: row.description,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        status: row.status,
        version: row.version,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
        id: row.id,
    })
}

/// API representations of programmes, their lists and organisations read in a few queries, as
/// `viewer` may see them: partners that have not accepted are shown only to the administrator
/// and to themselves.
pub fn views(
    conn: &mut DbConnection,
    rows: Vec<ProgrammeRow>,
    viewer: Option<&Caller>,
) -> Result<Vec<Programme>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
    let children = repo::children(conn, &ids)?;
    let mut organisation_ids: Vec<String> = rows
        .iter()
        .map(|row| row.administrator_organisation_id.clone())
        .chain(
            children
                .partners
                .iter()
                .map(|partner| partner.organisation_id.clone()),
        )
        .collect();
    organisation_ids.sort();
    organisation_ids.dedup();
    let summaries: HashMap<String, OrganisationSummary> = organisations::summaries(conn, &organisation_ids)?;
    let summary = |id: &str| {
        summaries
            .get(id)
            .cloned()
            .ok_or_else(|| ApiError::internal(format!("organisation {id} of a programme is missing")))
    };
    let own = children
        .funders
        .grouped_by(&rows)
        .into_iter()
        .zip(children.regions.grouped_by(&rows))
        .zip(children.municipalities.grouped_by(&rows))
        .zip(children.partners.grouped_by(&rows));
    rows.into_iter()
        .zip(own)
        .map(|(row, (((funders, regions), municipalities), partners))| {
            let own = Own {
                funders,
                regions,
                municipalities,
                partners,
            };
            view_of(row, own, &summary, viewer)
        })
        .collect()
}

pub fn view(
    conn: &mut DbConnection,
    row: ProgrammeRow,
    viewer: Option<&Caller>,
) -> Result<Programme, ApiError> {
    views(conn, vec![row], viewer)?.pop().ok_or(NOT_FOUND)
}
