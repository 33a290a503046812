//! The verification page a person reaches from the QR code on a printed certificate: in the
//! certificate's language (or the one chosen with `lang=`), with its names and dates written as
//! that language writes them.

use actix_web::{get, http::header, web, HttpRequest, HttpResponse};
use maud::{html as maud, Markup};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    dto::CertificateStatus,
    verification::{look_up, Verification},
    wording::status_word,
};
use crate::{db::Db, error::ApiError, extract::Query, html, locale::Language};

#[derive(Debug, Deserialize, IntoParams, validator::Validate)]
#[into_params(parameter_in = Query)]
pub struct VerifyPageQuery {
    /// The page's language; by default the certificate's own.
    #[param(inline)]
    pub lang: Option<Language>,
}

/// The words of the page in one language.
struct Words {
    title: &'static str,
    issuer: &'static str,
    holder: &'static str,
    period: &'static str,
    issued: &'static str,
    revoked: &'static str,
    reason: &'static str,
    successor: &'static str,
    units: &'static str,
    qualification: &'static str,
    languages: &'static str,
}

const FINNISH: Words = Words {
    title: "Osaamistodistuksen tarkistus",
    issuer: "Todistuksen antaja",
    holder: "Henkilö",
    period: "Ajanjakso",
    issued: "Annettu",
    revoked: "Peruutettu",
    reason: "Peruutuksen syy",
    successor: "Korvaava todistus",
    units: "Osoitettu osaaminen tutkinnon osittain",
    qualification: "Tutkinto",
    languages: "Kieli",
};

const SWEDISH: Words = Words {
    title: "Kontroll av kompetensintyg",
    issuer: "Utfärdare",
    holder: "Person",
    period: "Period",
    issued: "Utfärdat",
    revoked: "Återkallat",
    reason: "Grund för återkallelsen",
    successor: "Ersättande intyg",
    units: "Visad kompetens per examensdel",
    qualification: "Examen",
    languages: "Språk",
};

const ENGLISH: Words = Words {
    title: "Certificate verification",
    issuer: "Issued by",
    holder: "Holder",
    period: "Period",
    issued: "Issued",
    revoked: "Revoked",
    reason: "Reason for revocation",
    successor: "Replacing certificate",
    units: "Competence shown, by qualification unit",
    qualification: "Qualification",
    languages: "Language",
};

fn words(language: Language) -> &'static Words {
    match language {
        Language::Fi => &FINNISH,
        Language::Sv => &SWEDISH,
        Language::En => &ENGLISH,
    }
}

const STYLE: &str = "body{font-family:sans-serif;max-width:40em;margin:1em auto;padding:0 1em;\
line-height:1.5;color:#1a202c}h1{font-size:1.6em;line-height:1.25}h2{font-size:1.25em;line-height:1.3}.status{font-size:1.3em;font-weight:bold}.issued{color:#17652b}\
.revoked,.superseded,.unknown{color:#a61b1b}dt{font-weight:bold}dd{margin:0 0 .5em 0}\
nav ul{list-style:none;padding:0;display:flex;gap:1em;flex-wrap:wrap}a{color:#1a4f8b}";

/// The page in `language`: its title as the main heading, then `body`.
fn page(language: Language, body: Markup) -> String {
    let title = words(language).title;
    html::page(
        language.tag(),
        title,
        STYLE,
        maud! { main { h1 { (title) } (body) } },
    )
}

/// Links to the page in the other languages. Links are relative, so that they hold behind any
/// path prefix the service is published under.
fn other_languages(current: Language) -> Markup {
    html::other_languages(current, words(current).languages, |language| {
        format!("?lang={}", language.tag())
    })
}

fn status_class(status: Option<CertificateStatus>) -> &'static str {
    match status {
        Some(CertificateStatus::Issued) => "issued",
        Some(CertificateStatus::Revoked) => "revoked",
        Some(CertificateStatus::Superseded) => "superseded",
        _ => "unknown",
    }
}

