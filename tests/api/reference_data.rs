use awc::http::StatusCode;
use opinto_registry::{
    db::Db,
    reference::import::{self, Counts},
};
use serde_json::{json, Value};

use crate::{backend_tests, helpers::TestApp};

fn codes(body: &serde_json::Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["code"].as_str().expect("code").to_owned())
        .collect()
}

async fn regions_include_satakunta_and_kainuu(app: TestApp) {
    let reply = app.get("/v1/regions").await;
    assert_eq!(reply.status, StatusCode::OK);
    let items = reply.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 21, "19 regions, Itä-Uusimaa and the unknown code");
    assert_eq!(reply.body["next_cursor"], json!(null));
    let satakunta = items.iter().find(|r| r["code"] == "04").expect("Satakunta");
    assert_eq!(satakunta["name"]["fi"], "Satakunta");
    let kainuu = items.iter().find(|r| r["code"] == "18").expect("Kainuu");
    assert_eq!(kainuu["name"]["sv"], "Kajanaland");
    let unknown = items.iter().find(|r| r["code"] == "99").expect("unknown");
    assert_eq!(unknown["placeholder"], true);
}

async fn municipalities_filter_by_region(app: TestApp) {
    let kainuu = app.get("/v1/municipalities?region=18&in_force=true").await;
    assert_eq!(
        codes(&kainuu.body),
        vec!["105", "205", "290", "578", "620", "697", "765", "777"]
    );
    let satakunta = app.get("/v1/municipalities?region=04&in_force=true").await;
    let satakunta = codes(&satakunta.body);
    assert_eq!(satakunta.len(), 16);
    for code in ["050", "051", "609", "684"] {
        assert!(satakunta.contains(&code.to_owned()), "{code}");
    }
    // All 630 codes page through in order.
    let mut all = Vec::new();
    let mut path = "/v1/municipalities?limit=200".to_owned();
    loop {
        let page = app.get(&path).await;
        all.extend(codes(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/municipalities?limit=200&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(all.len(), 630);
    let bad = app.get("/v1/municipalities?region=4").await;
    bad.assert_problem(StatusCode::BAD_REQUEST, "bad-request");
    assert_eq!(bad.error_fields(), vec!["region"]);
}

async fn qualifications_are_searchable_and_carry_their_units(app: TestApp) {
    let all = app.get("/v1/qualifications").await;
    assert_eq!(
        codes(&all.body),
        vec!["351204", "354203", "381113", "381141", "384103", "384114", "384145"]
    );
    let further = app.get("/v1/qualifications?type=further").await;
    assert_eq!(codes(&further.body), vec!["354203", "384103", "384114", "384145"]);
    let searched = app.get("/v1/qualifications?q=KIINTEISTO").await;
    assert_eq!(
        codes(&searched.body),
        vec!["351204", "354203", "381141", "384145"],
        "accent-insensitive over all languages"
    );
    let by_code = app.get("/v1/qualifications?q=3811").await;
    assert_eq!(codes(&by_code.body), vec!["381113", "381141"]);

    let one = app.get("/v1/qualifications/381113").await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(
        one.body["name"]["fi"],
        "Kotityö- ja puhdistuspalvelujen perustutkinto"
    );
    assert_eq!(one.body["type"], "vocational_upper_secondary");
    assert_eq!(one.body["competence_points"], 180);
    assert_eq!(one.body["replaced_by"], "381141");
    assert_eq!(one.body["sample"], false);
    let units = one.body["units"].as_array().expect("units");
    assert!(!units.is_empty());
    assert!(
        units.iter().all(|unit| unit["sample"] == true),
        "units are sample data"
    );

    let unit_code = units[0]["code"].as_str().expect("code");
    let unit = app.get(&format!("/v1/qualification-units/{unit_code}")).await;
    assert_eq!(unit.status, StatusCode::OK);
    assert!(unit.body["qualifications"]
        .as_array()
        .expect("qualifications")
        .contains(&json!("381113")));

    app.get("/v1/qualifications/999999")
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get("/v1/qualification-units/NOPE")
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get("/v1/qualifications?type=doctorate")
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "bad-request");
}

async fn importing_is_idempotent_and_reports_changes(app: TestApp) {
    let db = Db::connect(&app.database_url, 1).expect("connects");
    let mut conn = db.get().expect("connection");
    let shipped = import::parse(import::SHIPPED_REFERENCE_DATA.as_bytes()).expect("parses");
    let again = import::import(&mut conn, &shipped).expect("imports");
    assert_eq!(
        again.municipalities,
        Counts {
            created: 0,
            updated: 0,
            unchanged: 630
        }
    );
    assert_eq!(again.unit_lists_replaced, 0);

    let change = import::parse(
        json!({
            "qualification_units": [
                {"code": "SAMPLE-900", "name": {"fi": "Uusi osa"}, "competence_points": 15, "sample": true}
            ],
            "qualifications": [{
                "code": "381141",
                "name": {"fi": "Puhtaus- ja kiinteistöpalvelualan perustutkinto (muutettu)"},
                "type": "vocational_upper_secondary",
                "competence_points": 180,
                "units": ["SAMPLE-101", "SAMPLE-900"]
            }]
        })
        .to_string()
        .as_bytes(),
    )
    .expect("parses");
    let report = import::import(&mut conn, &change).expect("imports");
    assert_eq!(
        report.qualification_units,
        Counts {
            created: 1,
            updated: 0,
            unchanged: 0
        }
    );
    assert_eq!(
        report.qualifications,
        Counts {
            created: 0,
            updated: 1,
            unchanged: 0
        }
    );
    assert_eq!(report.unit_lists_replaced, 1);

    let read = app.get("/v1/qualifications/381141").await;
    assert_eq!(
        read.body["name"]["fi"],
        "Puhtaus- ja kiinteistöpalvelualan perustutkinto (muutettu)"
    );
    assert_eq!(
        read.body["name"].get("sv"),
        None,
        "a name variant left out is removed"
    );
    let units: Vec<_> = read.body["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| u["code"].clone())
        .collect();
    assert_eq!(units, vec![json!("SAMPLE-101"), json!("SAMPLE-900")]);
}

async fn a_bad_import_names_the_element_and_changes_nothing(app: TestApp) {
    let db = Db::connect(&app.database_url, 1).expect("connects");
    let mut conn = db.get().expect("connection");
    let bad = import::parse(
        json!({
            "regions": [{"code": "04", "name": {"fi": "Satakunta (uusi nimi)"}}],
            "municipalities": [
                {"code": "684", "name": {"fi": "Rauma"}, "region": "04"},
                {"code": "1234", "name": {"fi": "Liian pitkä"}, "region": "77"}
            ]
        })
        .to_string()
        .as_bytes(),
    )
    .expect("parses");
    let error = import::import(&mut conn, &bad).expect_err("refused").to_string();
    assert!(
        error.contains("$.municipalities[1].code: a municipality code is three digits"),
        "{error}"
    );
    assert!(
        error.contains("$.municipalities[1].region: unknown region \"77\""),
        "{error}"
    );

    let regions = app.get("/v1/regions").await;
    let satakunta = regions.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["code"] == "04")
        .cloned()
        .expect("Satakunta");
    assert_eq!(satakunta["name"]["fi"], "Satakunta", "nothing half-imported");

    // Competence areas, requirements and sample codes are checked like the rest.
    let structure = json!({
        "qualification_units": [
            {"code": "123456", "name": {"fi": "Näyte"}, "sample": true},
            {"code": "SAMPLE-950", "name": {"fi": "Osa"}, "sample": true, "requirements": [{"fi": "\u{c}"}]}
        ],
        "qualifications": [{"code": "381141", "name": {"fi": "Tutkinto"}, "type": "other",
            "competence_areas": [{"code": "1", "name": {"fi": "Ala", "en": "\u{c}"}}, {"code": "x", "name": {"fi": "Toinen"}}],
            "units": [{"code": "SAMPLE-950", "competence_area": "9"}]}]
    });
    let refused = app.post_json("/v1/reference-data", &structure).await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(
        refused.error_fields(),
        vec![
            "$.qualification_units[0].code",
            "$.qualification_units[1].requirements[0]",
            "$.qualifications[0].competence_areas[0].name.en",
            "$.qualifications[0].competence_areas[1].code",
            "$.qualifications[0].units[0].competence_area",
        ],
        "{}",
        refused.text
    );
}

async fn administrators_import_over_http(app: TestApp) {
    let file = json!({
        "qualification_units": [{"code": "SAMPLE-901", "name": {"fi": "Verkosta tuotu osa"}, "sample": true}]
    });
    let reply = app.post_json("/v1/reference-data", &file).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["qualification_units"]["created"], 1);
    assert_eq!(
        app.get("/v1/qualification-units/SAMPLE-901").await.status,
        StatusCode::OK
    );

    let again = app.post_json("/v1/reference-data", &file).await;
    assert_eq!(again.body["qualification_units"]["unchanged"], 1);

    let bad = app
        .post_json(
            "/v1/reference-data",
            &json!({"municipalities": [{"code": "12", "name": {"fi": "X"}}]}),
        )
        .await;
    bad.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(bad.error_fields(), vec!["$.municipalities[0].code"]);
    // serde would read an array as a struct of defaults: an empty import that answered 200.
    let array = app.post_json("/v1/reference-data", &json!([])).await;
    array.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(array.error_fields(), vec!["$"]);

    let audit = app
        .get_as(Some(&app.admin_token), "/v1/audit?resource_type=reference-data")
        .await;
    assert_eq!(
        audit.body["items"].as_array().expect("items").len(),
        2,
        "one entry per import"
    );
}

/// The ePerusteet document committed with the reference data (Puutarhatalouden perustutkinto,
/// 75/011/2014), as ePerusteet publishes it.
pub fn eperusteet_document() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/reference/eperusteet/puutarhatalouden-perustutkinto-75-011-2014.json"
    );
    serde_json::from_slice(&std::fs::read(path).expect("the document is committed")).expect("it is JSON")
}

