//! The national student-record language on the request side and in the export: codes in KOSKI's
//! shape, learner and study-right OIDs, requirement-level certificates and the eHOKS export.

use awc::http::StatusCode;
use regex::Regex;
use serde_json::{json, Value};

use crate::{
    backend_tests,
    certificates::{certificate_body, issued_from, parties, pdf_text, revoke, Parties},
    helpers::TestApp,
    reference_data::import_eperusteet,
};

const LEARNER_OID: &str = "1.2.246.562.24.10000000008";
const STUDY_RIGHT_OID: &str = "1.2.246.562.15.00000000001";
const PROVIDER_OID: &str = "1.2.246.562.10.54453923578";

/// A certificate for the national unit 100754 (two of its requirements shown, one with the
/// coach's words too) and the sample unit SAMPLE-107, for a holder with a learner OID.
fn national_and_sample_body(parties: &Parties) -> Value {
    let mut body = certificate_body(&parties.environment);
    body["holder"]["learner_oid"] = json!(LEARNER_OID);
    let sample = body["units"][0].clone();
    body["units"] = json!([
        {
            "qualification": "361201", "unit": "100754",
            "description": "Hoiti työpajan kasvihuonetta kesän ajan.",
            "skills": [{"requirement": 1}, {"text": "Istutti 400 taimea", "requirement": 2}],
            "hours": 160
        },
        sample
    ]);
    body
}

async fn share_for_study_right(app: &TestApp, parties: &Parties, id: &str) {
    let shared = app
        .post_json_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{id}/shares"),
            &json!({"organisation_id": parties.cast.provider, "consent_given_on": "2026-11-02",
                    "consent_method": "written", "study_right_oid": STUDY_RIGHT_OID}),
        )
        .await;
    assert_eq!(shared.status, StatusCode::OK, "{}", shared.text);
    assert_eq!(shared.body["shares"][0]["study_right_oid"], STUDY_RIGHT_OID);
}

async fn give_provider_an_oid(app: &TestApp, parties: &Parties) {
    let path = format!("/v1/organisations/{}", parties.cast.provider);
    let current = app.get(&path).await;
    let etag = current.header("etag").expect("an ETag").to_owned();
    let patched = app
        .patch_json(&path, Some(&etag), &json!({"oph_oid": PROVIDER_OID}))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
}

fn matches(pattern: &str, value: &Value) -> bool {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{value} is not a string"));
    Regex::new(pattern).expect("a pattern").is_match(text)
}

