use diesel::prelude::*;

use super::dto::{AuditFilter, AuditRow};
use crate::{db::DbConnection, pagination::PageRequest, schema::audit_log};

/// Entries in the order they were written; `owner` limits them to one organisation's records.
pub fn list(
    conn: &mut DbConnection,
    owner: Option<&str>,
    filter: &AuditFilter,
    page: &PageRequest<String>,
) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_log::table.select(AuditRow::as_select()).into_boxed();
    if let Some(owner) = owner {
        query = query.filter(audit_log::owner_organisation_id.eq(owner.to_owned()));
    }
    if let Some(resource_type) = &filter.resource_type {
        query = query.filter(audit_log::resource_type.eq(resource_type.clone()));
    }
    if let Some(resource_id) = &filter.resource_id {
        query = query.filter(audit_log::resource_id.eq(resource_id.clone()));
    }
    if let Some(client_id) = &filter.client_id {
        query = query.filter(audit_log::client_id.eq(client_id.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::occurred_at.ge(from.naive_utc()));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::occurred_at.lt(to.naive_utc()));
    }
    if let Some(after) = &page.after {
        query = query.filter(audit_log::id.gt(after.clone()));
    }
    query.order(audit_log::id).limit(page.fetch_limit()).load(conn)
}
