//! The holder's page: what the access link opens, for the person it belongs to, in Finnish,
//! Swedish or English, on a phone first. It loads nothing from anywhere else, sends no referrer,
//! and is never stored by caches; its only form withdraws consent to a share.

use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse};
use maud::{html as maud, Markup};

use super::{
    domain,
    dto::{Access, HolderCertificate, HolderShare, HolderView, PageQuery, Reader, WithdrawForm},
    handlers::with_link,
    words::{words, Words},
};
use crate::{
    audit::Actor,
    certificates::{credential::finnish_clock, protection::PersonalDataKey, wording::status_word},
    db::Db,
    error::ApiError,
    extract::{Form, Query},
    html,
    locale::Language,
    lookups::Lookups,
};

const STYLE: &str = "body{font-family:sans-serif;max-width:40em;margin:1em auto;padding:0 1em;\
line-height:1.5;color:#1a202c}h1{font-size:1.6em;line-height:1.25}h2{font-size:1.3em;line-height:1.3;\
margin-top:2em;border-top:1px solid #cbd5e0;padding-top:1em}h3{font-size:1.1em}.status{font-weight:bold}\
ul{padding-left:1.2em}li{margin:.3em 0}button{font-size:1em;padding:.5em 1em;min-height:44px}\
nav ul{list-style:none;padding:0;display:flex;gap:1em;flex-wrap:wrap}a{color:#1a4f8b}.note{color:#4a5568}";

/// A link of the page, with the secret and language it was opened with: relative, so that it
/// holds behind any path prefix the service is published under.
fn href(path: &str, access: &str, language: Language) -> String {
    format!("{path}?access={access}&lang={}", language.tag())
}

/// A moment as the holder's clock shows it: Finnish time, in the page's language.
fn moment(at: chrono::DateTime<chrono::Utc>, language: Language, words: &Words) -> String {
    let local = finnish_clock(at.naive_utc());
    let clock = local.format(if language == Language::En {
        "%H:%M"
    } else {
        "%-H.%M"
    });
    format!("{} {} {clock}", language.date(local.date()), words.at_clock)
}

fn access_line(access: &Access, language: Language, words: &Words) -> Markup {
    let who = match (&access.reader, &access.organisation) {
        (Reader::Organisation, Some(organisation)) => organisation.name.get(language.tag()).to_owned(),
        (Reader::Holder, _) => words.reader_holder.to_owned(),
        _ => words.reader_administrator.to_owned(),
    };
    maud! {
        li { (moment(access.at, language, words)) ": " strong { (who) } " – " ((words.purpose)(access.purpose)) }
    }
}

fn share_item(share: &HolderShare, (access, language): (&str, Language), words: &Words) -> Markup {
    let organisation = share.organisation.name.get(language.tag());
    maud! {
        li {
            strong { (organisation) } br;
            (words.consent_given) " " (language.date(share.consent_given_on)) " (" ((words.consent_method)(share.consent_method)) "), "
            (words.shared_on) " " (moment(share.shared_at, language, words)) "."
            br;
            @if let Some(ended) = share.ended_at {
                (words.share_ended) " " (moment(ended, language, words)) "."
            } @else {
                form method="post" action="holder/withdraw" {
                    input type="hidden" name="access" value=(access);
                    input type="hidden" name="share_id" value=(share.id);
                    input type="hidden" name="lang" value=(language.tag());
                    button type="submit" aria-label={ (words.withdraw) ": " (organisation) } { (words.withdraw) }
                }
            }
        }
    }
}

fn certificate_section(
    certificate: &HolderCertificate,
    (access, language): (&str, Language),
    words: &Words,
) -> Markup {
    let period = format!(
        "{} – {}",
        language.date(certificate.start_date),
        language.date(certificate.end_date)
    );
    let download = |what: &str| format!("v1/holder/certificates/{}/{what}?access={access}", certificate.id);
    maud! {
        section aria-labelledby={ "c-" (certificate.id) } {
            h2 id={ "c-" (certificate.id) } { (words.certificate) " " (period) }
            p class="status" { (status_word(certificate.status, language)) }
            ul { @for unit in &certificate.units { li { (unit.name.get(language.tag())) " (" (unit.code) ")" } } }
            ul {
                li { a href=(download("pdf")) { (words.download_pdf) } }
                li { a href=(download("credential")) { (words.download_credential) } }
                @if let Some(code) = &certificate.verification_code {
                    li { a href={ "verify/" (code) "?lang=" (language.tag()) } { (words.verification_page) } }
                }
            }
            h3 { (words.reads) }
            @if certificate.accesses.is_empty() {
                p { (words.no_reads) }
            } @else {
                ul { @for read in &certificate.accesses { (access_line(read, language, words)) } }
            }
            h3 { (words.shares) }
            @if certificate.shares.is_empty() {
                p { (words.no_shares) }
            } @else {
                ul { @for share in &certificate.shares { (share_item(share, (access, language), words)) } }
            }
        }
    }
}

