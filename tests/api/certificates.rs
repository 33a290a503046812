//! Competence certificates: the lifecycle, personal data protection, sharing, the change feed and
//! verification.

use awc::http::StatusCode;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Value};

use crate::{
    backend_tests,
    environments::{cast, create_environment, Cast},
    helpers::{Reply, TestApp},
};

pub const HETU: &str = "150304A1233";
const SCOPES: &str = "certificates:read certificates:write";

pub struct Parties {
    pub cast: Cast,
    pub workshop: String,
    pub provider: String,
    pub other_provider: String,
    pub environment: String,
}

pub async fn parties(app: &TestApp) -> Parties {
    let cast = cast(app).await;
    let environment = create_environment(app, &cast.workshop_token, json!({})).await;
    Parties {
        workshop: app.token_for(&cast.workshop, SCOPES).await,
        provider: app.token_for(&cast.provider, SCOPES).await,
        other_provider: app.token_for(&cast.other_provider, SCOPES).await,
        environment,
        cast,
    }
}

pub fn certificate_body(environment: &str) -> Value {
    json!({
        "holder": {"given_names": "Aino Maria", "family_name": "Virtanen", "date_of_birth": "2004-03-15", "hetu": HETU},
        "learning_environment_ids": [environment],
        "start_date": "2026-02-01",
        "end_date": "2026-10-31",
        "hours": 480,
        "coach": {"name": "Maija Meikäläinen", "title": "työvalmentaja"},
        "language": "fi",
        "units": [{
            "qualification": "351204", "unit": "SAMPLE-107",
            "description": "Valmisti päivittäin lounasta noin 80 ruokailijalle.",
            "skills": [{"text": "Valmistaa lounaan annoskortin mukaan", "requirement_code": "R1"}],
            "hours": 320
        }],
        "other_competences": [{"name": "Hygieniaosaamistodistus", "framework": "Ruokavirasto"}]
    })
}

