//! Batches: drafting (and issuing) certificates for a whole group, and revoking many at once.
//!
//! Every item is changed in its own transaction, so that an item the registry refuses leaves the
//! others done, and the answer says, item by item, what happened. A JSON batch is first held to
//! the documented shape as a whole ([`check_items`]); a CSV batch's rows are each checked on their
//! own. Under one `Idempotency-Key` a repeated batch answers the first batch's results.

use std::{future::Future, pin::Pin};

use actix_web::{dev::Payload, http::header, FromRequest, HttpRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::{
    credential::Signer, domain, dto::CertificateInput, holder_link::HolderAccess, lifecycle, policy,
    protection::PersonalDataKey, repo,
};
use crate::{
    audit::Actor,
    auth::Caller,
    db::Db,
    error::{ApiError, Problem},
    extract::{body_limit, declared_length, parse_valid, read_body},
    lookups::Lookups,
};

/// The most items a batch may hold.
pub const MAX_ITEMS: usize = 500;

/// Certificates to draft, and issue when `issue` is true.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"issue": true, "items": [{
    "holder": {"given_names": "Aino Maria", "family_name": "Virtanen", "date_of_birth": "2004-03-15", "hetu": "150304A1233"},
    "learning_environment_ids": ["0193a2b4-8d2f-7e4b-a100-6c2d3e4f5a61"],
    "start_date": "2026-02-01", "end_date": "2026-10-31", "hours": 480,
    "coach": {"name": "Maija Meikäläinen", "title": "työvalmentaja"}, "language": "fi",
    "units": [{"qualification": "351204", "unit": "SAMPLE-107", "description": "Valmisti päivittäin lounasta noin 80 ruokailijalle.", "skills": [{"text": "Valmistaa lounaan annoskortin mukaan"}], "hours": 320}]
}]}))]
pub struct BatchInput {
    /// Issue each certificate once drafted (default: leave drafts).
    #[serde(default)]
    pub issue: bool,
    /// Each a certificate as `POST /v1/certificates` takes it; each is checked on its own.
    #[validate(length(min = 1, max = 500))]
    #[schema(value_type = Vec<CertificateInput>, min_items = 1, max_items = 500)]
    pub items: Vec<serde_json::Value>,
}

/// Whether to issue the certificates of a CSV batch.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchQuery {
    /// Issue each certificate once drafted: for a CSV body, which has no `issue` member.
    pub issue: Option<bool>,
}

/// A batch as JSON ([`BatchInput`]) or as CSV (see `batch_csv`), each item with the CSV line it
/// starts on.
pub struct BatchBody {
    pub issue: bool,
    pub items: Vec<(Option<u64>, serde_json::Value)>,
}

impl FromRequest for BatchBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let media = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .map(|essence| essence.trim().to_ascii_lowercase());
        let query = serde_html_form::from_str::<BatchQuery>(req.query_string()).map_err(|error| {
            ApiError::bad_query(vec![crate::error::FieldError::new(
                "issue",
                "boolean",
                error.to_string(),
            )])
        });
        let body = read_body(payload.take(), body_limit(req), declared_length(req));
        Box::pin(async move {
            let query = query?;
            match media.as_deref() {
                Some("text/csv") => Ok(Self {
                    issue: query.issue.unwrap_or(false),
                    items: super::batch_csv::items(&body.await?, MAX_ITEMS)?
                        .into_iter()
                        .map(|item| (Some(item.line), item.value))
                        .collect(),
                }),
                Some("application/json") => {
                    let input: BatchInput = parse_valid(&body.await?)?;
                    check_items::<CertificateInput>(&input.items)?;
                    Ok(Self {
                        issue: input.issue || query.issue.unwrap_or(false),
                        items: input.items.into_iter().map(|item| (None, item)).collect(),
                    })
                }
                _ => Err(ApiError::UnsupportedMediaType {
                    expected: "application/json or text/csv",
                }),
            }
        })
    }
}