fn other_languages(access: &str, current: Language) -> Markup {
    html::other_languages(current, words(current).languages, |language| {
        href("holder", access, language)
    })
}

fn page_of(view: &HolderView, access: &str, language: Language) -> String {
    let words = words(language);
    let issuer = view.issuer.name.get(language.tag());
    let body = maud! {
        main {
            h1 { (words.title) }
            p { (view.given_names) " " (view.family_name) }
            p { (words.intro_issuer) " " strong { (issuer) } ". " (words.intro) }
            @for certificate in &view.certificates { (certificate_section(certificate, (access, language), words)) }
            p class="note" { (words.privacy) }
            (other_languages(access, language))
        }
    };
    html::page(language.tag(), words.title, STYLE, body)
}

/// A page saying something went wrong, in all three languages.
fn problem_page(texts: [&str; 3]) -> String {
    html::page(
        "fi",
        "Omat todistukseni – Mina intyg – My certificates",
        STYLE,
        maud! { main { p { (texts[0]) } p lang="sv" { (texts[1]) } p lang="en" { (texts[2]) } } },
    )
}

/// The error as a page for people: an unknown link, too many tries, or what the API would say.
fn error_page(error: ApiError) -> Result<HttpResponse, ApiError> {
    let not_found = || {
        problem_page([
            "Linkki ei ole käytössä. Pyydä todistuksen antajalta uusi linkki.",
            "Länken används inte. Be utfärdaren av intyget om en ny länk.",
            "This link is not in use. Ask the issuer of your certificate for a new one.",
        ])
    };
    let too_many = |_| {
        problem_page([
            "Tästä osoitteesta on kokeiltu liian monta tuntematonta linkkiä. Yritä myöhemmin uudelleen.",
            "För många okända länkar från denna adress. Försök igen senare.",
            "Too many unknown links from this address. Try again later.",
        ])
    };
    html::refusal_page(error, not_found, too_many)
}

/// The holder's page: their certificates from one issuer, who read each and when and for what,
/// with whom each is shared, a button to withdraw consent to each share, and downloads of the PDF
/// and the signed credential. In the newest certificate's language unless `lang` asks for another.
#[utoipa::path(
    tag = "holders",
    params(PageQuery),
    responses(
        (status = 200, description = "The holder's page", content_type = "text/html", body = String,
            headers(("Content-Language" = String, description = "The page's language"), ("Cache-Control" = String, description = "`no-store`"))),
        (status = 404, description = "No access link in use has this secret", content_type = "text/html", body = String),
        (status = 429, description = "Too many unknown secrets from this address", content_type = "text/html", body = String,
            headers(("Retry-After" = u64, description = "Seconds until this address is heard again"))),
    )
)]
#[get("/holder")]
pub async fn holder_page(
    db: web::Data<Db>,
    (key, lookups): (web::Data<PersonalDataKey>, web::Data<Lookups>),
    request: HttpRequest,
    Query(query): Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let secret = query.access.clone();
    let found = with_link(&db, &request, secret, move |conn, link| {
        domain::view(conn, link, (&lookups, &key))
    })
    .await;
    let view = match found {
        Ok(view) => view,
        Err(error) => return error_page(error),
    };
    let language = query
        .lang
        .or(view
            .certificates
            .first()
            .map(|certificate| certificate.language.into()))
        .unwrap_or_default();
    Ok(HttpResponse::Ok()
        .insert_header(header::ContentType::html())
        .insert_header((header::CONTENT_LANGUAGE, language.tag()))
        .body(page_of(&view, &query.access, language)))
}

/// The page's form: the holder withdraws consent to a share (see the API's
/// `POST /v1/holder/shares/{share_id}/withdraw`), then sees the page again.
#[utoipa::path(
    tag = "holders",
    request_body(content = WithdrawForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Withdrawn: back to the page",
            headers(("Location" = String, description = "The holder's page"))),
        (status = 404, description = "No access link in use has this secret, or the share is not of its certificates", content_type = "text/html", body = String),
        (status = 413, description = "The form is over the size limit", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not a form (`application/x-www-form-urlencoded`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many unknown secrets from this address", content_type = "text/html", body = String),
    )
)]
#[post("/holder/withdraw")]
pub async fn withdraw_form(
    db: web::Data<Db>,
    request: HttpRequest,
    Form(form): Form<WithdrawForm>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::holder(&request);
    let share_id = form.share_id.clone();
    let done = with_link(&db, &request, form.access.clone(), move |conn, link| {
        domain::withdraw(conn, link, &share_id, &actor)
    })
    .await;
    if let Err(error) = done {
        return error_page(error);
    }
    let back = href("../holder", &form.access, form.lang.unwrap_or_default());
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, back))
        .finish())
}