/// Imports the committed ePerusteet document as an administrator.
pub async fn import_eperusteet(app: &TestApp) {
    let imported = app
        .post_json("/v1/reference-data/eperusteet", &eperusteet_document())
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text);
}

/// The counts of one kind in an import report: (created, updated, unchanged).
fn counted(report: &Value, kind: &str) -> (u64, u64, u64) {
    let count = |what: &str| report[kind][what].as_u64().expect("a count");
    (count("created"), count("updated"), count("unchanged"))
}

async fn national_requirements_are_imported_from_eperusteet(app: TestApp) {
    const PATH: &str = "/v1/reference-data/eperusteet";
    let document = eperusteet_document();
    let first = app.post_json(PATH, &document).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(
        counted(&first.body, "qualifications"),
        (1, 0, 0),
        "{}",
        first.text
    );
    assert_eq!(
        counted(&first.body, "qualification_units"),
        (29, 0, 0),
        "{}",
        first.text
    );
    assert_eq!(first.body["requirements_documents_changed"], 1);
    assert_eq!(first.body["competence_area_lists_replaced"], 1);

    let qualification = app.get("/v1/qualifications/361201").await;
    assert_eq!(qualification.status, StatusCode::OK, "{}", qualification.text);
    let body = &qualification.body;
    assert_eq!(body["name"]["fi"], "Puutarha-alan perustutkinto");
    assert_eq!(body["type"], "vocational_upper_secondary");
    assert_eq!(body["competence_points"], 180);
    assert_eq!(
        body["requirements_document"],
        json!({"eperusteet_id": 1721199, "diary_number": "75/011/2014", "valid_from": "2016-08-01", "valid_until": null})
    );
    let areas: Vec<&str> = body["competence_areas"]
        .as_array()
        .expect("areas")
        .iter()
        .map(|area| area["code"].as_str().expect("code"))
        .collect();
    assert_eq!(areas, vec!["1584", "1585", "1583"]);
    let units = body["units"].as_array().expect("units");
    assert_eq!(units.len(), 29);
    assert_eq!(
        units[0],
        json!({"code": "100754", "koodisto": {"koodiarvo": "100754", "koodistoUri": "tutkinnonosat"},
            "name": {"fi": "Työskentely puutarha-alalla", "sv": "Att arbeta inom trädgårdsbranschen"},
            "competence_points": 25, "sample": false, "compulsory": true, "competence_area": null})
    );
    assert!(
        units
            .iter()
            .any(|unit| unit["competence_area"] == "1583" && unit["compulsory"] == true),
        "the units of a competence area"
    );
    assert!(
        units.iter().any(|unit| unit["compulsory"] == false),
        "optional units"
    );

    let unit = app.get("/v1/qualification-units/100754").await;
    let requirements = unit.body["requirements"].as_array().expect("requirements");
    assert_eq!(
        requirements[1],
        json!({"position": 2, "text": {"fi": "lisätä ja istuttaa puutarhakasveja", "sv": requirements[1]["text"]["sv"]}})
    );
    assert_eq!(
        requirements[0]["text"]["fi"],
        "tunnistaa alan töissä puutarhakasveja (liite 2)"
    );
    assert!(requirements
        .iter()
        .all(|requirement| !requirement["text"]["fi"].as_str().expect("fi").contains('<')));

    // Again, as it is: nothing changes.
    let again = app.post_json(PATH, &document).await;
    assert_eq!(
        counted(&again.body, "qualification_units"),
        (0, 0, 29),
        "{}",
        again.text
    );
    assert_eq!(counted(&again.body, "qualifications"), (0, 0, 1));
    for replaced in [
        "unit_lists_replaced",
        "requirement_lists_replaced",
        "competence_area_lists_replaced",
        "requirements_documents_changed",
    ] {
        assert_eq!(again.body[replaced], 0, "{replaced}: {}", again.text);
    }

    // A later version: a unit renamed, one added.
    let mut changed = document.clone();
    changed["tutkinnonOsat"][0]["nimi"]["fi"] = json!("Yritystoiminnan suunnittelu ja aloittaminen");
    let mut added = changed["tutkinnonOsat"][0].clone();
    added["id"] = json!(999_001);
    added["koodiArvo"] = json!("999001");
    added["nimi"] = json!({"fi": "Puutarhan digitaaliset palvelut"});
    changed["tutkinnonOsat"]
        .as_array_mut()
        .expect("units")
        .push(added);
    let ways = changed["suoritustavat"].as_array_mut().expect("ways");
    let ops = ways
        .iter_mut()
        .find(|way| way["suoritustapakoodi"] == "ops")
        .expect("ops");
    ops["tutkinnonOsaViitteet"]
        .as_array_mut()
        .expect("references")
        .push(json!({"id": 999_002, "laajuus": 15, "jarjestys": 99, "_tutkinnonOsa": "999001"}));
    let later = app.post_json(PATH, &changed).await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.text);
    assert_eq!(
        counted(&later.body, "qualification_units"),
        (1, 1, 28),
        "{}",
        later.text
    );
    assert_eq!(later.body["unit_lists_replaced"], 1);
    let renamed = app.get("/v1/qualification-units/101050").await;
    assert_eq!(
        renamed.body["name"]["fi"],
        "Yritystoiminnan suunnittelu ja aloittaminen"
    );
    let units = app.get("/v1/qualifications/361201").await.body["units"].clone();
    assert_eq!(units.as_array().expect("units").len(), 30);
    assert_eq!(
        units[29]["code"], "999001",
        "a unit the structure does not place comes last"
    );

    // Only administrators import; a document without a qualification changes nothing.
    let organisation = app
        .create_organisation(&crate::helpers::organisation_body(json!({})))
        .await;
    let token = app
        .token_for(organisation["id"].as_str().expect("id"), "environments:write")
        .await;
    app.post_json_as(Some(&token), PATH, &document)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let mut nameless = document.clone();
    nameless["koulutukset"] = json!([]);
    let refused = app.post_json(PATH, &nameless).await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(refused.error_fields(), vec!["$.koulutukset"]);
}