pub async fn draft(app: &TestApp, parties: &Parties) -> String {
    let reply = app
        .post_json_as(
            Some(&parties.workshop),
            "/v1/certificates",
            &certificate_body(&parties.environment),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body["id"].as_str().expect("id").to_owned()
}

/// Drafts a certificate of `body` as the workshop and issues it; its id.
pub async fn issued_from(app: &TestApp, parties: &Parties, body: &Value) -> String {
    let created = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates", body)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().expect("id").to_owned();
    issue(app, &parties.workshop, &id).await;
    id
}

pub async fn issue(app: &TestApp, token: &str, id: &str) -> Reply {
    let reply = app
        .post_json_as(
            Some(token),
            &format!("/v1/certificates/{id}/issue"),
            &serde_json::Value::Null,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply
}

/// Revokes an issued certificate as the workshop.
pub async fn revoke(app: &TestApp, parties: &Parties, id: &str) {
    let reply = app
        .post_json_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{id}/revoke"),
            &json!({"reason": "Annettu väärälle henkilölle."}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

/// Shares the certificate with `with` as the workshop, with written consent.
pub async fn share(app: &TestApp, parties: &Parties, id: &str, with: &str) -> Reply {
    app.post_json_as(
        Some(&parties.workshop),
        &format!("/v1/certificates/{id}/shares"),
        &json!({"organisation_id": with, "consent_given_on": "2026-11-02", "consent_method": "written"}),
    )
    .await
}

async fn feed(app: &TestApp, token: &str, after: i64) -> Reply {
    let reply = app
        .get_as(Some(token), &format!("/v1/certificates/feed?after={after}"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply
}

fn events(reply: &Reply) -> Vec<(String, String)> {
    reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            (
                item["event"].as_str().expect("event").to_owned(),
                item["certificate_id"].as_str().expect("certificate").to_owned(),
            )
        })
        .collect()
}

async fn a_draft_is_issued_frozen_and_revoked(app: TestApp) {
    let parties = parties(&app).await;
    let id = draft(&app, &parties).await;
    let path = format!("/v1/certificates/{id}");

    let patched = app
        .patch_json_as(
            Some(&parties.workshop),
            &path,
            Some("\"1\""),
            &json!({"hours": 500}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    assert_eq!(patched.body["hours"], 500);
    assert_eq!(
        patched.body["holder"]["hetu"], HETU,
        "the code survives a patch that leaves it out"
    );
    let stale = app
        .patch_json_as(
            Some(&parties.workshop),
            &path,
            Some("\"1\""),
            &json!({"hours": 1}),
        )
        .await;
    stale.assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");

    let issued = issue(&app, &parties.workshop, &id).await;
    assert_eq!(issued.body["status"], "issued");
    let code = issued.body["verification_code"]
        .as_str()
        .expect("code")
        .to_owned();
    assert_eq!(code.len(), 11);

    // Issued content never changes: every mutating route answers 409.
    let etag = issued.header("etag").expect("etag").to_owned();
    let patch = app
        .patch_json_as(Some(&parties.workshop), &path, Some(&etag), &json!({"hours": 1}))
        .await;
    patch.assert_problem(StatusCode::CONFLICT, "conflict");
    let delete = app.delete_as(Some(&parties.workshop), &path, Some(&etag)).await;
    delete.assert_problem(StatusCode::CONFLICT, "conflict");
    let again = app
        .post_json_as(
            Some(&parties.workshop),
            &format!("{path}/issue"),
            &serde_json::Value::Null,
        )
        .await;
    again.assert_problem(StatusCode::CONFLICT, "conflict");
    let unchanged = app.get_as(Some(&parties.workshop), &path).await;
    assert_eq!(unchanged.body["hours"], 500);

    // Only the issuer changes it.
    let by_other = app
        .post_json_as(
            Some(&parties.provider),
            &format!("{path}/revoke"),
            &json!({"reason": "Ei."}),
        )
        .await;
    by_other.assert_problem(StatusCode::NOT_FOUND, "not-found");

    let revoked = app
        .post_json_as(
            Some(&parties.workshop),
            &format!("{path}/revoke"),
            &json!({"reason": "Annettu väärälle henkilölle <script>alert(\"x\")</script> & muuta."}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
    assert_eq!(revoked.body["status"], "revoked");
    let twice = app
        .post_json_as(
            Some(&parties.workshop),
            &format!("{path}/revoke"),
            &json!({"reason": "Taas."}),
        )
        .await;
    twice.assert_problem(StatusCode::CONFLICT, "conflict");

    // Verification, public: the status, never the personal identity code or the birth date.
    let verified = app
        .get(&format!("/v1/verify/{}", code.to_lowercase().replace('-', "")))
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.text);
    assert_eq!(verified.body["genuine"], true);
    assert_eq!(verified.body["status"], "revoked");
    assert_eq!(
        verified.body["revocation_reason"],
        "Annettu väärälle henkilölle <script>alert(\"x\")</script> & muuta."
    );
    assert_eq!(verified.body["units"][0]["unit"]["code"], "SAMPLE-107");
    assert!(!verified.text.contains(HETU) && !verified.text.contains("2004-03-15"));
    let page = app.get(&format!("/verify/{code}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .header("content-type")
        .is_some_and(|value| value.starts_with("text/html")));
    assert!(
        page.text.contains(">Peruutettu</p>"),
        "the PDF's word: {}",
        page.text
    );
    assert!(!page.text.contains(HETU));
    // What a person wrote is shown as text, never as markup.
    assert!(!page.text.contains("<script>"), "{}", page.text);
    assert!(
        page.text
            .contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; muuta."),
        "{}",
        page.text
    );
    let unknown = app.get("/v1/verify/AAAAA-AAAAA").await;
    unknown.assert_problem(StatusCode::NOT_FOUND, "not-found");
    let unknown_page = app.get("/verify/AAAAA-AAAAA").await;
    assert_eq!(unknown_page.status, StatusCode::NOT_FOUND);

    // A draft can be deleted, an issued one cannot (above).
    let other = draft(&app, &parties).await;
    let deleted = app
        .delete_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{other}"),
            Some("\"1\""),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
}

async fn personal_identity_codes_are_checked_encrypted_and_never_shown_to_others(app: TestApp) {
    let parties = parties(&app).await;
    let mut body = certificate_body(&parties.environment);
    body["holder"]["hetu"] = json!("150304A1234");
    let wrong = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates", &body)
        .await;
    wrong.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(wrong.error_fields(), vec!["holder.hetu"]);
    assert!(
        !wrong.text.contains("150304A1234"),
        "the code is not echoed: {}",
        wrong.text
    );
    body["holder"]["hetu"] = json!(HETU);
    body["holder"]["date_of_birth"] = json!("2004-03-16");
    let mismatch = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates", &body)
        .await;
    assert_eq!(mismatch.error_fields(), vec!["holder.date_of_birth"]);

    let id = draft(&app, &parties).await;
    issue(&app, &parties.workshop, &id).await;

    // Stored encrypted: the column holds neither the code nor anything derived without the key.
    let stored = stored_hetu(&app, &id);
    let key = opinto_registry::certificates::protection::PersonalDataKey::load(
        &app.files_dir().join("personal-data-key"),
    )
    .expect("the service's key");
    assert!(stored.starts_with(&key.current_prefix()), "{stored}");
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(stored.rsplit(':').next().expect("body"))
        .expect("base64");
    assert!(!String::from_utf8_lossy(&sealed).contains("150304"), "{stored}");
    assert_eq!(key.decrypt(&stored).expect("the key opens it"), HETU);
    let other_key = opinto_registry::certificates::protection::PersonalDataKey::from_master(&[1; 32]);
    assert!(other_key.decrypt(&stored).is_err(), "no other key opens it");

    // Search by code, in the body; others find nothing of it.
    let search = |token: String| {
        let app = &app;
        async move {
            app.post_json_as(
                Some(&token),
                "/v1/certificates/search",
                &json!({"holder_hetu": HETU.to_lowercase()}),
            )
            .await
        }
    };
    let found = search(parties.workshop.clone()).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text);
    assert_eq!(found.body["items"][0]["id"], id.as_str());
    let not_shared = search(parties.provider.clone()).await;
    assert_eq!(not_shared.body["items"], json!([]));
    let hidden = app
        .get_as(Some(&parties.provider), &format!("/v1/certificates/{id}"))
        .await;
    hidden.assert_problem(StatusCode::NOT_FOUND, "not-found");
    let anonymous = app.get(&format!("/v1/certificates/{id}")).await;
    anonymous.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");

    // Reads are audited, and the audit log never holds the code.
    let audit_token = app.token_for(&parties.cast.workshop, "audit:read").await;
    let audit = app.get_as(Some(&audit_token), "/v1/audit?limit=200").await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.text);
    let reads = audit.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|entry| {
            ["read", "search_hit"].contains(&entry["action"].as_str().unwrap_or_default())
                && entry["resource_id"] == id.as_str()
        })
        .count();
    assert!(reads >= 1, "{}", audit.text);
    assert!(!audit.text.contains(HETU));

    // The credential names the holder but carries no personal identity code or birth date.
    let credential = app
        .get_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{id}/credential"),
        )
        .await;
    assert_eq!(credential.status, StatusCode::OK);
    let payload = decode_part(&credential.text, 1);
    let text = payload.to_string();
    assert!(!text.contains(HETU) && !text.contains("2004-03-15"), "{text}");

    // Nor does the log, whatever the level, although the requests that carried it are there.
    let malformed = app
        .post_json_as(
            Some(&parties.workshop),
            "/v1/certificates/search",
            &json!({"holder_hetu": HETU, "holder": HETU}),
        )
        .await;
    malformed.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert!(!malformed.text.contains(HETU), "{}", malformed.text);
    // The access log line of a search names the request and the client, never the code.
    let access = crate::logs::lines_containing("path=/v1/certificates/search");
    assert!(
        access.iter().any(|line| line.contains("served status=")
            && line.contains("client_id=")
            && line.contains("request_id=")),
        "{access:?}"
    );
    for code in [HETU, &HETU.to_lowercase(), "150304A1234"] {
        assert_eq!(crate::logs::lines_containing(code), Vec::<String>::new());
    }
}

fn stored_hetu(app: &TestApp, id: &str) -> String {
    use diesel::prelude::*;
    use opinto_registry::{db::Db, schema::certificates};
    let db = Db::connect(&app.database_url, 1).expect("database");
    let mut conn = db.get().expect("connection");
    certificates::table
        .find(id)
        .select(certificates::holder_hetu_encrypted)
        .first::<Option<String>>(&mut *conn)
        .expect("row")
        .expect("stored")
}

/// A part of a compact JWS (0 the header, 1 the payload), decoded without checking anything.
pub fn decode_part(jwt: &str, index: usize) -> Value {
    let part = jwt.split('.').nth(index).expect("part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

async fn sharing_gives_and_removes_read_access(app: TestApp) {
    let parties = parties(&app).await;
    let id = draft(&app, &parties).await;
    let not_issued = share(&app, &parties, &id, &parties.cast.provider).await;
    not_issued.assert_problem(StatusCode::CONFLICT, "conflict");
    issue(&app, &parties.workshop, &id).await;
    let to_workshop = share(&app, &parties, &id, &parties.cast.workshop).await;
    to_workshop.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    // Consent is recorded as given: a day that has not come yet is no consent.
    let future_consent = app
        .post_json_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{id}/shares"),
            &json!({"organisation_id": parties.cast.provider, "consent_given_on": "2999-01-01", "consent_method": "written"}),
        )
        .await;
    future_consent.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(future_consent.error_fields(), vec!["consent_given_on"]);

    let shared = share(&app, &parties, &id, &parties.cast.provider).await;
    assert_eq!(shared.status, StatusCode::OK, "{}", shared.text);
    assert_eq!(
        shared.body["shares"][0]["organisation"]["id"],
        parties.cast.provider.as_str()
    );
    let twice = share(&app, &parties, &id, &parties.cast.provider).await;
    twice.assert_problem(StatusCode::CONFLICT, "conflict");

    let read = app
        .get_as(Some(&parties.provider), &format!("/v1/certificates/{id}"))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(read.body["holder"]["hetu"], HETU);
    assert_eq!(
        read.body["shares"],
        json!([]),
        "whom else it is shared with is the issuer's business"
    );
    let listed = app
        .get_as(Some(&parties.provider), "/v1/certificates?unit=SAMPLE-107")
        .await;
    assert_eq!(listed.body["items"][0]["id"], id.as_str(), "{}", listed.text);
    let other_unit = app
        .get_as(Some(&parties.provider), "/v1/certificates?unit=SAMPLE-101")
        .await;
    assert_eq!(other_unit.body["items"], json!([]));
    let other = app
        .get_as(Some(&parties.other_provider), &format!("/v1/certificates/{id}"))
        .await;
    other.assert_problem(StatusCode::NOT_FOUND, "not-found");
    let other_list = app
        .get_as(Some(&parties.other_provider), "/v1/certificates")
        .await;
    assert_eq!(other_list.body["items"], json!([]));
    let by_reader = app
        .delete_as(
            Some(&parties.provider),
            &format!("/v1/certificates/{id}/shares/{}", parties.cast.provider),
            None,
        )
        .await;
    by_reader.assert_problem(StatusCode::FORBIDDEN, "forbidden");

    let provider_feed = feed(&app, &parties.provider, 0).await;
    assert_eq!(events(&provider_feed), vec![("shared".to_owned(), id.clone())]);

    let ended = app
        .delete_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{id}/shares/{}", parties.cast.provider),
            None,
        )
        .await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT, "{}", ended.text);
    let gone = app
        .get_as(Some(&parties.provider), &format!("/v1/certificates/{id}"))
        .await;
    gone.assert_problem(StatusCode::NOT_FOUND, "not-found");
    let last = provider_feed.body["last_position"].as_i64().expect("position");
    let after = feed(&app, &parties.provider, last).await;
    assert_eq!(events(&after), vec![("unshared".to_owned(), id.clone())]);
    let issuer_feed = feed(&app, &parties.workshop, 0).await;
    let kinds: Vec<String> = events(&issuer_feed).into_iter().map(|(kind, _)| kind).collect();
    assert_eq!(kinds, vec!["issued", "shared", "unshared"]);
    assert_eq!(issuer_feed.body["more"], false);

    // Read two at a time: the first page says there is more, the next one begins after it.
    let first = app
        .get_as(Some(&parties.workshop), "/v1/certificates/feed?limit=2")
        .await;
    assert_eq!(events(&first).len(), 2);
    assert_eq!(first.body["more"], true, "{}", first.text);
    let position = first.body["last_position"].as_i64().expect("position");
    let next = app
        .get_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/feed?limit=2&after={position}"),
        )
        .await;
    assert_eq!(events(&next), vec![("unshared".to_owned(), id.clone())]);
    assert_eq!(next.body["more"], false);
}

async fn a_correction_supersedes_and_inherits_shares(app: TestApp) {
    let parties = parties(&app).await;
    let old = draft(&app, &parties).await;
    let draft_supersede = app
        .post_json_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{old}/supersede"),
            &serde_json::Value::Null,
        )
        .await;
    draft_supersede.assert_problem(StatusCode::CONFLICT, "conflict");
    issue(&app, &parties.workshop, &old).await;
    assert_eq!(
        share(&app, &parties, &old, &parties.cast.provider).await.status,
        StatusCode::OK
    );

    let correction = app
        .post_json_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{old}/supersede"),
            &serde_json::Value::Null,
        )
        .await;
    assert_eq!(correction.status, StatusCode::CREATED, "{}", correction.text);
    assert_eq!(correction.body["status"], "draft");
    assert_eq!(correction.body["supersedes"], old.as_str());
    assert_eq!(correction.body["holder"]["hetu"], HETU);
    let new = correction.body["id"].as_str().expect("id").to_owned();
    let second = app
        .post_json_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{old}/supersede"),
            &serde_json::Value::Null,
        )
        .await;
    second.assert_problem(StatusCode::CONFLICT, "conflict");
    let fixed = app
        .patch_json_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{new}"),
            Some("\"1\""),
            &json!({"end_date": "2026-11-15"}),
        )
        .await;
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.text);
    issue(&app, &parties.workshop, &new).await;

    let old_now = app
        .get_as(Some(&parties.provider), &format!("/v1/certificates/{old}"))
        .await;
    assert_eq!(old_now.body["status"], "superseded", "{}", old_now.text);
    assert_eq!(old_now.body["superseded_by"], new.as_str());
    let new_now = app
        .get_as(Some(&parties.provider), &format!("/v1/certificates/{new}"))
        .await;
    assert_eq!(
        new_now.status,
        StatusCode::OK,
        "the correction is shared too: {}",
        new_now.text
    );
    assert_eq!(new_now.body["end_date"], "2026-11-15");
    let provider_events = events(&feed(&app, &parties.provider, 0).await);
    assert_eq!(
        provider_events,
        vec![
            ("shared".to_owned(), old.clone()),
            ("superseded".to_owned(), old.clone()),
            ("shared".to_owned(), new.clone()),
        ]
    );
    let code = old_now.body["verification_code"].as_str().expect("code");
    let verified = app.get(&format!("/v1/verify/{code}")).await;
    assert_eq!(verified.body["status"], "superseded");
    assert_eq!(
        verified.body["superseded_by_code"],
        new_now.body["verification_code"]
    );
    let page = app.get(&format!("/verify/{code}")).await;
    let successor = new_now.body["verification_code"].as_str().expect("code");
    assert!(
        page.text.contains(">Korvattu uudella todistuksella</p>")
            && page
                .text
                .contains(&format!("<a href=\"{successor}?lang=fi\">{successor}</a>")),
        "the page names and links the replacing certificate: {}",
        page.text
    );
}

