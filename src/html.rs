//! Pages people read: one layout, markup from `maud`, which escapes every value it is given
//! unless told otherwise (only the fixed style sheets are).

use actix_web::{http::header, HttpResponse};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::{error::ApiError, locale::Language};

/// A whole page in `lang`, with a fixed style sheet and a viewport for phones.
pub fn page(lang: &str, title: &str, style: &'static str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang=(lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(style)) }
            }
            body { (body) }
        }
    }
    .into_string()
}

/// Links to a page in the other languages, each named and marked in its own language; `label`
/// names the navigation in the current one, and `href` makes a link's address.
pub fn other_languages(current: Language, label: &str, href: impl Fn(Language) -> String) -> Markup {
    let names = [
        (Language::Fi, "Suomeksi"),
        (Language::Sv, "På svenska"),
        (Language::En, "In English"),
    ];
    html! {
        nav aria-label=(label) {
            ul {
                @for (language, name) in names.iter().filter(|(language, _)| *language != current) {
                    li { a href=(href(*language)) lang=(language.tag()) hreflang=(language.tag()) { (name) } }
                }
            }
        }
    }
}

/// A refusal answered as a page for people: 404 with the `not_found` page, 429 with `Retry-After`
/// and the `too_many` page (given the seconds to wait); any other error stays a problem document.
pub fn refusal_page(
    error: ApiError,
    not_found: impl FnOnce() -> String,
    too_many: impl FnOnce(u64) -> String,
) -> Result<HttpResponse, ApiError> {
    let page = header::ContentType::html();
    match error {
        ApiError::NotFound { .. } => Ok(HttpResponse::NotFound().insert_header(page).body(not_found())),
        ApiError::TooManyRequests { retry_after_secs } => Ok(HttpResponse::TooManyRequests()
            .insert_header(page)
            .insert_header((header::RETRY_AFTER, retry_after_secs.to_string()))
            .body(too_many(retry_after_secs))),
        error => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use maud::html;

    #[test]
    fn values_are_escaped_in_text_and_attributes() {
        let hostile = r#"<script>alert("x")</script>' &"#;
        let page = super::page("fi", hostile, "p{}", html! { p title=(hostile) { (hostile) } });
        assert!(!page.contains("<script>"), "{page}");
        assert!(
            page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;' &amp;"),
            "{page}"
        );
        assert!(page.starts_with("<!DOCTYPE html><html lang=\"fi\">"), "{page}");
    }
}
