//! Finnish, Swedish and English conventions for what people read: dates and decimals.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A language of the pages, reports and documents people read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Fi,
    Sv,
    En,
}

const SWEDISH_MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
const ENGLISH_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Language {
    /// The BCP 47 tag, for `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Fi => "fi",
            Language::Sv => "sv",
            Language::En => "en",
        }
    }

    /// The one of three texts that is in this language.
    pub fn pick<'a>(self, fi: &'a str, sv: &'a str, en: &'a str) -> &'a str {
        match self {
            Language::Fi => fi,
            Language::Sv => sv,
            Language::En => en,
        }
    }

    /// A day as the language writes it: `6.12.2026`, `6 december 2026`, `6 December 2026`.
    pub fn date(self, day: NaiveDate) -> String {
        let month = day.month0() as usize;
        match self {
            Language::Fi => day.format("%-d.%-m.%Y").to_string(),
            Language::Sv => format!("{} {} {}", day.day(), SWEDISH_MONTHS[month], day.year()),
            Language::En => format!("{} {} {}", day.day(), ENGLISH_MONTHS[month], day.year()),
        }
    }

    /// A number of tenths with one decimal: `42,9` in Finnish and Swedish, `42.9` in English.
    pub fn tenths(self, tenths: u64) -> String {
        let separator = if self == Language::En { '.' } else { ',' };
        format!("{}{separator}{}", tenths / 10, tenths % 10)
    }

    /// The language a request prefers by its `Accept-Language`, if it names one of ours.
    pub fn preferred(request: &actix_web::HttpRequest) -> Option<Language> {
        use actix_web::http::header::{AcceptLanguage, Header};
        let accepted = AcceptLanguage::parse(request).ok()?;
        accepted.ranked().into_iter().find_map(|preference| {
            let tag = preference.item()?.primary_language().to_ascii_lowercase();
            match tag.as_str() {
                "fi" => Some(Language::Fi),
                "sv" => Some(Language::Sv),
                "en" => Some(Language::En),
                _ => None,
            }
        })
    }
}

impl From<crate::certificates::dto::CertificateLanguage> for Language {
    fn from(language: crate::certificates::dto::CertificateLanguage) -> Self {
        use crate::certificates::dto::CertificateLanguage as Certificate;
        match language {
            Certificate::Fi => Language::Fi,
            Certificate::Sv => Language::Sv,
            Certificate::En => Language::En,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_decimals_follow_each_language() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap_or_default();
        assert_eq!(Language::Fi.date(day), "5.3.2026");
        assert_eq!(Language::Sv.date(day), "5 mars 2026");
        assert_eq!(Language::En.date(day), "5 March 2026");
        assert_eq!(Language::Fi.tenths(429), "42,9");
        assert_eq!(Language::En.tenths(1000), "100.0");
        assert_eq!(Language::Sv.tenths(5), "0,5");
    }
}
