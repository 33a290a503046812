//! How clients read: stored rows as the API shows them.

use super::{dto::Client, model::ClientRow};

impl From<ClientRow> for Client {
    fn from(row: ClientRow) -> Self {
        Self {
            scopes: row.granted_scopes(),
            client_id: row.id,
            name: row.name,
            organisation_id: row.organisation_id,
            admin: row.is_admin,
            active: row.active,
            created_at: row.created_at.and_utc(),
            last_used_at: row.last_used_at.map(|at| at.and_utc()),
            revoked_at: row.revoked_at.map(|at| at.and_utc()),
        }
    }
}
