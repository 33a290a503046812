//! Liveness and readiness for load balancers and orchestrators.

use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{db::Db, error::ApiError};

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct HealthStatus {
    pub status: &'static str,
}

/// Liveness: the process serves HTTP.
#[utoipa::path(tag = "operations", responses((status = 200, description = "The service is running", body = HealthStatus)))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus { status: "ok" })
}

/// Readiness: the service can reach its database. Answers 503 while it cannot, and recovers by
/// itself when the database returns.
#[utoipa::path(tag = "operations", responses((status = 200, description = "The database answers", body = HealthStatus)))]
#[get("/health/ready")]
pub async fn ready(db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    db.run(|conn| {
        conn.batch_execute("SELECT 1")
            .map_err(ApiError::database_unavailable)
    })
    .await?;
    Ok(HttpResponse::Ok().json(HealthStatus { status: "ok" }))
}
