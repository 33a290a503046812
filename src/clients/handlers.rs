//! Administration of API clients over HTTP (administrators only).

use actix_web::{get, http::header, post, web, HttpResponse};

use super::{
    domain,
    dto::{Client, ClientFilter, ClientInput, CreatedClient},
    repo,
};
use crate::{
    audit::Actor,
    auth::{active_clients::ActiveClients, Caller},
    db::{write_transaction, Db},
    error::ApiError,
    extract::{Json, Query},
    idempotency::ReplayBody,
    pagination::{Page, PageRequest},
};

/// Creates an API client and returns its secret, this once: only its hash is stored. A retry with
/// the same `Idempotency-Key` answers the same client with `client_secret: null`; if the first
/// answer was lost, revoke that client and create another.
#[utoipa::path(
    tag = "administration",
    request_body = ClientInput,
    security(("oauth2" = ["admin"])),
    responses((status = 201, description = "Created; store the secret now", body = CreatedClient,
        headers(("Location" = String, description = "The client's URL"))))
)]
#[post("/admin/clients")]
pub async fn create(
    db: web::Data<Db>,
    caller: Caller,
    Json(input): Json<ClientInput>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let actor = Actor::from(&caller);
    let (row, secret) = db
        .run(move |conn| write_transaction(conn, |conn| domain::create(conn, &actor, input)))
        .await?;
    let client = Client::from(row);
    let mut response = HttpResponse::Created();
    response
        .insert_header((
            header::LOCATION,
            format!("/v1/admin/clients/{}", client.client_id),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    // A replay of the same Idempotency-Key shows the client but never the secret again.
    let replay = serde_json::to_vec(&CreatedClient {
        client: client.clone(),
        client_secret: None,
    })
    .map_err(|error| ApiError::internal(error.to_string()))?;
    response.extensions_mut().insert(ReplayBody(replay));
    Ok(response.json(CreatedClient {
        client,
        client_secret: Some(secret),
    }))
}

/// Lists API clients.
#[utoipa::path(
    tag = "administration",
    params(ClientFilter),
    security(("oauth2" = ["admin"])),
    responses((status = 200, description = "A page of clients", body = Page<Client>))
)]
#[get("/admin/clients")]
pub async fn list(
    db: web::Data<Db>,
    caller: Caller,
    Query(filter): Query<ClientFilter>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let page = PageRequest::<String>::new(filter.limit, filter.cursor.as_deref())?;
    let (rows, page) = db
        .run(move |conn| Ok((repo::list(conn, filter.organisation_id.as_deref(), &page)?, page)))
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, &page, |row| row.id.clone(), Client::from)))
}

/// Revokes an API client: its tokens stop working at once.
///
/// A client cannot revoke itself (409): the request would lock its own caller out halfway
/// through its work. Revoke it from another administrator client, or with the command line
/// (`clients revoke`).
#[utoipa::path(
    tag = "administration",
    params(("id" = String, Path, description = "Client id")),
    security(("oauth2" = ["admin"])),
    responses(
        (status = 200, description = "Revoked", body = Client),
        (status = 409, description = "The client would revoke itself", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/admin/clients/{id}/revoke")]
pub async fn revoke(
    db: web::Data<Db>,
    active_clients: web::Data<ActiveClients>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let id = id.into_inner();
    if caller.client_id == id {
        return Err(ApiError::Conflict(
            "A client cannot revoke itself: revoke it from another administrator client or with \
             the command line (clients revoke)."
                .into(),
        ));
    }
    let actor = Actor::from(&caller);
    let row = db
        .run(move |conn| write_transaction(conn, |conn| domain::revoke(conn, &actor, &id)))
        .await?;
    // Other instances hear of it from the database; this one forgets it before answering.
    active_clients.forget(Some(&row.id));
    Ok(HttpResponse::Ok().json(Client::from(row)))
}
