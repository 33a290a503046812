use diesel::prelude::*;

use super::model::ClientRow;
use crate::{db::DbConnection, pagination::PageRequest, schema::api_clients};

pub fn insert(conn: &mut DbConnection, row: &ClientRow) -> QueryResult<()> {
    diesel::insert_into(api_clients::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ClientRow>> {
    api_clients::table
        .find(id)
        .select(ClientRow::as_select())
        .first(conn)
        .optional()
}

/// Whether the client exists and is active: checked on every request its tokens make.
pub fn list(
    conn: &mut DbConnection,
    organisation_id: Option<&str>,
    page: &PageRequest<String>,
) -> QueryResult<Vec<ClientRow>> {
    let mut query = api_clients::table.select(ClientRow::as_select()).into_boxed();
    if let Some(organisation_id) = organisation_id {
        query = query.filter(api_clients::organisation_id.eq(organisation_id.to_owned()));
    }
    if let Some(after) = &page.after {
        query = query.filter(api_clients::id.gt(after.clone()));
    }
    query.order(api_clients::id).limit(page.fetch_limit()).load(conn)
}

pub fn mark_used(conn: &mut DbConnection, id: &str, at: chrono::NaiveDateTime) -> QueryResult<()> {
    diesel::update(api_clients::table.find(id))
        .set(api_clients::last_used_at.eq(Some(at)))
        .execute(conn)
        .map(drop)
}

pub fn revoke(conn: &mut DbConnection, id: &str, at: chrono::NaiveDateTime) -> QueryResult<bool> {
    diesel::update(api_clients::table.find(id).filter(api_clients::active.eq(true)))
        .set((
            api_clients::active.eq(false),
            api_clients::revoked_at.eq(Some(at)),
        ))
        .execute(conn)
        .map(|updated| updated == 1)
}

/// Every client, oldest first, for the command line.
pub fn list_all(conn: &mut DbConnection) -> QueryResult<Vec<ClientRow>> {
    api_clients::table
        .select(ClientRow::as_select())
        .order(api_clients::id)
        .load(conn)
}