/// A provider copies one document into the student's plan: the national unit by its national
/// code with the demonstration, the sample unit as a local unit, and KOSKI's explanations.
async fn a_shared_certificate_goes_into_a_plan_in_ehoks_fields(app: TestApp) {
    import_eperusteet(&app).await;
    let parties = parties(&app).await;
    give_provider_an_oid(&app, &parties).await;
    let id = issued_from(&app, &parties, &national_and_sample_body(&parties)).await;
    let path = format!("/v1/certificates/{id}/ehoks");
    // Only for a provider it is shared with: not yet shared, it does not exist for them.
    app.get_as(Some(&parties.provider), &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    share_for_study_right(&app, &parties, &id).await;

    let export = app.get_as(Some(&parties.provider), &path).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.text);
    let hoks = &export.body["hoks"];
    assert_eq!(hoks["oppija-oid"], LEARNER_OID);
    assert_eq!(hoks["opiskeluoikeus-oid"], STUDY_RIGHT_OID);
    assert!(matches(r"^1\.2\.246\.562\.15\.\d+$", &hoks["opiskeluoikeus-oid"]));

    let national = hoks["aiemmin-hankitut-ammat-tutkinnon-osat"]
        .as_array()
        .expect("a list");
    assert_eq!(national.len(), 1, "{}", export.text);
    let unit = &national[0];
    assert_eq!(unit["tutkinnon-osa-koodi-uri"], "tutkinnonosat_100754");
    assert!(matches(r"^tutkinnonosat_\d+$", &unit["tutkinnon-osa-koodi-uri"]));
    assert_eq!(unit["tutkinnon-osa-koodi-versio"], 1);
    assert_eq!(
        unit["valittu-todentamisen-prosessi-koodi-uri"],
        "osaamisentodentamisenprosessi_0003"
    );
    assert!(matches(
        r"^osaamisentodentamisenprosessi_\d+$",
        &unit["valittu-todentamisen-prosessi-koodi-uri"]
    ));
    assert!(unit["valittu-todentamisen-prosessi-koodi-versio"].is_i64());
    assert!(matches(
        r"^1\.2\.246\.562\.[0-3]\d\.\d+$",
        &unit["koulutuksen-jarjestaja-oid"]
    ));
    assert_eq!(unit["koulutuksen-jarjestaja-oid"], PROVIDER_OID);
    let shown = &unit["tarkentavat-tiedot-naytto"][0];
    assert_eq!(shown["alku"], "2026-02-01");
    assert_eq!(shown["loppu"], "2026-10-31");
    assert_eq!(shown["nayttoymparisto"]["nimi"], "Rauman nuorten työpaja");
    assert_eq!(shown["nayttoymparisto"]["kuvaus"], "Työpajan keittiö");
    assert_eq!(
        shown["sisallon-kuvaus"],
        json!([
            "Hoiti työpajan kasvihuonetta kesän ajan.",
            "tunnistaa alan töissä puutarhakasveja (liite 2)",
            "Istutti 400 taimea"
        ])
    );
    assert_eq!(
        shown["tyoelama-osaamisen-arvioijat"][0]["nimi"],
        "Maija Meikäläinen"
    );

    // The sample unit is a local unit by name: no national code is made up for it.
    let local = hoks["aiemmin-hankitut-paikalliset-tutkinnon-osat"]
        .as_array()
        .expect("a list");
    assert_eq!(local.len(), 1, "{}", export.text);
    assert_eq!(local[0]["nimi"], "Ruokapalveluissa avustaminen");
    assert!(!local[0].to_string().contains("tutkinnonosat"), "{}", local[0]);
    assert!(local[0].get("tutkinnon-osa-koodi-uri").is_none());

    let koski = export.body["koski"].as_array().expect("a list");
    assert_eq!(
        koski[0]["tunniste"],
        json!({"koodiarvo": "100754", "koodistoUri": "tutkinnonosat", "koodistoVersio": 1})
    );
    assert_eq!(koski[1]["tunniste"], Value::Null);
    let code = export.body["verification_code"].as_str().expect("a code");
    let selite = koski[0]["tunnustettu"]["selite"]["fi"].as_str().expect("Finnish");
    assert!(
        selite.contains(code) && selite.contains("1.2.2026–31.10.2026"),
        "{selite}"
    );
    assert!(koski[0]["tunnustettu"]["selite"]["sv"]
        .as_str()
        .expect("Swedish")
        .contains(code));

    // Another process: no demonstration details, the process's own code.
    let direct = app
        .get_as(Some(&parties.provider), &format!("{path}?process=direct"))
        .await;
    let unit = &direct.body["hoks"]["aiemmin-hankitut-ammat-tutkinnon-osat"][0];
    assert_eq!(
        unit["valittu-todentamisen-prosessi-koodi-uri"],
        "osaamisentodentamisenprosessi_0001"
    );
    assert_eq!(unit["tarkentavat-tiedot-naytto"], json!([]));
    app.get_as(Some(&parties.provider), &format!("{path}?process=guess"))
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "bad-request");

    // Not for the issuer, nor for those it is not shared with, nor anonymous callers.
    app.get_as(Some(&parties.workshop), &path)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    app.get_as(Some(&parties.other_provider), &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get(&path)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");

    // A revoked certificate goes into no plan.
    revoke(&app, &parties, &id).await;
    app.get_as(Some(&parties.provider), &path)
        .await
        .assert_problem(StatusCode::CONFLICT, "conflict");
}

