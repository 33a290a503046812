//! The public catalogue: search by unit, place, language and text, nearest first, and the view of
//! one unit by municipality.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::{
    backend_tests,
    environments::{cast, create_environment},
    helpers::TestApp,
    recognitions::recognise_units,
};

pub fn ids(reply: &crate::helpers::Reply) -> Vec<String> {
    reply.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("items in {}", reply.text))
        .iter()
        .filter_map(|item| item["id"].as_str().map(str::to_owned))
        .collect()
}

fn place(street: &str, postal_code: &str, municipality: &str, latitude: f64, longitude: f64) -> Value {
    json!({
        "address": {"street_address": street, "postal_code": postal_code, "municipality": municipality},
        "coordinates": {"latitude": latitude, "longitude": longitude}
    })
}

async fn several_units_mean_all_of_them(app: TestApp) {
    let cast = cast(&app).await;
    let both = create_environment(&app, &cast.workshop_token, json!({"name": {"fi": "Keittiö"}})).await;
    let one = create_environment(&app, &cast.workshop_token, json!({"name": {"fi": "Kahvila"}})).await;
    let none = create_environment(&app, &cast.workshop_token, json!({"name": {"fi": "Varasto"}})).await;
    recognise_units(&app, &cast.provider_token, &both, &["SAMPLE-107", "SAMPLE-104"]).await;
    recognise_units(&app, &cast.other_provider_token, &one, &["SAMPLE-107"]).await;

    let all = app.get("/v1/catalogue/learning-environments").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    assert_eq!(
        ids(&all),
        vec![both.clone(), one.clone()],
        "unrecognised {none} is not listed"
    );

    let either = app
        .get("/v1/catalogue/learning-environments?unit=SAMPLE-107")
        .await;
    assert_eq!(ids(&either), vec![both.clone(), one.clone()]);
    let together = app
        .get("/v1/catalogue/learning-environments?unit=SAMPLE-107&unit=SAMPLE-104")
        .await;
    assert_eq!(ids(&together), vec![both.clone()]);

    // Each entry lists every unit in force with its provider, whatever the filter.
    let entry = &together.body["items"][0];
    assert_eq!(entry["organisation"]["id"], cast.workshop.as_str());
    assert_eq!(entry["organisation"]["name"]["fi"], "Rauman nuorten työpaja");
    let units: Vec<(&str, &str)> = entry["recognised_units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|unit| {
            (
                unit["unit"]["code"].as_str().expect("unit"),
                unit["provider"]["id"].as_str().expect("provider"),
            )
        })
        .collect();
    assert_eq!(
        units,
        vec![
            ("SAMPLE-104", cast.provider.as_str()),
            ("SAMPLE-107", cast.provider.as_str())
        ]
    );
    assert_eq!(entry["recognised_units"][0]["qualification"]["code"], "351204");
    assert_eq!(entry["distance_km"], Value::Null);

    let by_provider = app
        .get(&format!(
            "/v1/catalogue/learning-environments?provider={}",
            cast.other_provider
        ))
        .await;
    assert_eq!(ids(&by_provider), vec![one.clone()]);
    let by_qualification = app
        .get("/v1/catalogue/learning-environments?qualification=381141&unit=SAMPLE-104")
        .await;
    assert_eq!(ids(&by_qualification), Vec::<String>::new());

    // Keyset pages in a stable order.
    let first = app.get("/v1/catalogue/learning-environments?limit=1").await;
    assert_eq!(ids(&first), vec![both.clone()]);
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let second = app
        .get(&format!(
            "/v1/catalogue/learning-environments?limit=1&cursor={cursor}"
        ))
        .await;
    assert_eq!(ids(&second), vec![one.clone()]);
    assert_eq!(second.body["next_cursor"], Value::Null);

    let unknown = app.get("/v1/catalogue/learning-environments?unit=NOPE").await;
    unknown.assert_problem(StatusCode::BAD_REQUEST, "bad-request");
    assert_eq!(unknown.error_fields(), vec!["unit"]);
}