/// Writers issue certificates concurrently while a reader polls the feed with the last position
/// it saw: it must end up with every event exactly once, in position order.
async fn the_feed_misses_nothing_under_concurrent_writers(app: TestApp) {
    const WRITERS: usize = 12;
    let parties = parties(&app).await;
    let mut drafts = Vec::new();
    for _ in 0..WRITERS {
        drafts.push(draft(&app, &parties).await);
    }
    let writers = futures_util::future::join_all(drafts.iter().map(|id| {
        let app = &app;
        let token = parties.workshop.clone();
        async move {
            let reply = app
                .post_json_as(
                    Some(&token),
                    &format!("/v1/certificates/{id}/issue"),
                    &serde_json::Value::Null,
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        }
    }));
    let reader = async {
        let mut seen: Vec<(i64, String)> = Vec::new();
        let mut after = 0;
        for _ in 0..400 {
            let batch = feed(&app, &parties.workshop, after).await;
            for item in batch.body["items"].as_array().expect("items") {
                let position = item["position"].as_i64().expect("position");
                assert!(position > after, "positions only grow");
                seen.push((position, item["certificate_id"].as_str().expect("id").to_owned()));
                after = position;
            }
            if seen.len() >= WRITERS {
                break;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        seen
    };
    let (_, seen) = futures_util::future::join(writers, reader).await;
    let mut certificates: Vec<String> = seen.iter().map(|(_, id)| id.clone()).collect();
    certificates.sort();
    let mut expected = drafts.clone();
    expected.sort();
    assert_eq!(certificates, expected, "every issue seen exactly once");
    let everything = feed(&app, &parties.workshop, 0).await;
    assert_eq!(everything.body["items"].as_array().expect("items").len(), WRITERS);
    assert_eq!(everything.body["more"], false);
}

async fn certificates_need_the_scope_and_an_own_organisation(app: TestApp) {
    let parties = parties(&app).await;
    let body = certificate_body(&parties.environment);
    let anonymous = app.post_json_as(None, "/v1/certificates", &body).await;
    anonymous.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    let wrong_scope = app
        .post_json_as(Some(&parties.cast.workshop_token), "/v1/certificates", &body)
        .await;
    wrong_scope.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let read_only = app.token_for(&parties.cast.workshop, "certificates:read").await;
    let cannot_write = app
        .post_json_as(Some(&read_only), "/v1/certificates", &body)
        .await;
    cannot_write.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    // Another organisation's environment cannot be named.
    let other_environment = create_environment(&app, &parties.cast.provider_token, json!({})).await;
    let foreign = app
        .post_json_as(
            Some(&parties.workshop),
            "/v1/certificates",
            &certificate_body(&other_environment),
        )
        .await;
    assert_eq!(foreign.error_fields(), vec!["learning_environment_ids[0]"]);
    let mut bad_unit = certificate_body(&parties.environment);
    bad_unit["units"][0]["unit"] = json!("SAMPLE-101");
    bad_unit["end_date"] = json!("2026-01-01");
    let invalid = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates", &bad_unit)
        .await;
    let mut fields = invalid.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["end_date", "units[0].unit"], "{}", invalid.text);
    // An environment a certificate names cannot be deleted.
    let id = draft(&app, &parties).await;
    assert!(!id.is_empty());
    let environment = app
        .get(&format!("/v1/learning-environments/{}", parties.environment))
        .await;
    let etag = environment.header("etag").expect("etag").to_owned();
    let deleted = app
        .delete_as(
            Some(&parties.cast.workshop_token),
            &format!("/v1/learning-environments/{}", parties.environment),
            Some(&etag),
        )
        .await;
    deleted.assert_problem(StatusCode::CONFLICT, "conflict");
}

/// The text lopdf reads off every page of a PDF: it also proves that the document parses.
pub fn pdf_text(bytes: &[u8]) -> String {
    let document = lopdf::Document::load_mem(bytes).expect("the PDF parses");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    assert!(!pages.is_empty());
    document.extract_text(&pages).expect("the text is readable")
}

/// The verification page speaks the certificate's language: its status, names and dates, with
/// links to the same page in the other languages.
async fn the_verify_page_speaks_the_certificates_language(app: TestApp) {
    let parties = parties(&app).await;
    letterhead(&app, &parties).await;
    let mut body = certificate_body(&parties.environment);
    body["language"] = json!("sv");
    let created = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates", &body)
        .await;
    let id = created.body["id"].as_str().expect("id");
    let issued = issue(&app, &parties.workshop, id).await;
    let code = issued.body["verification_code"].as_str().expect("code");
    let today = chrono::Utc::now().date_naive();
    let swedish_today = opinto_registry::locale::Language::Sv.date(today);

    let page = app.get(&format!("/verify/{code}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(page.header("content-language"), Some("sv"));
    for shown in [
        "<html lang=\"sv\">",
        "<h1>Kontroll av kompetensintyg</h1>",
        ">Giltigt</p>",
        "Raumo ungdomsverkstad",
        "1 februari 2026 – 31 oktober 2026",
        &format!("<dt>Utfärdat</dt><dd>{swedish_today}</dd>"),
        "Grundexamen inom fastighetsservice",
        "href=\"?lang=fi\" lang=\"fi\"",
    ] {
        assert!(page.text.contains(shown), "{shown:?} in {}", page.text);
    }
    assert!(page.text.contains("name=\"viewport\""));
    let finnish = app.get(&format!("/verify/{code}?lang=fi")).await;
    assert_eq!(finnish.header("content-language"), Some("fi"));
    for shown in [
        "<html lang=\"fi\">",
        ">Voimassa</p>",
        "Rauman nuorten työpaja",
        "1.2.2026 – 31.10.2026",
        &format!("<dt>Annettu</dt><dd>{}</dd>", today.format("%-d.%-m.%Y")),
        "Kiinteistöpalvelujen perustutkinto",
    ] {
        assert!(finnish.text.contains(shown), "{shown:?} in {}", finnish.text);
    }
    let english = app.get(&format!("/verify/{code}?lang=en")).await;
    assert!(
        english.text.contains("1 February 2026 – 31 October 2026"),
        "{}",
        english.text
    );
    app.get(&format!("/verify/{code}?lang=de"))
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "bad-request");
    let verified = app.get(&format!("/v1/verify/{code}")).await;
    assert_eq!(verified.body["language"], "sv");
}

/// Gives the workshop a business ID and a postal address, for its letterhead.
async fn letterhead(app: &TestApp, parties: &Parties) {
    let path = format!("/v1/organisations/{}", parties.cast.workshop);
    let current = app.get(&path).await;
    let etag = current.header("etag").expect("etag").to_owned();
    let address = json!({"business_id": "0112038-9", "name": {"sv": "Raumo ungdomsverkstad"},
        "address": {"street": "Nortamonkatu 18", "postal_code": "26100", "post_office": "Rauma"}});
    let patched = app.patch_json(&path, Some(&etag), &address).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    assert_eq!(
        patched.body["address"]["postal_code"], "26100",
        "{}",
        patched.text
    );
}

async fn certificates_print_as_pdf_with_their_verification_code(app: TestApp) {
    let parties = parties(&app).await;
    letterhead(&app, &parties).await;
    let id = draft(&app, &parties).await;
    let path = format!("/v1/certificates/{id}/pdf");
    let draft_pdf = app.get_as(Some(&parties.workshop), &path).await;
    assert_eq!(draft_pdf.status, StatusCode::OK, "{}", draft_pdf.text);
    assert!(pdf_text(&draft_pdf.bytes).contains("LUONNOS"));

    let issued = issue(&app, &parties.workshop, &id).await;
    let code = issued.body["verification_code"]
        .as_str()
        .expect("code")
        .to_owned();
    let reply = app.get_as(Some(&parties.workshop), &path).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/pdf"));
    assert!(reply.bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&reply.bytes);
    for printed in [
        code.as_str(),
        "Osaamistodistus",
        "Aino Maria Virtanen",
        "15.3.2004",
        "Rauman nuorten työpaja",
        "Y-tunnus 0112038-9 · Nortamonkatu 18, 26100 Rauma",
        "1.2.2026 – 31.10.2026, 480 tuntia",
        "SAMPLE-107",
        "351204",
        "Valmistaa lounaan annoskortin mukaan (R1)",
        "Hygieniaosaamistodistus (Ruokavirasto)",
        "Maija Meikäläinen\ntyövalmentaja",
        &format!("/verify/{code}"),
        &format!("Aino Maria Virtanen · Tarkistuskoodi {code} · sivu 1/1"),
    ] {
        assert!(text.contains(printed), "{printed:?} is printed in {text}");
    }
    let issued_on = format!("Annettu {}", chrono::Utc::now().format("%-d.%-m.%Y"));
    let signature = text.find("Maija Meikäläinen").expect("the coach signs");
    assert!(
        text.find(&issued_on).is_some_and(|at| at < signature),
        "the issue date stands above the signature: {text}"
    );
    assert!(!text.contains("LUONNOS"));
    let raw = String::from_utf8_lossy(&reply.bytes);
    assert!(
        !raw.contains(HETU) && !text.contains(HETU),
        "no personal identity code"
    );
    assert!(
        raw.contains("/URI"),
        "the QR code's area links to the verification page"
    );
    // Tagged for assistive technology: its language, a structure tree in reading order, the QR
    // code's text alternative, and the font embedded (no `?` for letters Helvetica lacks).
    for tagged in [
        "/Lang (fi)",
        "/Marked true",
        "/StructTreeRoot",
        "/S /Figure",
        "/Alt (QR",
        "/FontFile2",
    ] {
        assert!(raw.contains(tagged), "{tagged} in the PDF");
    }

    // Swedish, and marked when revoked.
    let mut body = certificate_body(&parties.environment);
    body["language"] = json!("sv");
    let swedish = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates", &body)
        .await;
    let swedish = swedish.body["id"].as_str().expect("id").to_owned();
    issue(&app, &parties.workshop, &swedish).await;
    let revoked = app
        .post_json_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{swedish}/revoke"),
            &json!({"reason": "Fel person."}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
    let printed = app
        .get_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{swedish}/pdf"),
        )
        .await;
    let text = pdf_text(&printed.bytes);
    assert!(
        text.contains("Kompetensintyg") && text.contains("ÅTERKALLAT"),
        "{text}"
    );
    assert!(
        text.contains("Raumo ungdomsverkstad"),
        "the issuer in Swedish: {text}"
    );
    assert!(text.contains("FO-nummer 0112038-9"), "{text}");

    // Others see nothing; reading it is audited like any read of the certificate.
    let outsider = app.get_as(Some(&parties.other_provider), &path).await;
    outsider.assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get_as(None, &path)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    let audit = app
        .get_as(
            Some(&app.admin_token),
            &format!("/v1/audit?resource_id={id}&limit=200"),
        )
        .await;
    let reads = audit.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|entry| entry["action"] == "pdf")
        .count();
    assert_eq!(reads, 2, "both printings are audited: {}", audit.text);
}

/// Names in Polish, Vietnamese, Sámi and Cyrillic letters print as written; letters no font of
/// the certificate has are refused, naming the field, instead of printing as boxes.
async fn names_in_every_alphabet_print_as_written(app: TestApp) {
    let parties = parties(&app).await;
    let mut body = certificate_body(&parties.environment);
    body["holder"]["given_names"] = json!("Łukasz Đức");
    body["holder"]["family_name"] = json!("Nguyễn-Čuđe");
    body["coach"] = json!({"name": "Máret Ŋuolggá", "title": "bargobagadalli"});
    body["units"][0]["skills"][0]["text"] = json!("Працює безпечно з ножами; Ǯǯ Ŧŧ Šš Žž");
    let id = issued_from(&app, &parties, &body).await;
    let printed = app
        .get_as(Some(&parties.workshop), &format!("/v1/certificates/{id}/pdf"))
        .await;
    assert_eq!(printed.status, StatusCode::OK, "{}", printed.text);
    let text = pdf_text(&printed.bytes);
    for written in [
        "Łukasz Đức Nguyễn-Čuđe",
        "Máret Ŋuolggá",
        "Працює безпечно з ножами; Ǯǯ Ŧŧ Šš Žž",
    ] {
        assert!(text.contains(written), "{written:?} is printed in {text}");
    }
    assert!(!text.contains('?') && !text.contains('\u{fffd}'), "{text}");

    // A long certificate runs over pages, each with the holder, the code and its number.
    body["units"][0]["skills"] = json!((1..=80)
        .map(|n| json!({"text": format!("Taito {n}: työskentelee ohjeiden mukaan ja pitää työpisteen siistinä")}))
        .collect::<Vec<_>>());
    let long = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates", &body)
        .await;
    let long = long.body["id"].as_str().expect("id").to_owned();
    let issued = issue(&app, &parties.workshop, &long).await;
    let code = issued.body["verification_code"].as_str().expect("code");
    let printed = app
        .get_as(Some(&parties.workshop), &format!("/v1/certificates/{long}/pdf"))
        .await;
    let document = lopdf::Document::load_mem(&printed.bytes).expect("the PDF parses");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    assert!(pages.len() >= 2, "{} pages", pages.len());
    for &page in &pages {
        let text = document.extract_text(&[page]).expect("text");
        let footer = format!(
            "Łukasz Đức Nguyễn-Čuđe · Tarkistuskoodi {code} · sivu {page}/{}",
            pages.len()
        );
        assert!(text.contains(&footer), "{footer:?} on page {page}: {text}");
    }

    body["holder"]["family_name"] = json!("山田");
    body["units"][0]["description"] = json!("ok 😀");
    let refused = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates", &body)
        .await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(
        refused.error_fields(),
        vec!["holder.family_name", "units[0].description"],
        "{}",
        refused.text
    );
    assert!(refused.text.contains("U+5C71"), "{}", refused.text);
}

backend_tests!(
    the_verify_page_speaks_the_certificates_language,
    names_in_every_alphabet_print_as_written,
    certificates_print_as_pdf_with_their_verification_code,
    a_draft_is_issued_frozen_and_revoked,
    personal_identity_codes_are_checked_encrypted_and_never_shown_to_others,
    sharing_gives_and_removes_read_access,
    a_correction_supersedes_and_inherits_shares,
    the_feed_misses_nothing_under_concurrent_writers,
    certificates_need_the_scope_and_an_own_organisation,
);

/// Each statement a certificate read runs (the whole certificate in one, or table by table as views
/// of several read them), and the counter update of every write that takes a feed position, is
/// planned once per connection on PostgreSQL. A statement it plans afresh on every execution (as it
/// does `= ANY($1)` given an array of one, or one diesel does not keep prepared) spent a quarter of
/// the server's time on planning.
#[actix_web::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "a PostgreSQL variant: set TEST_DATABASE_URL to run it"
)]
async fn certificate_reads_and_feed_positions_keep_their_plans_on_postgresql() {
    use diesel::{Connection, PgConnection};
    use opinto_registry::{certificates::repo, db::DbConnection, events};

    let Some((app, environment)) = crate::helpers::spawn_app(crate::helpers::Backend::Postgres).await else {
        return;
    };
    let parties = parties(&app).await;
    let id = issued_from(&app, &parties, &certificate_body(&parties.environment)).await;
    let shared = share(&app, &parties, &id, &parties.cast.provider).await;
    assert_eq!(shared.status, StatusCode::OK, "{}", shared.text);

    let mut conn = DbConnection::Pg(PgConnection::establish(&app.database_url).expect("connects"));
    let ids = [id.clone()];
    for _ in 0..8 {
        let (row, _) = repo::find_at_version(&mut conn, &id)
            .expect("reads")
            .expect("found");
        assert_eq!(row.id, id);
        assert_eq!(repo::units_of(&mut conn, &ids).expect("reads").len(), 1);
        assert_eq!(repo::environments_of(&mut conn, &ids).expect("reads").len(), 1);
        assert_eq!(repo::active_shares(&mut conn, &ids).expect("reads").len(), 1);
        let whole = repo::find_whole(&mut conn, &id).expect("reads").expect("found");
        let children = &whole.children;
        assert_eq!(
            (
                children.units.len(),
                children.environments.len(),
                children.shares.len()
            ),
            (1, 1, 1)
        );
        assert_eq!(children.environments[0].1.id, parties.environment);
        assert_eq!(children.shares[0].organisation_id, parties.cast.provider);
        // What every write that takes a feed position runs.
        let position = events::advance_counter(&mut conn, events::FEED_COUNTER, 0).expect("advances");
        assert!(position > 0, "issuing and sharing took positions");
    }
    let plans = crate::helpers::prepared_plans(&mut conn);
    assert_eq!(plans.len(), 6, "{plans:#?}");
    assert!(
        plans
            .iter()
            .any(|plan| plan.statement.contains("UPDATE counters")),
        "the counter's update is kept prepared: {plans:#?}"
    );
    for plan in &plans {
        assert!(
            plan.generic_plans > 0,
            "planned on every execution: {}",
            plan.statement
        );
    }
    drop(conn);
    environment.shut_down().await;
}