/// Requirements shown are checked against the unit's imported requirements, kept in their
/// wording, and shown on the certificate, its PDF, its verification and its credential.
async fn certificates_record_the_requirements_shown(app: TestApp) {
    import_eperusteet(&app).await;
    let parties = parties(&app).await;
    let mut body = national_and_sample_body(&parties);
    body["units"][0]["skills"] = json!([{"text": "Kastelu", "requirement": 0}]);
    let out_of_range = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates", &body)
        .await;
    assert_eq!(
        out_of_range.error_fields(),
        vec!["units[0].skills[0].requirement"]
    );
    // A position the unit does not have, a skill of nothing, and a unit without requirements.
    body["units"][0]["skills"] = json!([{"requirement": 999}, {}]);
    body["units"][1]["skills"] = json!([{"requirement": 1}]);
    let refused = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates", &body)
        .await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    let mut fields = refused.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "units[0].skills[0].requirement",
            "units[0].skills[1]",
            "units[1].skills[0].requirement",
        ],
        "{}",
        refused.text
    );

    let id = issued_from(&app, &parties, &national_and_sample_body(&parties)).await;
    let certificate = app
        .get_as(Some(&parties.workshop), &format!("/v1/certificates/{id}"))
        .await;
    let skills = &certificate.body["units"][0]["skills"];
    assert_eq!(skills[0]["text"], Value::Null);
    assert_eq!(skills[0]["requirement"]["position"], 1);
    assert_eq!(
        skills[0]["requirement"]["text"]["fi"],
        "tunnistaa alan töissä puutarhakasveja (liite 2)"
    );
    assert_eq!(skills[1]["text"], "Istutti 400 taimea");
    assert_eq!(
        skills[1]["requirement"]["text"]["fi"],
        "lisätä ja istuttaa puutarhakasveja"
    );

    let pdf = app
        .get_as(Some(&parties.workshop), &format!("/v1/certificates/{id}/pdf"))
        .await;
    let text = pdf_text(&pdf.bytes)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("tunnistaa alan töissä puutarhakasveja"), "{text}");
    assert!(text.contains("ammattitaitovaatimus 2"), "{text}");

    let code = certificate.body["verification_code"].as_str().expect("a code");
    let verified = app.get(&format!("/v1/verify/{code}")).await;
    assert_eq!(
        verified.body["units"][0]["requirements"][1]["position"], 2,
        "{}",
        verified.text
    );
    assert_eq!(verified.body["units"][1]["requirements"], json!([]));
    let page = app
        .get_accepting(None, &format!("/verify/{code}"), "text/html")
        .await;
    assert!(
        page.text.contains("lisätä ja istuttaa puutarhakasveja"),
        "{}",
        page.text
    );

    let jwt = app
        .get_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{id}/credential"),
        )
        .await;
    let payload = crate::certificates::decode_part(&jwt.text, 1);
    let alignments = payload["credentialSubject"].to_string();
    assert!(alignments.contains("ext:Requirement"), "{payload}");
    assert!(alignments.contains("#requirement-2"), "{payload}");
}

