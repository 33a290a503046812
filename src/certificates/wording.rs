//! A certificate's status in words, the same on paper and on the verification page.

use super::dto::CertificateStatus;
use crate::locale::Language;

/// The status as a reader is told it: `Voimassa`, `Peruutettu`, …
pub fn status_word(status: CertificateStatus, language: Language) -> &'static str {
    use CertificateStatus::*;
    match (language, status) {
        (Language::Fi, Draft) => "Luonnos – ei voimassa oleva todistus",
        (Language::Fi, Issued) => "Voimassa",
        (Language::Fi, Revoked) => "Peruutettu",
        (Language::Fi, Superseded) => "Korvattu uudella todistuksella",
        (Language::Sv, Draft) => "Utkast – inte ett giltigt intyg",
        (Language::Sv, Issued) => "Giltigt",
        (Language::Sv, Revoked) => "Återkallat",
        (Language::Sv, Superseded) => "Ersatt av ett nytt intyg",
        (Language::En, Draft) => "Draft – not a valid certificate",
        (Language::En, Issued) => "Valid",
        (Language::En, Revoked) => "Revoked",
        (Language::En, Superseded) => "Superseded by a new certificate",
    }
}

/// What the paper says above its content: nothing for an issued certificate, otherwise its status
/// in capitals (`PERUUTETTU`), the same word the verification page shows.
pub fn status_on_paper(status: CertificateStatus, language: Language) -> Option<String> {
    (status != CertificateStatus::Issued).then(|| status_word(status, language).to_uppercase())
}