/// The facts of the certificate as label and value, in `language`.
fn facts(verification: &Verification, language: Language) -> Vec<(&'static str, Markup)> {
    let words = words(language);
    let date = |day| language.date(day);
    let mut rows = Vec::new();
    if let Some(issuer) = &verification.issuer {
        rows.push((words.issuer, maud! { (issuer.name.get(language.tag())) }));
    }
    if let Some(name) = &verification.holder_name {
        rows.push((words.holder, maud! { (name) }));
    }
    if let (Some(start), Some(end)) = (verification.start_date, verification.end_date) {
        rows.push((words.period, maud! { (date(start)) " – " (date(end)) }));
    }
    if let Some(issued_at) = verification.issued_at {
        rows.push((words.issued, maud! { (date(issued_at.date_naive())) }));
    }
    if let Some(revoked_at) = verification.revoked_at {
        rows.push((words.revoked, maud! { (date(revoked_at.date_naive())) }));
    }
    if let Some(reason) = &verification.revocation_reason {
        rows.push((words.reason, maud! { (reason) }));
    }
    if let Some(successor) = &verification.superseded_by_code {
        let href = format!("{successor}?lang={}", language.tag());
        rows.push((words.successor, maud! { a href=(href) { (successor) } }));
    }
    rows
}

fn html_of(verification: &Verification, language: Language) -> String {
    let words = words(language);
    let status = verification
        .status
        .map(|status| status_word(status, language))
        .unwrap_or_default();
    page(
        language,
        maud! {
            p class={ "status " (status_class(verification.status)) } { (status) }
            dl { @for (label, value) in facts(verification, language) { dt { (label) } dd { (value) } } }
            @if !verification.units.is_empty() {
                h2 { (words.units) }
                ul {
                    @for unit in &verification.units {
                        li {
                            (unit.unit.name.get(language.tag())) " (" (unit.unit.code) ")"
                            br;
                            (words.qualification) ": " (unit.qualification.name.get(language.tag()))
                            " (" (unit.qualification.code) ")"
                            @if !unit.requirements.is_empty() {
                                ul {
                                    @for requirement in &unit.requirements {
                                        li { (requirement.text.get(language.tag())) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (other_languages(language))
        },
    )
}

/// The page when no certificate has the code, in all three languages.
fn not_found() -> String {
    page(
        Language::Fi,
        maud! {
            p class="status unknown" { "Tällä koodilla ei löydy todistusta." }
            p lang="sv" { "Inget intyg har denna kod." }
            p lang="en" { "No certificate has this code." }
        },
    )
}

/// The page when an address has tried too many unknown codes, in all three languages.
fn too_many(minutes: u64) -> String {
    page(
        Language::Fi,
        maud! {
            p class="status unknown" {
                "Tästä osoitteesta on kokeiltu liian monta tuntematonta koodia. Tarkista koodi ja yritä \
                 uudelleen " (minutes) " minuutin kuluttua."
            }
            p lang="sv" {
                "För många okända koder från denna adress. Kontrollera koden och försök igen om "
                (minutes) " minuter."
            }
            p lang="en" {
                "Too many unknown codes from this address. Check the code and try again in "
                (minutes) " minutes."
            }
        },
    )
}

/// The verification page a person reaches from the QR code on a printed certificate: its status
/// in words, issuer, holder, period, dates and units, in the certificate's language unless `lang`
/// asks for another.
#[utoipa::path(
    tag = "verification",
    params(("code" = String, Path, description = "The verification code"), VerifyPageQuery),
    responses(
        (status = 200, description = "The verification as a page", content_type = "text/html", body = String,
            headers(("Content-Language" = String, description = "The page's language"))),
        (status = 404, description = "No certificate has this code", content_type = "text/html", body = String),
        (status = 429, description = "Too many unknown codes from this address: a page saying when to try again", content_type = "text/html", body = String,
            headers(("Retry-After" = u64, description = "Seconds until unknown codes are looked up again"))),
    )
)]
#[get("/verify/{code}")]
pub async fn verify_page(
    db: web::Data<Db>,
    request: HttpRequest,
    code: web::Path<String>,
    Query(query): Query<VerifyPageQuery>,
) -> Result<HttpResponse, ApiError> {
    match look_up(&db, &request, code.into_inner()).await {
        Ok(verification) => {
            let language = query
                .lang
                .or(verification.language.map(Language::from))
                .unwrap_or_default();
            Ok(HttpResponse::Ok()
                .insert_header(header::ContentType::html())
                .insert_header((header::CONTENT_LANGUAGE, language.tag()))
                .body(html_of(&verification, language)))
        }
        Err(error) => html::refusal_page(error, not_found, |seconds| too_many(seconds.div_ceil(60))),
    }
}