/// Refuses a JSON batch whose items do not have the documented shape, naming every field at fault
/// (`items[3].holder.hetu`): a program that sends such a batch has a bug to fix, and nothing is
/// done. What only the registry can tell (a reference, a state, a right) is then reported item by
/// item. A CSV batch is a person's spreadsheet: each of its rows is reported on its own instead.
pub fn check_items<T: serde::de::DeserializeOwned + Validate + ToSchema>(
    items: &[serde_json::Value],
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let body = serde_json::to_vec(item).map_err(|error| ApiError::internal(error.to_string()))?;
        // The schema's walk as well as serde: serde takes an array for an object, which the
        // document does not allow.
        let mut fields = crate::extract::shape_errors::<T>(item);
        match parse_valid::<T>(&body) {
            Ok(_) => {}
            Err(ApiError::Validation(more)) => {
                for error in more {
                    if !fields.iter().any(|known| known.field == error.field) {
                        fields.push(error);
                    }
                }
            }
            Err(other) => return Err(other),
        }
        errors.extend(fields.into_iter().map(|mut field| {
            field.field = format!("items[{index}].{}", field.field);
            field
        }));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Certificates to revoke, each with its reason.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{"id": "0193a2b4-c000-7000-8000-000000000001", "reason": "Annettu väärälle henkilölle."}]}))]
pub struct BatchRevokeInput {
    #[validate(length(min = 1, max = 500))]
    #[schema(value_type = Vec<RevokeItem>, min_items = 1, max_items = 500)]
    pub items: Vec<serde_json::Value>,
}

/// One certificate to revoke.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"id": "0193a2b4-c000-7000-8000-000000000001", "reason": "Annettu väärälle henkilölle."}))]
pub struct RevokeItem {
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub id: String,
    #[validate(length(min = 1, max = 2000), custom(function = "crate::text::not_blank"))]
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
}

crate::text_enum! {
    #[serde(rename_all = "snake_case")]
    pub enum ItemOutcome {
        /// Drafted.
        Created,
        /// Drafted and issued.
        Issued,
        /// Revoked.
        Revoked,
        /// Nothing changed: `problem` says why.
        Failed,
    }
}

/// What happened to one item.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"index": 0, "outcome": "issued", "id": "0193a2b4-c000-7000-8000-000000000001", "problem": null}))]
pub struct ItemResult {
    /// The item's place in `items`, from 0.
    pub index: usize,
    /// For a CSV batch, the line the item starts on (the header is line 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub outcome: ItemOutcome,
    /// The certificate's id, unless the item failed before one was made.
    pub id: Option<String>,
    /// Why the item failed, as a problem document of its own (fields named within the item).
    pub problem: Option<Problem>,
    /// For an issued item, once: the holder's access link (a retry with the same
    /// `Idempotency-Key` leaves it out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_access: Option<HolderAccess>,
}

/// One result per item, in the order of `items`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"succeeded": 1, "failed": 0, "items": [{"index": 0, "outcome": "issued", "id": "0193a2b4-c000-7000-8000-000000000001", "problem": null}]}))]
pub struct BatchResult {
    pub succeeded: usize,
    pub failed: usize,
    pub items: Vec<ItemResult>,
}

impl BatchResult {
    /// The result as a retry with the same key answers it: without the secrets shown once.
    pub fn replayed(&self) -> Self {
        let mut result = self.clone();
        for item in &mut result.items {
            item.holder_access = None;
        }
        result
    }

    fn new(items: Vec<ItemResult>) -> Self {
        let failed = items
            .iter()
            .filter(|item| item.outcome == ItemOutcome::Failed)
            .count();
        Self {
            succeeded: items.len() - failed,
            failed,
            items,
        }
    }
}

/// What making and issuing certificates needs beside the database.
pub struct Tools {
    pub key: actix_web::web::Data<PersonalDataKey>,
    pub lookups: actix_web::web::Data<Lookups>,
    pub signer: Signer,
}

/// An item done: what happened, to which certificate, and the holder's link when it was issued.
pub struct Done {
    outcome: ItemOutcome,
    id: String,
    holder_access: Option<HolderAccess>,
}

impl Done {
    fn new(outcome: ItemOutcome, id: String) -> Self {
        Self {
            outcome,
            id,
            holder_access: None,
        }
    }
}

