//! The holder's access link: made at issue and shown once, the holder's view of who read their
//! certificates, the withdrawal of consent, and an attacker guessing links.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::{
    backend_tests,
    certificates::{certificate_body, decode_part, draft, parties, share, Parties},
    helpers::{Reply, TestApp},
};

/// Issues the draft as the workshop, with an `Idempotency-Key` of its own: the same each time.
async fn issue_with_key(app: &TestApp, parties: &Parties, id: &str) -> Reply {
    app.post_json_with_key(
        &parties.workshop,
        &format!("/v1/certificates/{id}/issue"),
        &format!("issue-{id}"),
        &Value::Null,
    )
    .await
}

/// Drafts and issues a certificate as the workshop; its id and the holder's link's secret.
async fn issued_with_link(app: &TestApp, parties: &Parties) -> (String, String) {
    let id = draft(app, parties).await;
    let issued = issue_with_key(app, parties, &id).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text);
    assert_eq!(issued.header("cache-control"), Some("no-store"));
    (id, secret_of(&issued.body["holder_access"]))
}

/// The secret a `holder_access` carries, checking both its addresses name it.
fn secret_of(access: &Value) -> String {
    let url = access["url"].as_str().expect("a url");
    let secret = url.split_once("/holder?access=").expect("the holder's page").1;
    assert!(secret.len() >= 43, "a 256-bit secret: {url}");
    let handout = access["handout_url"].as_str().expect("a handout url");
    assert!(
        handout.ends_with(&format!("/pdf?holder_access={secret}")),
        "{handout}"
    );
    secret.to_owned()
}

async fn share_with_provider(app: &TestApp, parties: &Parties, id: &str) {
    let shared = share(app, parties, id, &parties.cast.provider).await;
    assert_eq!(shared.status, StatusCode::OK, "{}", shared.text);
}

/// The holder withdraws consent to a share through the API.
async fn withdraw(app: &TestApp, share_id: &str, secret: &str) -> Reply {
    app.post_json_as(
        None,
        &format!("/v1/holder/shares/{share_id}/withdraw?access={secret}"),
        &Value::Null,
    )
    .await
}

async fn holder_view(app: &TestApp, secret: &str) -> Reply {
    app.get(&format!("/v1/holder?access={secret}")).await
}

