//! Localized names and the text normalization that makes Finnish search case- and accent-insensitive
//! on both backends (SQLite's `lower()` and `LIKE` fold ASCII only).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

/// The longest name the service stores, in characters.
pub const MAX_NAME_CHARS: u64 = 300;

/// A name in Finnish, Swedish and English as the national registers give it; Finnish is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"fi": "Kiinteistöpalvelujen perustutkinto", "sv": "Grundexamen inom fastighetsservice", "en": "Vocational qualification in property services"}))]
pub struct LocalizedText {
    #[validate(length(min = 1, max = 300), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 300, pattern = r"\S")]
    pub fi: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(min = 1, max = 300), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 300, pattern = r"\S")]
    pub sv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(min = 1, max = 300), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 300, pattern = r"\S")]
    pub en: Option<String>,
}

impl LocalizedText {
    pub fn new(fi: impl Into<String>, sv: Option<String>, en: Option<String>) -> Self {
        Self {
            fi: fi.into(),
            sv,
            en,
        }
    }

    /// The text in `language` (`fi`, `sv`, `en`), or in Finnish when it has none in that language.
    pub fn get(&self, language: &str) -> &str {
        match language {
            "sv" => self.sv.as_deref(),
            "en" => self.en.as_deref(),
            _ => None,
        }
        .unwrap_or(&self.fi)
    }

    /// Every language variant, normalized and joined, for a `LIKE` search over all of them.
    pub fn search_key(&self) -> String {
        [Some(&self.fi), self.sv.as_ref(), self.en.as_ref()]
            .into_iter()
            .flatten()
            .map(|text| normalize_for_search(text))
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// The same text with surrounding white space removed from every variant.
    pub fn trimmed(self) -> Self {
        Self {
            fi: self.fi.trim().to_owned(),
            sv: self.sv.map(|text| text.trim().to_owned()),
            en: self.en.map(|text| text.trim().to_owned()),
        }
    }
}

pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new("blank").with_message("must not be blank".into()));
    }
    Ok(())
}

/// Lower case, without diacritics (`Työpaja` and `tyopaja` both become `tyopaja`), white space collapsed.
pub fn normalize_for_search(text: &str) -> String {
    let mut normalized = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.chars().flat_map(char::to_lowercase) {
        if ch.is_whitespace() {
            pending_space = !normalized.is_empty();
            continue;
        }
        // Combining marks of decomposed input (a + U+0308) are dropped like the precomposed ones.
        if ('\u{0300}'..='\u{036f}').contains(&ch) {
            continue;
        }
        if pending_space {
            normalized.push(' ');
            pending_space = false;
        }
        normalized.push(fold_diacritic(ch));
    }
    normalized
}

fn fold_diacritic(ch: char) -> char {
    match ch {
        'ä' | 'å' | 'á' | 'à' | 'â' | 'ã' => 'a',
        'ö' | 'ø' | 'ó' | 'ò' | 'ô' | 'õ' => 'o',
        'ü' | 'ú' | 'ù' | 'û' => 'u',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'š' => 's',
        'ž' => 'z',
        'ç' => 'c',
        'ñ' => 'n',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

/// A `LIKE` pattern matching `needle` anywhere, with `\` as the escape character.
pub fn contains_pattern(needle: &str) -> String {
    format!("%{}%", escape_like(&normalize_for_search(needle)))
}

/// A `LIKE` pattern (escape `\`) matching text that starts with `prefix` as written.
pub fn prefix_pattern(prefix: &str) -> String {
    format!("{}%", escape_like(prefix))
}

/// `%`, `_` and `\` stand for themselves.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(ch);
    }
    escaped
}

/// The three name columns every localized row has, as one value.
pub fn localized(fi: &str, sv: &Option<String>, en: &Option<String>) -> LocalizedText {
    LocalizedText::new(fi, sv.clone(), en.clone())
}

/// The values sorted, each once: the lists of ids and codes a record links to.
pub fn sorted_unique(values: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut values: Vec<String> = values.into_iter().collect();
    values.sort();
    values.dedup();
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finnish_letters_fold_to_ascii() {
        assert_eq!(normalize_for_search("Työpaja ÄÅÖ"), "tyopaja aao");
        assert_eq!(normalize_for_search("  Pori \t Ulvila "), "pori ulvila");
        assert_eq!(normalize_for_search("Tyo\u{0308}paja"), "tyopaja");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("50%_a"), "%50\\%\\_a%");
    }

    #[test]
    fn blank_names_are_invalid() {
        let name = LocalizedText::new("  ", None, None);
        assert!(name.validate().is_err());
        assert!(LocalizedText::new("Pori", Some("Björneborg".into()), None)
            .validate()
            .is_ok());
    }
}