async fn finnish_text_search_ignores_case_and_accents(app: TestApp) {
    let cast = cast(&app).await;
    let workshop = create_environment(
        &app,
        &cast.workshop_token,
        json!({"name": {"fi": "Työpaja Pyörä", "sv": "Verkstaden Cykeln"}, "description": "Polkupyörien korjausta.", "work_tasks": ["Kierrätystavaran käsittely"]}),
    )
    .await;
    let other = create_environment(
        &app,
        &cast.workshop_token,
        json!({"name": {"fi": "Kirpputori"}, "description": "Myymälä.", "work_tasks": ["kassatyö"]}),
    )
    .await;
    recognise_units(&app, &cast.provider_token, &workshop, &["SAMPLE-104"]).await;
    recognise_units(&app, &cast.provider_token, &other, &["SAMPLE-104"]).await;
    for q in [
        "työpaja",
        "tyopaja",
        "Työpaja",
        "TYÖPAJA",
        "pyora",
        "KIERRATYS",
        "cykeln",
        "korjaus",
    ] {
        let found = app
            .get(&format!("/v1/catalogue/learning-environments?q={}", urlencode(q)))
            .await;
        assert_eq!(ids(&found), vec![workshop.clone()], "q={q}: {}", found.text);
    }
    let wildcard = app.get("/v1/catalogue/learning-environments?q=%25").await;
    assert_eq!(ids(&wildcard), Vec::<String>::new());
}

/// Patches an environment at its current version.
async fn patch_environment(app: &TestApp, token: &str, id: &str, body: &Value) -> crate::helpers::Reply {
    let path = format!("/v1/learning-environments/{id}");
    let current = app.get(&path).await;
    let etag = current.header("etag").expect("etag").to_owned();
    app.patch_json_as(Some(token), &path, Some(&etag), body).await
}

async fn rename(app: &TestApp, token: &str, id: &str, name: &str) {
    let renamed = patch_environment(app, token, id, &json!({"name": {"fi": name}})).await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn near_orders_by_distance(app: TestApp) {
    let cast = cast(&app).await;
    // From Rauma's market square: the town centre, Pori (about 47 km) and Kajaani (about 420 km).
    let pori = create_environment(
        &app,
        &cast.workshop_token,
        place("Yrjönkatu 1", "28100", "609", 61.4851, 21.7974),
    )
    .await;
    let kajaani = create_environment(
        &app,
        &cast.workshop_token,
        place("Kauppakatu 1", "87100", "205", 64.2273, 27.7285),
    )
    .await;
    let rauma = create_environment(
        &app,
        &cast.workshop_token,
        place("Kuninkaankatu 1", "26100", "684", 61.1290, 21.5110),
    )
    .await;
    let nowhere = create_environment(&app, &cast.workshop_token, json!({"coordinates": null})).await;
    for environment in [&pori, &kajaani, &rauma, &nowhere] {
        recognise_units(&app, &cast.provider_token, environment, &["SAMPLE-107"]).await;
    }

    let near = "near=61.1272,21.5112";
    let close = app
        .get(&format!(
            "/v1/catalogue/learning-environments?{near}&unit=SAMPLE-107"
        ))
        .await;
    assert_eq!(close.status, StatusCode::OK, "{}", close.text);
    assert_eq!(ids(&close), vec![rauma.clone(), pori.clone()]);
    let distances: Vec<f64> = close.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["distance_km"].as_f64().expect("distance"))
        .collect();
    assert!(distances[0] < 1.0, "{distances:?}");
    assert!((40.0..50.0).contains(&distances[1]), "{distances:?}");

    let far = app
        .get(&format!(
            "/v1/catalogue/learning-environments?{near}&radius_km=500"
        ))
        .await;
    assert_eq!(ids(&far), vec![rauma.clone(), pori.clone(), kajaani.clone()]);

    // Pages follow the distance order.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => {
                format!("/v1/catalogue/learning-environments?{near}&radius_km=500&limit=1&cursor={cursor}")
            }
            None => format!("/v1/catalogue/learning-environments?{near}&radius_km=500&limit=1"),
        };
        let page = app.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        seen.extend(ids(&page));
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, vec![rauma, pori, kajaani]);

    for bad in [
        "radius_km=10",
        "near=61.1",
        "near=95,21",
        "near=north,east",
        "near=61.1,21.5&radius_km=0",
        "near=61.1,21.5&radius_km=5000",
    ] {
        let reply = app
            .get(&format!("/v1/catalogue/learning-environments?{bad}"))
            .await;
        reply.assert_problem(StatusCode::BAD_REQUEST, "bad-request");
    }
}