async fn the_link_is_shown_once_and_opens_the_holders_view(app: TestApp) {
    let parties = parties(&app).await;
    let (id, secret) = issued_with_link(&app, &parties).await;

    // Shown once: neither a read nor a retry of the issue shows it again.
    let read = app
        .get_as(Some(&parties.workshop), &format!("/v1/certificates/{id}"))
        .await;
    assert!(read.body.get("holder_access").is_none(), "{}", read.text);
    let again = issue_with_key(&app, &parties, &id).await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert!(again.body.get("holder_access").is_none(), "{}", again.text);
    assert!(!again.text.contains(&secret));

    let view = holder_view(&app, &secret).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.text);
    assert_eq!(view.header("cache-control"), Some("no-store"));
    assert_eq!(view.body["given_names"], "Aino Maria");
    assert_eq!(view.body["issuer"]["id"], parties.cast.workshop.as_str());
    let certificates = view.body["certificates"].as_array().expect("certificates");
    assert_eq!(certificates.len(), 1);
    assert_eq!(certificates[0]["id"], id.as_str());
    assert_eq!(certificates[0]["status"], "issued");
    // Never the identity code or the birth date: the link opens without identification.
    assert!(!view.text.contains("150304"), "{}", view.text);
    assert!(!view.text.contains("2004-03-15"), "{}", view.text);

    // The holder downloads the PDF and the credential, and sees those reads as their own.
    let pdf = app
        .get(&format!("/v1/holder/certificates/{id}/pdf?access={secret}"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    let credential = app
        .get(&format!(
            "/v1/holder/certificates/{id}/credential?access={secret}"
        ))
        .await;
    assert_eq!(credential.status, StatusCode::OK);
    assert_eq!(credential.text.split('.').count(), 3, "a compact JWS");
    let view = holder_view(&app, &secret).await;
    let purposes: Vec<(&str, &str)> = view.body["certificates"][0]["accesses"]
        .as_array()
        .expect("accesses")
        .iter()
        .map(|access| {
            (
                access["purpose"].as_str().expect("a purpose"),
                access["reader"].as_str().expect("a reader"),
            )
        })
        .collect();
    // Newest first; the issuer's own read above is there too.
    assert_eq!(
        purposes,
        [
            ("credential", "holder"),
            ("pdf", "holder"),
            ("read", "organisation")
        ]
    );

    // Another certificate's id is not the holder's.
    let elsewhere = app
        .get(&format!(
            "/v1/holder/certificates/01939999-0000-7000-8000-000000000000/pdf?access={secret}"
        ))
        .await;
    elsewhere.assert_problem(StatusCode::NOT_FOUND, "not-found");
}

async fn the_holder_sees_a_providers_read_and_withdrawing_consent_ends_its_access(app: TestApp) {
    let parties = parties(&app).await;
    let (id, secret) = issued_with_link(&app, &parties).await;
    share_with_provider(&app, &parties, &id).await;
    let path = format!("/v1/certificates/{id}");
    let read = app.get_as(Some(&parties.provider), &path).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let printed = app.get_as(Some(&parties.provider), &format!("{path}/pdf")).await;
    assert_eq!(printed.status, StatusCode::OK);

    let view = holder_view(&app, &secret).await;
    let certificate = &view.body["certificates"][0];
    let by_provider: Vec<&str> = certificate["accesses"]
        .as_array()
        .expect("accesses")
        .iter()
        .filter(|access| access["organisation"]["id"] == parties.cast.provider.as_str())
        .map(|access| {
            assert_eq!(access["reader"], "organisation");
            access["purpose"].as_str().expect("a purpose")
        })
        .collect();
    assert_eq!(by_provider, ["pdf", "read"], "newest first: {}", view.text);
    let share = &certificate["shares"][0];
    assert_eq!(share["organisation"]["id"], parties.cast.provider.as_str());
    assert_eq!(share["consent_method"], "written");
    assert_eq!(share["ended_at"], Value::Null);
    let share_id = share["id"].as_str().expect("a share id");

    // A wrong secret withdraws nothing.
    let guessed = withdraw(&app, share_id, "not-the-secret").await;
    guessed.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(
        app.get_as(Some(&parties.provider), &path).await.status,
        StatusCode::OK
    );

    let withdrawn = withdraw(&app, share_id, &secret).await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text);
    assert_ne!(
        withdrawn.body["certificates"][0]["shares"][0]["ended_at"],
        Value::Null
    );
    app.get_as(Some(&parties.provider), &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");

    // The provider's feed hears of it, and the issuer's audit log says the holder withdrew.
    let feed = app.get_as(Some(&parties.provider), "/v1/certificates/feed").await;
    let events: Vec<&str> = feed.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["event"].as_str().expect("an event"))
        .collect();
    assert_eq!(events, ["shared", "unshared"]);
    let audit_token = app.token_for(&parties.cast.workshop, "audit:read").await;
    let audit = app
        .get_as(
            Some(&audit_token),
            &format!("/v1/audit?resource_id={id}&limit=200"),
        )
        .await;
    let withdrawal = audit.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|entry| entry["action"] == "withdraw_consent")
        .unwrap_or_else(|| panic!("no withdrawal in {}", audit.text));
    assert_eq!(withdrawal["client_id"], Value::Null);
    assert!(!audit.text.contains(&secret));

    // Withdrawing again changes nothing.
    let again = withdraw(&app, share_id, &secret).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
}

