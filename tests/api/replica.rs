//! Public reads from a read replica (`DATABASE_READ_URL`): anonymous public reads go there,
//! everything else to the primary, and a replica that is down leaves the primary to answer.

use awc::http::StatusCode;
use serde_json::json;

use crate::{
    catalogue::ids,
    environments::{cast, create_environment},
    helpers::{spawn_app, spawn_app_with, Backend},
    recognitions::recognise_units,
};

const SEARCH: &str = "/v1/catalogue/learning-environments?unit=SAMPLE-107";

/// The "replica" here is another service's database: what an anonymous caller reads shows which
/// database answered.
#[actix_web::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "a PostgreSQL variant: set TEST_DATABASE_URL to run it"
)]
async fn anonymous_public_reads_go_to_the_replica_and_the_rest_to_the_primary() {
    let Some((other, other_environment)) = spawn_app(Backend::Postgres).await else {
        return;
    };
    let replica_url = other.database_url.clone();
    let (app, environment) = spawn_app_with(Backend::Postgres, |config| {
        config.database_read_url = Some(replica_url);
    })
    .await
    .expect("PostgreSQL is configured");
    let cast = cast(&app).await;
    let kitchen = create_environment(&app, &cast.workshop_token, json!({"name": {"fi": "Keittiö"}})).await;
    recognise_units(&app, &cast.provider_token, &kitchen, &["SAMPLE-107"]).await;

    let anonymous = app.get(SEARCH).await;
    assert_eq!(anonymous.status, StatusCode::OK, "{}", anonymous.text);
    assert_eq!(
        ids(&anonymous),
        Vec::<String>::new(),
        "the replica answers anonymous reads"
    );
    let signed_in = app.get_as(Some(&cast.workshop_token), SEARCH).await;
    assert_eq!(
        ids(&signed_in),
        vec![kitchen.clone()],
        "the primary answers its callers"
    );
    assert_eq!(ids(&other.get(SEARCH).await), Vec::<String>::new());
    let regions = app.get("/v1/regions").await;
    assert_eq!(regions.status, StatusCode::OK, "{}", regions.text);

    environment.shut_down().await;
    other_environment.shut_down().await;
}

#[actix_web::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "a PostgreSQL variant: set TEST_DATABASE_URL to run it"
)]
async fn a_replica_that_is_down_leaves_public_reads_to_the_primary() {
    let Some((app, environment)) = spawn_app_with(Backend::Postgres, |config| {
        config.database_read_url = Some("postgres://postgres@127.0.0.1:1/nowhere".to_owned());
    })
    .await
    else {
        return;
    };
    let cast = cast(&app).await;
    let kitchen = create_environment(&app, &cast.workshop_token, json!({"name": {"fi": "Keittiö"}})).await;
    recognise_units(&app, &cast.provider_token, &kitchen, &["SAMPLE-107"]).await;
    for _ in 0..3 {
        let anonymous = app.get(SEARCH).await;
        assert_eq!(anonymous.status, StatusCode::OK, "{}", anonymous.text);
        assert_eq!(ids(&anonymous), vec![kitchen.clone()]);
        let unit = app.get("/v1/qualification-units/SAMPLE-107").await;
        assert_eq!(unit.status, StatusCode::OK, "{}", unit.text);
        let signatories = app.get("/v1/signatories?region=04").await;
        assert_eq!(signatories.status, StatusCode::OK, "{}", signatories.text);
    }
    environment.shut_down().await;
}