async fn the_catalogue_filters_by_place_language_and_sector(app: TestApp) {
    let cast = cast(&app).await;
    let rauma = create_environment(
        &app,
        &cast.workshop_token,
        json!({"languages": ["fi"], "sector": "food_services"}),
    )
    .await;
    let pori = create_environment(
        &app,
        &cast.workshop_token,
        json!({"languages": ["sv", "en"], "sector": "cleaning_services", "address": {"street_address": "Yrjönkatu 1", "postal_code": "28100", "municipality": "609"}}),
    )
    .await;
    let kajaani = create_environment(
        &app,
        &cast.workshop_token,
        json!({"languages": ["fi"], "sector": "food_services", "address": {"street_address": "Kauppakatu 1", "postal_code": "87100", "municipality": "205"}}),
    )
    .await;
    for environment in [&rauma, &pori, &kajaani] {
        recognise_units(&app, &cast.provider_token, environment, &["SAMPLE-107"]).await;
    }
    let cases = [
        ("municipality=684", vec![&rauma]),
        ("municipality=684&municipality=205", vec![&rauma, &kajaani]),
        ("region=04", vec![&rauma, &pori]),
        ("region=18", vec![&kajaani]),
        ("language=sv", vec![&pori]),
        ("language=fi&region=04", vec![&rauma]),
        ("sector=food_services", vec![&rauma, &kajaani]),
        ("unit=SAMPLE-107&municipality=609", vec![&pori]),
    ];
    for (query, expected) in cases {
        let reply = app
            .get(&format!("/v1/catalogue/learning-environments?{query}"))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.text);
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(ids(&reply), expected, "{query}");
    }
    let bad = app
        .get("/v1/catalogue/learning-environments?region=4&sector=kitchens")
        .await;
    bad.assert_problem(StatusCode::BAD_REQUEST, "bad-request");

    // An environment of an organisation that is no longer active leaves the catalogue.
    let organisation = app.get(&format!("/v1/organisations/{}", cast.workshop)).await;
    let etag = organisation.header("etag").expect("etag").to_owned();
    let deactivated = app
        .patch_json(
            &format!("/v1/organisations/{}", cast.workshop),
            Some(&etag),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.text);
    let after = app.get("/v1/catalogue/learning-environments").await;
    assert_eq!(ids(&after), Vec::<String>::new());
}

async fn a_unit_reads_by_municipality(app: TestApp) {
    let cast = cast(&app).await;
    let mut environments = Vec::new();
    for municipality in [
        ("684", "26100"),
        ("684", "26100"),
        ("609", "28100"),
        ("205", "87100"),
    ] {
        let environment = create_environment(
            &app,
            &cast.workshop_token,
            json!({"address": {"street_address": "Katu 1", "postal_code": municipality.1, "municipality": municipality.0}}),
        )
        .await;
        environments.push(environment);
    }
    for environment in &environments {
        recognise_units(&app, &cast.provider_token, environment, &["SAMPLE-107"]).await;
    }
    // A second provider recognising the same environment does not count it twice.
    recognise_units(
        &app,
        &cast.other_provider_token,
        &environments[0],
        &["SAMPLE-107"],
    )
    .await;

    let reply = app
        .get("/v1/catalogue/units/SAMPLE-107/learning-environments")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["unit"]["code"], "SAMPLE-107");
    assert_eq!(reply.body["unit"]["name"]["fi"], "Ruokapalveluissa avustaminen");
    let qualifications: Vec<&str> = reply.body["qualifications"]
        .as_array()
        .expect("qualifications")
        .iter()
        .filter_map(|q| q["code"].as_str())
        .collect();
    assert_eq!(qualifications, vec!["351204", "381113"]);
    assert_eq!(reply.body["learning_environments"], 4);
    let groups: Vec<(&str, i64, &str)> = reply.body["municipalities"]
        .as_array()
        .expect("municipalities")
        .iter()
        .map(|group| {
            (
                group["municipality"]["code"].as_str().expect("code"),
                group["learning_environments"].as_i64().expect("count"),
                group["region"].as_str().expect("region"),
            )
        })
        .collect();
    assert_eq!(groups, vec![("205", 1, "18"), ("609", 1, "04"), ("684", 2, "04")]);
    assert_eq!(
        reply.body["municipalities"][2]["municipality"]["name"]["fi"],
        "Rauma"
    );

    // Each group links to the catalogue search that lists it.
    let href = reply.body["municipalities"][2]["href"].as_str().expect("href");
    let listed = app.get(href).await;
    assert_eq!(ids(&listed), environments[..2].to_vec(), "{href}");

    let in_region = app
        .get("/v1/catalogue/units/SAMPLE-107/learning-environments?region=04")
        .await;
    assert_eq!(in_region.body["learning_environments"], 3);
    let by_provider = app
        .get(&format!(
            "/v1/catalogue/units/SAMPLE-107/learning-environments?provider={}",
            cast.other_provider
        ))
        .await;
    assert_eq!(by_provider.body["learning_environments"], 1);
    let other_unit = app
        .get("/v1/catalogue/units/SAMPLE-101/learning-environments")
        .await;
    assert_eq!(other_unit.body["learning_environments"], 0);
    assert_eq!(other_unit.body["municipalities"], json!([]));
    let unknown = app.get("/v1/catalogue/units/NOPE/learning-environments").await;
    unknown.assert_problem(StatusCode::NOT_FOUND, "not-found");
}