/// Importing national units into a qualification that lists sample units keeps the sample units,
/// still marked as sample data.
async fn sample_units_stay_beside_national_ones(app: TestApp) {
    let mut document = eperusteet_document();
    document["koulutukset"][0]["koulutuskoodiArvo"] = json!("381141");
    let before = app.get("/v1/qualifications/381141").await.body["units"].clone();
    let samples: Vec<Value> = before
        .as_array()
        .expect("units")
        .iter()
        .filter(|unit| unit["sample"] == true)
        .cloned()
        .collect();
    assert!(!samples.is_empty());
    let reply = app.post_json("/v1/reference-data/eperusteet", &document).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let after = app.get("/v1/qualifications/381141").await.body["units"].clone();
    let after = after.as_array().expect("units");
    assert_eq!(after.len(), 29 + samples.len());
    let kept: Vec<Value> = after
        .iter()
        .filter(|unit| unit["sample"] == true)
        .cloned()
        .collect();
    assert_eq!(kept, samples, "kept, in their order, still sample data");
}

backend_tests!(
    national_requirements_are_imported_from_eperusteet,
    sample_units_stay_beside_national_ones,
    administrators_import_over_http,
    regions_include_satakunta_and_kainuu,
    municipalities_filter_by_region,
    qualifications_are_searchable_and_carry_their_units,
    importing_is_idempotent_and_reports_changes,
    a_bad_import_names_the_element_and_changes_nothing,
);
