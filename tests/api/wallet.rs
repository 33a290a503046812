//! Certificates delivered to digital wallets (OpenID for Verifiable Credential Issuance 1.0), with
//! a wallet written here: its own P-256 key, offer → token with PIN → nonce → proof → credential.

use awc::http::StatusCode;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use p256::{elliptic_curve::sec1::ToEncodedPoint, pkcs8::EncodePrivateKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::{
    backend_tests,
    certificates::{certificate_body, issued_from, parties, pdf_text, revoke, Parties},
    helpers::{Reply, TestApp},
};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
const SD_JWT: &str = "competence_certificate_dc_sd_jwt";
const OPEN_BADGE: &str = "open_badge_jwt_vc_json";

/// The wallet: a P-256 key of its own.
struct Wallet {
    key: EncodingKey,
    jwk: Value,
}

impl Wallet {
    fn new(seed: u8) -> Self {
        let secret = p256::SecretKey::from_slice(&[seed; 32]).expect("a P-256 key");
        let point = secret.public_key().to_encoded_point(false);
        let coordinate =
            |bytes: Option<&p256::FieldBytes>| URL_SAFE_NO_PAD.encode(bytes.expect("a coordinate"));
        let der = secret.to_pkcs8_der().expect("PKCS#8");
        Self {
            key: EncodingKey::from_ec_der(der.as_bytes()),
            jwk: json!({"kty": "EC", "crv": "P-256", "x": coordinate(point.x()), "y": coordinate(point.y())}),
        }
    }

    fn proof_with(&self, header: Header, claims: &Value) -> String {
        jsonwebtoken::encode(&header, claims, &self.key).expect("a proof")
    }

    fn proof(&self, audience: &str, nonce: &str) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("openid4vci-proof+jwt".to_owned());
        header.jwk = Some(serde_json::from_value(self.jwk.clone()).expect("a JWK"));
        self.proof_with(header, &json!({"aud": audience, "iat": now(), "nonce": nonce}))
    }

    fn did(&self) -> String {
        // The issuer canonicalises the JWK (members sorted, as serde_json keeps them).
        format!("did:jwk:{}", URL_SAFE_NO_PAD.encode(self.jwk.to_string()))
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A new offer of certificate `id` by its issuer.
async fn offer(app: &TestApp, parties: &Parties, id: &str) -> Value {
    let reply = app
        .post_json_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{id}/wallet-offers"),
            &Value::Null,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let location = reply.header("location").expect("a Location").to_owned();
    assert_eq!(
        location,
        format!(
            "/v1/certificates/{id}/wallet-offers/{}",
            reply.body["id"].as_str().expect("id")
        )
    );
    reply.body
}

fn code_of(offer: &Value) -> String {
    offer["credential_offer"]["grants"][GRANT]["pre-authorized_code"]
        .as_str()
        .expect("a pre-authorized code")
        .to_owned()
}

async fn token_request(app: &TestApp, code: &str, pin: &str) -> Reply {
    app.post_form(
        "/oauth/token",
        &[
            ("grant_type", GRANT),
            ("pre-authorized_code", code),
            ("tx_code", pin),
        ],
    )
    .await
}

async fn access_token(app: &TestApp, offer: &Value) -> String {
    let reply = token_request(app, &code_of(offer), offer["tx_code"].as_str().expect("a PIN")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert!(reply.body.get("scope").is_none(), "{}", reply.text);
    reply.body["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

async fn nonce(app: &TestApp) -> String {
    let reply = app.post_json_as(None, "/oid4vci/nonce", &Value::Null).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    reply.body["c_nonce"].as_str().expect("a c_nonce").to_owned()
}

async fn request_credential(app: &TestApp, token: &str, configuration: &str, proof: &str) -> Reply {
    app.post_json_as(
        Some(token),
        "/oid4vci/credential",
        &json!({"credential_configuration_id": configuration, "proofs": {"jwt": [proof]}}),
    )
    .await
}

fn assert_oauth_error(reply: &Reply, error: &str) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.body["error"], error, "{}", reply.text);
}

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

/// Verifies a JWT with the published JWK whose kid its header names.
async fn verified(app: &TestApp, jwt: &str, keys_path: &str) -> (Value, Value) {
    let header = decode(jwt.split('.').next().expect("a header"));
    let keys = app.get(keys_path).await;
    let keys = if keys.body["jwks"].is_object() {
        &keys.body["jwks"]["keys"]
    } else {
        &keys.body["keys"]
    };
    let jwk = keys
        .as_array()
        .expect("keys")
        .iter()
        .find(|key| key["kid"] == header["kid"])
        .unwrap_or_else(|| panic!("no published key {}", header["kid"]))
        .clone();
    let key = DecodingKey::from_jwk(&serde_json::from_value(jwk).expect("a JWK")).expect("a key");
    let algorithm: Algorithm = header["alg"]
        .as_str()
        .expect("alg")
        .parse()
        .expect("an algorithm");
    let mut validation = Validation::new(algorithm);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .expect("the signature verifies")
        .claims;
    (header, claims)
}

/// The disclosures of an SD-JWT by digest, each decoded.
fn disclosures(parts: &[&str]) -> Vec<(String, Value)> {
    parts
        .iter()
        .filter(|part| !part.is_empty())
        .map(|part| {
            (
                URL_SAFE_NO_PAD.encode(Sha256::digest(part.as_bytes())),
                decode(part),
            )
        })
        .collect()
}

fn disclosed<'a>(all: &'a [(String, Value)], digest: &Value) -> &'a Value {
    &all.iter()
        .find(|(known, _)| Some(known.as_str()) == digest.as_str())
        .unwrap_or_else(|| panic!("no disclosure for {digest}"))
        .1
}

async fn token_status_bit(app: &TestApp, uri: &str, index: usize) -> u8 {
    let path = uri
        .split_once("/v1/")
        .map(|(_, rest)| format!("/v1/{rest}"))
        .expect("a path");
    let reply = app.get(&path).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/statuslist+jwt"));
    let (header, claims) = verified(app, &reply.text, "/v1/credential-keys").await;
    assert_eq!(header["typ"], "statuslist+jwt");
    assert_eq!(claims["sub"], uri);
    let compressed = URL_SAFE_NO_PAD
        .decode(claims["status_list"]["lst"].as_str().expect("lst"))
        .expect("base64url");
    let mut bits = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::ZlibDecoder::new(&compressed[..]), &mut bits)
        .expect("zlib");
    (bits[index / 8] >> (index % 8)) & 1
}