/// Codes are accepted as our code, as a koodisto URI and in KOSKI's shape; a reference to
/// another code list is refused.
async fn codes_are_accepted_in_koskis_shape(app: TestApp) {
    import_eperusteet(&app).await;
    let parties = parties(&app).await;
    let mut body = national_and_sample_body(&parties);
    body["units"][0]["qualification"] = json!("koulutus_361201");
    body["units"][0]["unit"] =
        json!({"koodiarvo": "100754", "koodistoUri": "tutkinnonosat", "koodistoVersio": 1});
    body["units"][1]["unit"] = json!("SAMPLE-107");
    let created = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates", &body)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["units"][0]["qualification"]["code"], "361201");
    assert_eq!(created.body["units"][0]["unit"]["code"], "100754");

    // Query parameters take the koodisto URI as well.
    let listed = app
        .get_as(
            Some(&parties.workshop),
            "/v1/certificates?unit=tutkinnonosat_100754&qualification=koulutus_361201",
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(listed.body["items"][0]["id"], created.body["id"]);
    let by_uri = app.get("/v1/municipalities?region=maakunta_04&limit=200").await;
    let by_code = app.get("/v1/municipalities?region=04&limit=200").await;
    assert_eq!(by_uri.status, StatusCode::OK, "{}", by_uri.text);
    assert_eq!(by_uri.body["items"], by_code.body["items"]);
    assert!(!by_code.body["items"].as_array().expect("items").is_empty());
    app.get("/v1/municipalities?region=kunta_04")
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "bad-request");

    body["units"][0]["unit"] = json!({"koodiarvo": "100754", "koodistoUri": "kunta"});
    let wrong_list = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates", &body)
        .await;
    assert!(wrong_list.status.is_client_error(), "{}", wrong_list.text);
    assert!(wrong_list.text.contains("units[0].unit"), "{}", wrong_list.text);

    let environment = crate::environments::environment_body(json!({}));
    let mut environment = environment;
    environment["address"]["municipality"] = json!({"koodiarvo": "684", "koodistoUri": "kunta"});
    let made = app
        .post_json_as(
            Some(&parties.cast.workshop_token),
            "/v1/learning-environments",
            &environment,
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    assert_eq!(made.body["address"]["municipality"], "684");
}

/// The learner OID is sealed with a blind index like the identity code, and a search by POST
/// finds the holder by it; a search names one identifier, never both.
async fn holders_are_found_by_learner_oid(app: TestApp) {
    let parties = parties(&app).await;
    let mut body = certificate_body(&parties.environment);
    body["holder"]["learner_oid"] = json!(LEARNER_OID);
    let id = issued_from(&app, &parties, &body).await;
    let (sealed, index) = stored_learner_oid(&app, &id);
    assert!(!sealed.contains("562.24"), "sealed: {sealed}");
    assert!(!index.contains("562.24"), "a keyed hash: {index}");

    let search = |query: Value| {
        let app = &app;
        let token = parties.workshop.clone();
        async move {
            app.post_json_as(Some(&token), "/v1/certificates/search", &query)
                .await
        }
    };
    let found = search(json!({"holder_learner_oid": LEARNER_OID})).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text);
    assert_eq!(found.body["items"][0]["id"], id.as_str());
    assert_eq!(found.body["items"][0]["holder"]["learner_oid"], LEARNER_OID);
    let other = search(json!({"holder_learner_oid": "1.2.246.562.24.10000000009"})).await;
    assert_eq!(other.body["items"], json!([]));
    let both =
        search(json!({"holder_learner_oid": LEARNER_OID, "holder_hetu": crate::certificates::HETU})).await;
    both.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    let neither = search(json!({})).await;
    assert_eq!(neither.error_fields(), vec!["holder_hetu", "holder_learner_oid"]);
    let malformed = search(json!({"holder_learner_oid": "1.2.246.562.15.10000000008"})).await;
    assert_eq!(malformed.error_fields(), vec!["holder_learner_oid"]);
    assert!(
        !malformed.text.contains("10000000008"),
        "not echoed: {}",
        malformed.text
    );

    // A study-right OID on a share is checked by its pattern.
    let wrong = app
        .post_json_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{id}/shares"),
            &json!({"organisation_id": parties.cast.provider, "consent_given_on": "2026-11-02",
                    "consent_method": "written", "study_right_oid": LEARNER_OID}),
        )
        .await;
    wrong.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(wrong.error_fields(), vec!["study_right_oid"]);
}

fn stored_learner_oid(app: &TestApp, id: &str) -> (String, String) {
    use diesel::prelude::*;
    use opinto_registry::{db::Db, schema::certificates};
    let db = Db::connect(&app.database_url, 1).expect("database");
    let mut conn = db.get().expect("connection");
    let (sealed, index) = certificates::table
        .find(id)
        .select((
            certificates::holder_learner_oid,
            certificates::holder_learner_oid_index,
        ))
        .first::<(Option<String>, Option<String>)>(&mut *conn)
        .expect("row");
    (sealed.expect("sealed"), index.expect("indexed"))
}

backend_tests!(
    a_shared_certificate_goes_into_a_plan_in_ehoks_fields,
    certificates_record_the_requirements_shown,
    codes_are_accepted_in_koskis_shape,
    holders_are_found_by_learner_oid,
);