async fn a_unit_in_a_region_pages_and_follows_a_move(app: TestApp) {
    let cast = cast(&app).await;
    let mut in_rauma = Vec::new();
    for _ in 0..3 {
        let environment = create_environment(&app, &cast.workshop_token, json!({})).await;
        recognise_units(&app, &cast.provider_token, &environment, &["SAMPLE-107"]).await;
        in_rauma.push(environment);
    }
    let search = "/v1/catalogue/learning-environments?unit=SAMPLE-107&region=04&limit=2";
    let first = app.get(search).await;
    assert_eq!(ids(&first), in_rauma[..2].to_vec(), "{}", first.text);
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let second = app.get(&format!("{search}&cursor={cursor}")).await;
    assert_eq!(ids(&second), in_rauma[2..].to_vec(), "{}", second.text);
    assert_eq!(second.body["next_cursor"], Value::Null);

    // The first environment moves to Kajaani (Kainuu, region 18): its recognitions move with it.
    let moved = &in_rauma[0];
    let patched = patch_environment(
        &app,
        &cast.workshop_token,
        moved,
        &json!({"address": {"street_address": "Kauppakatu 1", "postal_code": "87100", "municipality": "205"}, "coordinates": null}),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    let satakunta = app
        .get("/v1/catalogue/learning-environments?unit=SAMPLE-107&region=04")
        .await;
    assert_eq!(ids(&satakunta), in_rauma[1..].to_vec());
    let kainuu = app
        .get("/v1/catalogue/learning-environments?unit=SAMPLE-107&region=18")
        .await;
    assert_eq!(ids(&kainuu), vec![moved.clone()]);
    let counts = app
        .get("/v1/catalogue/units/SAMPLE-107/learning-environments?region=18")
        .await;
    assert_eq!(counts.body["learning_environments"], 1, "{}", counts.text);
}

async fn a_unit_with_few_matches_among_many_recognitions_pages(app: TestApp) {
    let cast = cast(&app).await;
    let mut environments = Vec::new();
    for languages in [["fi"], ["fi"], ["fi"], ["fi"], ["fi"], ["sv"], ["fi"], ["sv"]] {
        let environment =
            create_environment(&app, &cast.workshop_token, json!({"languages": languages})).await;
        recognise_units(&app, &cast.provider_token, &environment, &["SAMPLE-107"]).await;
        environments.push(environment);
    }
    // The first recognitions read for the unit all fail the language filter.
    let search = "/v1/catalogue/learning-environments?unit=SAMPLE-107&language=sv&limit=1";
    let first = app.get(search).await;
    assert_eq!(ids(&first), vec![environments[5].clone()], "{}", first.text);
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let second = app.get(&format!("{search}&cursor={cursor}")).await;
    assert_eq!(ids(&second), vec![environments[7].clone()], "{}", second.text);
    assert_eq!(second.body["next_cursor"], Value::Null);
}

/// The catalogue keeps its answers; each write to what it shows must reach the very next answer
/// to the same question, whatever the write path.
async fn every_write_the_catalogue_shows_reaches_the_next_answer(app: TestApp) {
    let cast = cast(&app).await;
    let kitchen = create_environment(&app, &cast.workshop_token, json!({"name": {"fi": "Keittiö"}})).await;
    let recognitions = recognise_units(
        &app,
        &cast.provider_token,
        &kitchen,
        &["SAMPLE-107", "SAMPLE-104"],
    )
    .await;
    let search = "/v1/catalogue/learning-environments?unit=SAMPLE-107";
    let by_unit = "/v1/catalogue/units/SAMPLE-107/learning-environments";
    let units_of = |reply: &crate::helpers::Reply, index: usize| -> Vec<String> {
        reply.body["items"][index]["recognised_units"]
            .as_array()
            .unwrap_or_else(|| panic!("units in {}", reply.text))
            .iter()
            .map(|unit| unit["unit"]["code"].as_str().expect("code").to_owned())
            .collect()
    };

    let first = app.get(search).await;
    assert_eq!(ids(&first), vec![kitchen.clone()], "{}", first.text);
    assert_eq!(first.header("content-type"), Some("application/json"));
    let again = app.get(search).await;
    assert_eq!(again.text, first.text);
    assert_eq!(app.get(by_unit).await.body["learning_environments"], 1);

    // The environment is renamed.
    rename(&app, &cast.workshop_token, &kitchen, "Opetuskeittiö").await;
    let after_rename = app.get(search).await;
    assert_eq!(after_rename.body["items"][0]["name"]["fi"], "Opetuskeittiö");

    // Another environment is recognised for the unit.
    let cafe = create_environment(&app, &cast.workshop_token, json!({"name": {"fi": "Kahvila"}})).await;
    recognise_units(&app, &cast.other_provider_token, &cafe, &["SAMPLE-107"]).await;
    assert_eq!(ids(&app.get(search).await), vec![kitchen.clone(), cafe.clone()]);
    assert_eq!(app.get(by_unit).await.body["learning_environments"], 2);

    // One recognition ends today: it leaves today's answer.
    assert_eq!(
        units_of(&app.get(search).await, 0),
        vec!["SAMPLE-104", "SAMPLE-107"]
    );
    let ended = app
        .post_json_as(
            Some(&cast.provider_token),
            &format!(
                "/v1/learning-environments/{kitchen}/recognitions/{}/end",
                recognitions[1]
            ),
            &json!({"reason": "Keittiö remontissa."}),
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
    assert_eq!(units_of(&app.get(search).await, 0), vec!["SAMPLE-107"]);

    // The provider is renamed, then the workshop stops: its environments leave the catalogue.
    let provider_name = |reply: &crate::helpers::Reply| {
        reply.body["items"][1]["recognised_units"][0]["provider"]["name"]["fi"].clone()
    };
    assert_eq!(provider_name(&app.get(search).await), "Kainuun ammattiopisto");
    let provider = app
        .patch_json(
            &format!("/v1/organisations/{}", cast.other_provider),
            Some("\"1\""),
            &json!({"name": {"fi": "Kainuun ammattiopisto KAO"}}),
        )
        .await;
    assert_eq!(provider.status, StatusCode::OK, "{}", provider.text);
    assert_eq!(provider_name(&app.get(search).await), "Kainuun ammattiopisto KAO");
    let stopped = app
        .patch_json(
            &format!("/v1/organisations/{}", cast.workshop),
            Some("\"1\""),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(stopped.status, StatusCode::OK, "{}", stopped.text);
    assert_eq!(ids(&app.get(search).await), Vec::<String>::new());
    assert_eq!(app.get(by_unit).await.body["learning_environments"], 0);
}

/// A caller revalidates a catalogue answer with `If-None-Match`: 304 while nothing it shows has
/// changed, the new answer (and tag) after a change; an environment renamed shows its new name in
/// every answer, including ones never asked before.
async fn catalogue_answers_revalidate_and_follow_changes(app: TestApp) {
    let cast = cast(&app).await;
    let kitchen = create_environment(&app, &cast.workshop_token, json!({"name": {"fi": "Keittiö"}})).await;
    recognise_units(&app, &cast.provider_token, &kitchen, &["SAMPLE-107"]).await;
    let search = "/v1/catalogue/learning-environments?unit=SAMPLE-107";
    let by_unit = "/v1/catalogue/units/SAMPLE-107/learning-environments";

    let first = app.get(search).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let tag = first.header("etag").expect("an ETag").to_owned();
    assert!(tag.starts_with("W/\""), "{tag}");
    let unchanged = app.get_with(None, search, &[("if-none-match", &tag)]).await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED, "{}", unchanged.text);
    assert_eq!(unchanged.text, "");
    assert_eq!(unchanged.header("etag"), Some(tag.as_str()));
    let listed = format!("\"other\", {}", tag.trim_start_matches("W/"));
    let in_a_list = app.get_with(None, search, &[("if-none-match", &listed)]).await;
    assert_eq!(in_a_list.status, StatusCode::NOT_MODIFIED);
    let other = app
        .get_with(None, search, &[("if-none-match", "W/\"other\"")])
        .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(other.text, first.text);
    let unit_tag = app.get(by_unit).await.header("etag").expect("an ETag").to_owned();
    let unit_unchanged = app.get_with(None, by_unit, &[("if-none-match", &unit_tag)]).await;
    assert_eq!(unit_unchanged.status, StatusCode::NOT_MODIFIED);

    rename(&app, &cast.workshop_token, &kitchen, "Opetuskeittiö").await;
    let changed = app.get_with(None, search, &[("if-none-match", &tag)]).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_ne!(changed.header("etag"), Some(tag.as_str()));
    assert_eq!(changed.body["items"][0]["name"]["fi"], "Opetuskeittiö");
    let another_day = app
        .get(&format!(
            "{search}&recognised_on={}",
            chrono::Utc::now().date_naive()
        ))
        .await;
    assert_eq!(another_day.body["items"][0]["name"]["fi"], "Opetuskeittiö");
    let unit_changed = app.get_with(None, by_unit, &[("if-none-match", &unit_tag)]).await;
    assert_eq!(unit_changed.status, StatusCode::OK);
}

backend_tests!(
    catalogue_answers_revalidate_and_follow_changes,
    every_write_the_catalogue_shows_reaches_the_next_answer,
    a_unit_with_few_matches_among_many_recognitions_pages,
    a_unit_in_a_region_pages_and_follows_a_move,
    several_units_mean_all_of_them,
    finnish_text_search_ignores_case_and_accents,
    near_orders_by_distance,
    the_catalogue_filters_by_place_language_and_sector,
    a_unit_reads_by_municipality,
);

/// A page built from the database reads its environments and their units in force in one
/// statement, which PostgreSQL plans once on the connections of the public reads: planned afresh
/// on each request, as PostgreSQL does on its own with statements of this many parameters, the
/// planning cost more than the reading. Every other connection keeps the server's choice.
#[actix_web::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "a PostgreSQL variant: set TEST_DATABASE_URL to run it"
)]
async fn a_built_page_is_one_statement_planned_once_on_postgresql() {
    use opinto_registry::{
        catalogue::repo::{page_in_force, Search},
        db::{Db, DbConnection},
        pagination::PageRequest,
    };

    let Some((app, environment)) = crate::helpers::spawn_app(crate::helpers::Backend::Postgres).await else {
        return;
    };
    let cast = cast(&app).await;
    let mut recognised = Vec::new();
    for _ in 0..3 {
        let environment = create_environment(&app, &cast.workshop_token, json!({})).await;
        recognise_units(
            &app,
            &cast.provider_token,
            &environment,
            &["SAMPLE-107", "SAMPLE-104"],
        )
        .await;
        recognised.push(environment);
    }

    let db = Db::connect(&app.database_url, 1).expect("connects");
    let plan_cache_mode = |conn: &mut DbConnection| -> String {
        #[derive(diesel::QueryableByName)]
        struct Setting {
            #[diesel(sql_type = diesel::sql_types::Text)]
            plan_cache_mode: String,
        }
        let setting: Setting =
            diesel::RunQueryDsl::get_result(diesel::sql_query("SHOW plan_cache_mode"), conn)
                .expect("the setting");
        setting.plan_cache_mode
    };
    assert_eq!(plan_cache_mode(&mut db.get().expect("a connection")), "auto");
    let public_reads = db.for_public_reads();
    let mut conn = public_reads.get().expect("a connection of the public reads");
    assert_eq!(plan_cache_mode(&mut conn), "force_generic_plan");
    let page: PageRequest<String> = PageRequest::new(Some(2), None).expect("a page");
    let today = chrono::Utc::now().date_naive();
    for days in 0..8 {
        let search = Search {
            day: today + chrono::Days::new(days),
            units: vec!["SAMPLE-107".to_owned()],
            region: Some("04".to_owned()),
            ..Search::default()
        };
        let (ids, rows) = page_in_force(&mut conn, &search, &page).expect("reads");
        assert_eq!(ids, recognised, "the page and the one after it");
        assert_eq!(rows.len(), 6, "both units of each: {rows:?}");
    }
    let plans = crate::helpers::prepared_plans(&mut conn);
    let pages: Vec<&crate::helpers::Plans> = plans
        .iter()
        .filter(|plan| plan.statement.contains("learning_environments"))
        .collect();
    assert_eq!(pages.len(), 1, "one statement for the page: {plans:#?}");
    assert_eq!(
        (pages[0].generic_plans, pages[0].custom_plans),
        (8, 0),
        "planned once: {}",
        pages[0].statement
    );
    drop((conn, public_reads, db));
    environment.shut_down().await;
}