fn result(
    (index, line): (usize, Option<u64>),
    caller: &Caller,
    done: Result<Done, (Option<String>, ApiError)>,
) -> ItemResult {
    match done {
        Ok(done) => ItemResult {
            index,
            line,
            outcome: done.outcome,
            id: Some(done.id),
            problem: None,
            holder_access: done.holder_access,
        },
        Err((id, error)) => {
            if actix_web::ResponseError::status_code(&error).is_server_error() {
                tracing::error!("a batch item failed: {error}");
            }
            ItemResult {
                index,
                line,
                outcome: ItemOutcome::Failed,
                id,
                problem: Some(error.to_problem(None, Some(&caller.request_id))),
                holder_access: None,
            }
        }
    }
}

/// Runs `one` on each item in turn and gathers the results. A database that is gone ends the
/// batch with 503: the rest would fail alike, and the caller should retry (with the same key).
async fn each<F, Fut>(
    caller: &Caller,
    items: Vec<(Option<u64>, serde_json::Value)>,
    mut one: F,
) -> Result<BatchResult, ApiError>
where
    F: FnMut(serde_json::Value) -> Fut,
    Fut: Future<Output = Result<Done, (Option<String>, ApiError)>>,
{
    let mut results = Vec::with_capacity(items.len());
    for (index, (line, item)) in items.into_iter().enumerate() {
        let done = one(item).await;
        if let Err((_, ApiError::DatabaseUnavailable(_))) = &done {
            return Err(ApiError::database_unavailable("during a batch"));
        }
        results.push(result((index, line), caller, done));
    }
    Ok(BatchResult::new(results))
}

/// Drafts (and issues) each item in a transaction of its own.
pub async fn create(
    db: &Db,
    caller: &Caller,
    input: BatchBody,
    tools: &Tools,
) -> Result<BatchResult, ApiError> {
    let issue = input.issue;
    each(caller, input.items, |item| {
        create_one(db, caller, item, issue, tools)
    })
    .await
}

async fn create_one(
    db: &Db,
    caller: &Caller,
    item: serde_json::Value,
    issue: bool,
    tools: &Tools,
) -> Result<Done, (Option<String>, ApiError)> {
    let body = serde_json::to_vec(&item).map_err(|error| (None, ApiError::internal(error.to_string())))?;
    let input: CertificateInput = parse_valid(&body).map_err(|error| (None, error))?;
    let issuer = policy::issuer_for_new(caller, input.issuer_organisation_id.as_deref())
        .map_err(|error| (None, error))?;
    let (caller, key, lookups, signer) = (
        caller.clone(),
        tools.key.clone(),
        tools.lookups.clone(),
        tools.signer.clone(),
    );
    db.write(move |conn| {
        let actor = Actor::from(&caller);
        let id = domain::create(conn, &actor, &issuer, input, None, &key)?;
        if !issue {
            return Ok(Done::new(ItemOutcome::Created, id));
        }
        let row = repo::find(conn, &id)?.ok_or(super::domain::NOT_FOUND)?;
        let secret = lifecycle::issue(conn, &actor, &row, (&signer, &key, &lookups), None)?;
        Ok(Done {
            holder_access: Some(HolderAccess::new(&signer.public_url, &id, &secret)),
            ..Done::new(ItemOutcome::Issued, id)
        })
    })
    .await
    .map_err(|error| (None, error))
}

/// Revokes each item in a transaction of its own.
pub async fn revoke(db: &Db, caller: &Caller, input: BatchRevokeInput) -> Result<BatchResult, ApiError> {
    let items = input.items.into_iter().map(|item| (None, item)).collect();
    each(caller, items, |item| revoke_one(db, caller, item)).await
}

async fn revoke_one(
    db: &Db,
    caller: &Caller,
    item: serde_json::Value,
) -> Result<Done, (Option<String>, ApiError)> {
    let body = serde_json::to_vec(&item).map_err(|error| (None, ApiError::internal(error.to_string())))?;
    let input: RevokeItem = parse_valid(&body).map_err(|error| (None, error))?;
    let id = input.id.clone();
    let caller = caller.clone();
    db.write(move |conn| {
        let current = repo::find(conn, &input.id)?.ok_or(super::domain::NOT_FOUND)?;
        policy::can_change(conn, &caller, &current)?;
        lifecycle::revoke(conn, &Actor::from(&caller), &current, &input.reason)?;
        Ok(Done::new(ItemOutcome::Revoked, current.id))
    })
    .await
    .map_err(|error| (Some(id), error))
}