async fn the_page_is_for_people_and_its_form_withdraws_consent(app: TestApp) {
    let parties = parties(&app).await;
    let (id, secret) = issued_with_link(&app, &parties).await;
    share_with_provider(&app, &parties, &id).await;
    let read = app
        .get_as(Some(&parties.provider), &format!("/v1/certificates/{id}"))
        .await;
    assert_eq!(read.status, StatusCode::OK);

    let page = app.get(&format!("/holder?access={secret}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page
        .header("content-type")
        .is_some_and(|value| value.starts_with("text/html")));
    assert_eq!(page.header("content-language"), Some("fi"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    let policy = page.header("content-security-policy").expect("a policy");
    assert!(
        policy.contains("default-src 'none'") && policy.contains("form-action 'self'"),
        "{policy}"
    );
    for text in [
        "Omat todistukseni",
        "Kuka on lukenut tietojasi",
        "luki todistuksen",
        "Peru suostumus",
    ] {
        assert!(page.text.contains(text), "{text} missing: {}", page.text);
    }
    assert!(
        !page.text.contains("http://") && !page.text.contains("https://"),
        "nothing from elsewhere"
    );
    // Its links are relative to /holder and lead where they say.
    let pdf_link = format!("v1/holder/certificates/{id}/pdf?access={secret}");
    assert!(
        page.text.contains(&format!("href=\"{pdf_link}\"")),
        "{}",
        page.text
    );
    let downloaded = app.get(&format!("/{pdf_link}")).await;
    assert_eq!(downloaded.header("content-type"), Some("application/pdf"));
    let english = app.get(&format!("/holder?access={secret}&lang=en")).await;
    assert!(
        english.text.contains("Who has read your records"),
        "{}",
        english.text
    );
    assert!(english.text.contains("<html lang=\"en\">"));

    let view = holder_view(&app, &secret).await;
    let share_id = view.body["certificates"][0]["shares"][0]["id"]
        .as_str()
        .expect("a share")
        .to_owned();
    // A form with a field the page never sends, or a body that is not a form, is refused.
    let unknown = app
        .post_form(
            "/holder/withdraw",
            &[("access", &secret), ("share_id", &share_id), ("extra", "x")],
        )
        .await;
    unknown.assert_problem(StatusCode::BAD_REQUEST, "bad-request");
    let not_a_form = app
        .post_json_as(
            None,
            "/holder/withdraw",
            &json!({"access": secret, "share_id": share_id}),
        )
        .await;
    not_a_form.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    assert_eq!(
        app.get_as(Some(&parties.provider), &format!("/v1/certificates/{id}"))
            .await
            .status,
        StatusCode::OK
    );

    let withdrawn = app
        .post_form(
            "/holder/withdraw",
            &[("access", &secret), ("share_id", &share_id), ("lang", "sv")],
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER, "{}", withdrawn.text);
    assert_eq!(
        withdrawn.header("location"),
        Some(format!("../holder?access={secret}&lang=sv").as_str())
    );
    app.get_as(Some(&parties.provider), &format!("/v1/certificates/{id}"))
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    let page = app.get(&format!("/holder?access={secret}&lang=sv")).await;
    assert!(page.text.contains("Delningen upphörde"), "{}", page.text);
    assert!(!page.text.contains("Återkalla samtycket"), "{}", page.text);
}

async fn guessing_links_is_slowed_per_address(app: TestApp) {
    let parties = parties(&app).await;
    let (_, secret) = issued_with_link(&app, &parties).await;
    let unknown = app
        .get("/holder?access=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown.text.contains("This link is not in use"),
        "{}",
        unknown.text
    );
    for attempt in 1..10 {
        let guess = holder_view(&app, &format!("guess-{attempt}")).await;
        guess.assert_problem(StatusCode::NOT_FOUND, "not-found");
    }
    // Past ten unknown secrets, the address is refused whatever it sends, the right one too.
    let refused = holder_view(&app, &secret).await;
    refused.assert_problem(StatusCode::TOO_MANY_REQUESTS, "too-many-requests");
    assert!(refused.header("retry-after").is_some());
    let page = app.get(&format!("/holder?access={secret}")).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.text.contains("Too many unknown links"), "{}", page.text);
}

async fn the_issuer_makes_a_new_link_or_ends_them(app: TestApp) {
    let parties = parties(&app).await;
    let (id, first) = issued_with_link(&app, &parties).await;
    let path = format!("/v1/certificates/{id}/holder-link");

    // Only the issuer: not the provider, not without a token.
    share_with_provider(&app, &parties, &id).await;
    let by_provider = app
        .post_json_as(Some(&parties.provider), &path, &Value::Null)
        .await;
    assert!(
        [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&by_provider.status),
        "{}",
        by_provider.text
    );
    app.post_json_as(None, &path, &Value::Null)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");

    let made = app
        .post_json_as(Some(&parties.workshop), &path, &Value::Null)
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    assert_eq!(made.header("cache-control"), Some("no-store"));
    let second = secret_of(&made.body);
    assert_ne!(first, second);
    holder_view(&app, &first)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(holder_view(&app, &second).await.status, StatusCode::OK);

    // The handout prints the link; a link that does not open this holder's records is refused.
    let handout = app
        .get_as(
            Some(&parties.workshop),
            made.body["handout_url"].as_str().expect("a handout url"),
        )
        .await;
    assert_eq!(handout.status, StatusCode::OK);
    assert_eq!(handout.header("content-type"), Some("application/pdf"));
    app.get_as(
        Some(&parties.workshop),
        &format!("/v1/certificates/{id}/pdf?holder_access={first}"),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND, "not-found");

    let ended = app.delete_as(Some(&parties.workshop), &path, None).await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT, "{}", ended.text);
    holder_view(&app, &second)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.delete_as(Some(&parties.workshop), &path, None)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");

    // A draft has no holder to link to.
    let draft_path = format!("/v1/certificates/{}/holder-link", draft(&app, &parties).await);
    app.post_json_as(Some(&parties.workshop), &draft_path, &Value::Null)
        .await
        .assert_problem(StatusCode::CONFLICT, "conflict");
}

async fn an_administrator_imports_a_paper_certificate_on_its_own_day(app: TestApp) {
    let parties = parties(&app).await;
    let mut certificate = certificate_body(&parties.environment);
    certificate["issuer_organisation_id"] = json!(parties.cast.workshop);
    certificate["start_date"] = json!("2021-01-11");
    certificate["end_date"] = json!("2021-05-28");
    let body = json!({"issued_on": "2021-06-11", "certificate": certificate});

    // Only administrators.
    let by_workshop = app
        .post_json_as(Some(&parties.workshop), "/v1/certificates/import", &body)
        .await;
    by_workshop.assert_problem(StatusCode::FORBIDDEN, "forbidden");

    let imported = app.post_json("/v1/certificates/import", &body).await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.text);
    assert_eq!(imported.body["status"], "issued");
    assert_eq!(imported.body["imported"], true);
    assert_eq!(imported.body["issued_at"], "2021-06-11T00:00:00Z");
    let secret = secret_of(&imported.body["holder_access"]);
    let id = imported.body["id"].as_str().expect("an id");
    let location = imported.header("location").expect("a location");
    assert_eq!(location, format!("/v1/certificates/{id}"));

    // Valid from the paper's day, signed today.
    let credential = app
        .get_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{id}/credential"),
        )
        .await;
    let payload = decode_part(&credential.text, 1);
    assert_eq!(payload["validFrom"], "2021-06-11T00:00:00Z");
    let signed = payload["iat"].as_i64().expect("iat");
    assert!(signed - payload["nbf"].as_i64().expect("nbf") > 365 * 24 * 3600);
    assert!((signed - chrono::Utc::now().timestamp()).abs() < 300);
    let view = holder_view(&app, &secret).await;
    assert_eq!(view.body["certificates"][0]["imported"], true);

    // Not in the future, not before its period began: both named.
    let mut wrong = body.clone();
    wrong["issued_on"] = json!("2099-01-01");
    let future = app.post_json("/v1/certificates/import", &wrong).await;
    future.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(future.error_fields(), ["issued_on"]);
    wrong["issued_on"] = json!("2020-12-31");
    let early = app.post_json("/v1/certificates/import", &wrong).await;
    assert_eq!(early.error_fields(), ["issued_on"]);
    // The content's own faults are named inside `certificate`, beside the day's.
    wrong["certificate"]["learning_environment_ids"] = json!(["01939999-0000-7000-8000-000000000000"]);
    let both = app.post_json("/v1/certificates/import", &wrong).await;
    both.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    let mut fields = both.error_fields();
    fields.sort_unstable();
    assert_eq!(fields, ["certificate.learning_environment_ids[0]", "issued_on"]);
}

backend_tests!(
    the_link_is_shown_once_and_opens_the_holders_view,
    the_holder_sees_a_providers_read_and_withdrawing_consent_ends_its_access,
    the_page_is_for_people_and_its_form_withdraws_consent,
    guessing_links_is_slowed_per_address,
    the_issuer_makes_a_new_link_or_ends_them,
    an_administrator_imports_a_paper_certificate_on_its_own_day,
);
