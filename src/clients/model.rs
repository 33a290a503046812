use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::{
    auth::{parse_scopes, Scope},
    schema::api_clients,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_clients)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub organisation_id: Option<String>,
    pub is_admin: bool,
    /// Space-separated scopes.
    pub scopes: String,
    pub secret_hash: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

impl ClientRow {
    /// The scopes the client may be granted; administrators hold `admin`.
    pub fn granted_scopes(&self) -> Vec<Scope> {
        let mut scopes = parse_scopes(&self.scopes).unwrap_or_default();
        if self.is_admin && !scopes.contains(&Scope::Admin) {
            scopes.push(Scope::Admin);
            scopes.sort();
        }
        scopes
    }
}