/// The whole flow with both formats: the metadata a wallet starts from, the offer by reference,
/// the PIN, a nonce and a proof for each credential; an SD-JWT VC whose disclosures match its
/// digests, bound to the wallet's key, and whose token status list flips when the certificate is
/// revoked; every delivery listed and audited.
async fn a_wallet_receives_the_certificate_in_both_formats(app: TestApp) {
    let parties = parties(&app).await;
    let id = issued_from(&app, &parties, &certificate_body(&parties.environment)).await;
    let metadata = app.get("/.well-known/openid-credential-issuer").await;
    assert_eq!(metadata.status, StatusCode::OK, "{}", metadata.text);
    let issuer = metadata.body["credential_issuer"]
        .as_str()
        .expect("an issuer")
        .to_owned();
    assert_eq!(
        metadata.body["credential_configurations_supported"][SD_JWT]["format"],
        "dc+sd-jwt"
    );
    let server = app.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(server.body["token_endpoint"], format!("{issuer}/oauth/token"));
    assert_eq!(
        server.body["pre-authorized_grant_anonymous_access_supported"],
        true
    );

    let offered = offer(&app, &parties, &id).await;
    let pin = offered["tx_code"].as_str().expect("a PIN");
    assert!(pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()), "{pin}");
    assert!(offered["offer_url"]
        .as_str()
        .expect("a URL")
        .starts_with("openid-credential-offer://?credential_offer_uri="));
    assert!(offered["qr_code_svg"]
        .as_str()
        .expect("a QR code")
        .starts_with("<svg"));
    let by_reference = offered["credential_offer_uri"].as_str().expect("a URI");
    let fetched = app.get(&by_reference.replacen(&issuer, "", 1)).await;
    assert_eq!(fetched.status, StatusCode::OK, "{}", fetched.text);
    assert_eq!(fetched.body, offered["credential_offer"]);

    let wallet = Wallet::new(7);
    let token = access_token(&app, &offered).await;
    let reply = request_credential(
        &app,
        &token,
        OPEN_BADGE,
        &wallet.proof(&issuer, &nonce(&app).await),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let open_badge = reply.body["credentials"][0]["credential"]
        .as_str()
        .expect("a credential");
    let (_, badge) = verified(&app, open_badge, "/v1/credential-keys").await;
    assert_eq!(badge["credentialSubject"]["id"], wallet.did());
    assert_eq!(badge["sub"], wallet.did());
    assert!(badge["type"]
        .as_array()
        .expect("types")
        .contains(&json!("OpenBadgeCredential")));
    let checked = app
        .post_json_as(None, "/v1/verify", &json!({"credential": open_badge}))
        .await;
    assert_eq!(
        checked.body["genuine"], true,
        "the registry verifies the wallet's copy: {}",
        checked.text
    );
    assert_eq!(checked.body["status"], "issued");

    let reply = request_credential(&app, &token, SD_JWT, &wallet.proof(&issuer, &nonce(&app).await)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let sd_jwt = reply.body["credentials"][0]["credential"]
        .as_str()
        .expect("a credential");
    assert!(sd_jwt.ends_with('~'));
    let parts: Vec<&str> = sd_jwt.split('~').collect();
    let organisation = parties.cast.workshop.clone();
    let (header, claims) = verified(
        &app,
        parts[0],
        &format!("/.well-known/jwt-vc-issuer/v1/issuers/{organisation}"),
    )
    .await;
    assert_eq!(header["typ"], "dc+sd-jwt");
    assert_eq!(header["alg"], "ES256");
    assert_eq!(claims["iss"], format!("{issuer}/v1/issuers/{organisation}"));
    assert_eq!(
        claims["vct"],
        format!("{issuer}/v1/credential-types/work-based-learning-certificate")
    );
    assert_eq!(claims["cnf"]["jwk"], wallet.jwk);
    assert_eq!(claims["_sd_alg"], "sha-256");
    // Nothing personal in plain sight: the name and birth date are only in disclosures.
    for hidden in ["given_name", "family_name", "birthdate", "verification_url"] {
        assert!(claims.get(hidden).is_none(), "{hidden} is disclosed always");
    }
    assert!(
        !parts[0].contains("Virtanen")
            && !String::from_utf8_lossy(
                &URL_SAFE_NO_PAD
                    .decode(parts[0].split('.').nth(1).expect("payload"))
                    .expect("b64")
            )
            .contains("Virtanen")
    );
    let all = disclosures(&parts[1..]);
    let named: Vec<&Value> = claims["_sd"]
        .as_array()
        .expect("_sd")
        .iter()
        .map(|digest| disclosed(&all, digest))
        .collect();
    assert!(
        named.iter().any(|d| d[1] == "family_name" && d[2] == "Virtanen"),
        "{named:?}"
    );
    assert!(
        named.iter().any(|d| d[1] == "birthdate" && d[2] == "2004-03-15"),
        "{named:?}"
    );
    let unit = disclosed(&all, &claims["units"][0]["..."])[1].clone();
    assert_eq!(unit["code"], "SAMPLE-107");
    let skill = disclosed(&all, &unit["skills"][0]["..."]);
    assert!(skill[1]["text"].is_string(), "{skill}");
    let others = claims["other_competences"]
        .as_array()
        .expect("other competences")
        .len();
    let skills = unit["skills"].as_array().expect("skills").len();
    assert_eq!(
        all.len(),
        4 + 1 + skills + others,
        "one disclosure each: holder, link, unit, skills, others"
    );

    let uri = claims["status"]["status_list"]["uri"]
        .as_str()
        .expect("a status list")
        .to_owned();
    let index =
        usize::try_from(claims["status"]["status_list"]["idx"].as_i64().expect("idx")).expect("an index");
    assert_eq!(token_status_bit(&app, &uri, index).await, 0);
    revoke(&app, &parties, &id).await;
    assert_eq!(
        token_status_bit(&app, &uri, index).await,
        1,
        "revoking flips the token status list too"
    );
    let refused = request_credential(&app, &token, SD_JWT, &wallet.proof(&issuer, &nonce(&app).await)).await;
    assert_oauth_error(&refused, "credential_request_denied");

    let listed = app
        .get_as(
            Some(&parties.workshop),
            &format!("/v1/certificates/{id}/wallet-offers"),
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let deliveries = listed.body[0]["deliveries"].as_array().expect("deliveries");
    assert_eq!(deliveries.len(), 2, "{}", listed.text);
    assert_eq!(listed.body[0]["state"], "redeemed");
    assert!(listed.body[0].get("tx_code").is_none(), "the PIN is shown once");
    assert_eq!(audited(&app, "wallet_delivery", &id), 2);
    assert_eq!(audited(&app, "wallet_offer", &id), 1);
}

fn audited(app: &TestApp, action: &str, id: &str) -> i64 {
    use diesel::prelude::*;
    use opinto_registry::{db::Db, schema::audit_log};
    let db = Db::connect(&app.database_url, 1).expect("database");
    let mut conn = db.get().expect("connection");
    audit_log::table
        .filter(audit_log::action.eq(action))
        .filter(audit_log::resource_id.eq(id))
        .count()
        .get_result(&mut *conn)
        .expect("a count")
}

/// Wrong PINs count down and then kill the offer; a code works once; an expired offer is dead;
/// none of them answers by reference any more.
async fn pins_are_limited_and_codes_work_once(app: TestApp) {
    let parties = parties(&app).await;
    let id = issued_from(&app, &parties, &certificate_body(&parties.environment)).await;
    let offered = offer(&app, &parties, &id).await;
    let (code, pin) = (
        code_of(&offered),
        offered["tx_code"].as_str().expect("a PIN").to_owned(),
    );
    let wrong = if pin == "000000" { "111111" } else { "000000" };
    for left in (0..5).rev() {
        let reply = token_request(&app, &code, wrong).await;
        assert_oauth_error(&reply, "invalid_grant");
        let description = reply.body["error_description"].as_str().expect("a description");
        assert!(
            left == 0 || description.contains(&format!("{left} tries left")),
            "{description}"
        );
    }
    assert_oauth_error(&token_request(&app, &code, &pin).await, "invalid_grant");
    let uri = offered["credential_offer_uri"].as_str().expect("a URI");
    let path = &uri[uri.find("/oid4vci").expect("a path")..];
    app.get(path)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");

    // Guesses sent all at once get no more tries than guesses sent one by one.
    let rushed = offer(&app, &parties, &id).await;
    let rushed_code = code_of(&rushed);
    let rushed_wrong = if rushed["tx_code"] == "000000" {
        "111111"
    } else {
        "000000"
    };
    let guesses = (0..12).map(|_| token_request(&app, &rushed_code, rushed_wrong));
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|reply| {
            reply.body["error_description"]
                .as_str()
                .is_some_and(|why| why.contains("PIN is wrong"))
        })
        .count();
    assert_eq!(
        checked,
        5,
        "{:?}",
        answers.iter().map(|reply| &reply.text).collect::<Vec<_>>()
    );
    let rushed_pin = rushed["tx_code"].as_str().expect("a PIN");
    assert_oauth_error(
        &token_request(&app, &rushed_code, rushed_pin).await,
        "invalid_grant",
    );

    let again = offer(&app, &parties, &id).await;
    access_token(&app, &again).await;
    let replayed = token_request(&app, &code_of(&again), again["tx_code"].as_str().expect("a PIN")).await;
    assert_oauth_error(&replayed, "invalid_grant");
    let missing = app
        .post_form(
            "/oauth/token",
            &[("grant_type", GRANT), ("pre-authorized_code", &code_of(&again))],
        )
        .await;
    assert_oauth_error(&missing, "invalid_request");

    let expiring = offer(&app, &parties, &id).await;
    expire_offers(&app);
    let expired = token_request(
        &app,
        &code_of(&expiring),
        expiring["tx_code"].as_str().expect("a PIN"),
    )
    .await;
    assert_oauth_error(&expired, "invalid_grant");
    assert!(expired.body["error_description"]
        .as_str()
        .expect("why")
        .contains("expired"));
}

fn expire_offers(app: &TestApp) {
    use diesel::prelude::*;
    use opinto_registry::{db::Db, schema::wallet_offers};
    let db = Db::connect(&app.database_url, 1).expect("database");
    let mut conn = db.get().expect("connection");
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
    diesel::update(wallet_offers::table)
        .set(wallet_offers::expires_at.eq(past))
        .execute(&mut *conn)
        .expect("offers expire");
}

/// A proof must carry a nonce from the nonce endpoint, once, be for this issuer, of the proof type,
/// and come with a valid access token; an unknown configuration is named.
async fn proofs_must_be_fresh_and_for_this_issuer(app: TestApp) {
    let parties = parties(&app).await;
    let id = issued_from(&app, &parties, &certificate_body(&parties.environment)).await;
    let issuer = app.get("/.well-known/openid-credential-issuer").await.body["credential_issuer"]
        .as_str()
        .expect("an issuer")
        .to_owned();
    let wallet = Wallet::new(9);
    let token = access_token(&app, &offer(&app, &parties, &id).await).await;

    let made_up = request_credential(&app, &token, SD_JWT, &wallet.proof(&issuer, "made-up")).await;
    assert_oauth_error(&made_up, "invalid_nonce");
    let elsewhere = request_credential(
        &app,
        &token,
        SD_JWT,
        &wallet.proof("https://other.example", &nonce(&app).await),
    )
    .await;
    assert_oauth_error(&elsewhere, "invalid_proof");
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some("JWT".to_owned());
    header.jwk = Some(serde_json::from_value(wallet.jwk.clone()).expect("a JWK"));
    let untyped = wallet.proof_with(
        header,
        &json!({"aud": issuer, "iat": now(), "nonce": nonce(&app).await}),
    );
    assert_oauth_error(
        &request_credential(&app, &token, SD_JWT, &untyped).await,
        "invalid_proof",
    );
    let stale = {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("openid4vci-proof+jwt".to_owned());
        header.kid = Some(format!("{}#0", wallet.did()));
        wallet.proof_with(
            header,
            &json!({"aud": issuer, "iat": now() - 3600, "nonce": nonce(&app).await}),
        )
    };
    assert_oauth_error(
        &request_credential(&app, &token, SD_JWT, &stale).await,
        "invalid_proof",
    );
    let unknown = request_credential(&app, &token, "mdoc", &wallet.proof(&issuer, &nonce(&app).await)).await;
    assert_oauth_error(&unknown, "unknown_credential_configuration");

    let used = nonce(&app).await;
    let first = request_credential(&app, &token, OPEN_BADGE, &wallet.proof(&issuer, &used)).await;
    assert_eq!(
        first.status,
        StatusCode::OK,
        "a did:jwk kid works as a jwk does: {}",
        first.text
    );
    assert_oauth_error(
        &request_credential(&app, &token, OPEN_BADGE, &wallet.proof(&issuer, &used)).await,
        "invalid_nonce",
    );

    let anonymous = app
        .post_json_as(
            None,
            "/oid4vci/credential",
            &json!({"credential_configuration_id": SD_JWT}),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{}", anonymous.text);
    let foreign = request_credential(
        &app,
        &parties.workshop,
        SD_JWT,
        &wallet.proof(&issuer, &nonce(&app).await),
    )
    .await;
    assert_eq!(
        foreign.status,
        StatusCode::UNAUTHORIZED,
        "an API token is not a wallet's: {}",
        foreign.text
    );
    assert!(foreign
        .header("www-authenticate")
        .is_some_and(|value| value.contains("invalid_token")));
}

/// Only the issuer offers and sees offers; a draft has nothing to offer.
async fn only_the_issuer_offers_issued_certificates(app: TestApp) {
    let parties = parties(&app).await;
    let id = issued_from(&app, &parties, &certificate_body(&parties.environment)).await;
    let path = format!("/v1/certificates/{id}/wallet-offers");
    app.post_json_as(None, &path, &Value::Null)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    app.post_json_as(Some(&parties.provider), &path, &Value::Null)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get_as(Some(&parties.other_provider), &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    let reader = app.token_for(&parties.cast.workshop, "certificates:read").await;
    app.post_json_as(Some(&reader), &path, &Value::Null)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let draft = app
        .post_json_as(
            Some(&parties.workshop),
            "/v1/certificates",
            &certificate_body(&parties.environment),
        )
        .await;
    let draft_path = format!(
        "/v1/certificates/{}/wallet-offers",
        draft.body["id"].as_str().expect("id")
    );
    app.post_json_as(Some(&parties.workshop), &draft_path, &Value::Null)
        .await
        .assert_problem(StatusCode::CONFLICT, "conflict");
    let offered = offer(&app, &parties, &id).await;
    let one = app
        .get_as(
            Some(&parties.workshop),
            &format!("{path}/{}", offered["id"].as_str().expect("id")),
        )
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    assert_eq!(one.body["state"], "offered");
    assert!(app.get(&path).await.status == StatusCode::UNAUTHORIZED);

    // The handout: the certificate's PDF with the offer's QR code, never the PIN.
    let handout_url = offered["handout_url"].as_str().expect("a handout");
    let handout = app.get_as(Some(&parties.workshop), handout_url).await;
    assert_eq!(handout.status, StatusCode::OK, "{}", handout.text);
    assert_eq!(handout.header("content-type"), Some("application/pdf"));
    let text = pdf_text(&handout.bytes);
    assert!(
        text.contains("digitaaliseen lompakkoon") && text.contains("Koodi on voimassa"),
        "{text}"
    );
    let pin = offered["tx_code"].as_str().expect("a PIN");
    assert!(!text.contains(pin), "the PIN is handed over apart: {text}");
    let guessed = handout_url.replace("code=", "code=x");
    app.get_as(Some(&parties.workshop), &guessed)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get_as(Some(&parties.provider), handout_url)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    access_token(&app, &offered).await;
    let redeemed = app.get_as(Some(&parties.workshop), handout_url).await;
    redeemed.assert_problem(StatusCode::NOT_FOUND, "not-found");
}

backend_tests!(
    a_wallet_receives_the_certificate_in_both_formats,
    pins_are_limited_and_codes_work_once,
    proofs_must_be_fresh_and_for_this_issuer,
    only_the_issuer_offers_issued_certificates,
);
