//! Keyset pagination: `limit` and an opaque `cursor` in, `{items, next_cursor}` out.
//!
//! A cursor encodes the sort key of the last item served, so a page starts strictly after it:
//! records inserted or deleted meanwhile never make a page skip or repeat an item.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::{de::DeserializeOwned, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// A page of a collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(example = "WyIwMTkzYTJiNC03YzFlLTdkM2EtOWYwMC01YjFjMmQzZTRmNTAiXQ")]
    pub next_cursor: Option<String>,
}

/// A validated page request.
#[derive(Debug, Clone)]
pub struct PageRequest<K> {
    pub limit: u32,
    /// The sort key of the last item already served.
    pub after: Option<K>,
}

impl<K: DeserializeOwned> PageRequest<K> {
    pub fn new(limit: Option<u32>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad_field(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = cursor
            .filter(|cursor| !cursor.is_empty())
            .map(decode_cursor)
            .transpose()?;
        Ok(Self { limit, after })
    }

    /// How many rows to fetch: one more than the page, to learn whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in sort order.
    pub fn from_rows<R, K: Serialize>(
        mut rows: Vec<R>,
        request: &PageRequest<impl Sized>,
        key: impl Fn(&R) -> K,
        into_item: impl FnMut(R) -> T,
    ) -> Self {
        let has_more = rows.len() > request.limit as usize;
        rows.truncate(request.limit as usize);
        let next_cursor = if has_more {
            rows.last().map(|last| encode_cursor(&key(last)))
        } else {
            None
        };
        Self {
            items: rows.into_iter().map(into_item).collect(),
            next_cursor,
        }
    }
}

pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    // Serializing plain keys (strings, numbers, tuples of them) cannot fail.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

pub fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> Result<K, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::bad_field("cursor", "is not a cursor this collection issued"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let key = ("Pori".to_owned(), "0193a2b4".to_owned());
        let cursor = encode_cursor(&key);
        assert!(cursor
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(decode_cursor::<(String, String)>(&cursor).expect("decodes"), key);
    }

    #[test]
    fn foreign_cursors_are_bad_requests() {
        for bad in ["not base64!", "AAAA", &encode_cursor(&42)] {
            let error = decode_cursor::<(String, String)>(bad).unwrap_err();
            assert!(matches!(error, ApiError::BadRequest { .. }), "{bad}");
        }
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(
            PageRequest::<String>::new(None, None).expect("default").limit,
            DEFAULT_LIMIT
        );
        assert!(PageRequest::<String>::new(Some(0), None).is_err());
        assert!(PageRequest::<String>::new(Some(MAX_LIMIT + 1), None).is_err());
    }

    #[test]
    fn pages_carry_a_cursor_only_when_more_follow() {
        let request = PageRequest::<String>::new(Some(2), None).expect("valid");
        let page = Page::from_rows(
            vec!["a", "b", "c"],
            &request,
            |row| row.to_string(),
            str::to_owned,
        );
        assert_eq!(page.items, vec!["a", "b"]);
        assert_eq!(
            decode_cursor::<String>(page.next_cursor.as_deref().expect("more")).expect("decodes"),
            "b"
        );
        let last = Page::from_rows(vec!["c"], &request, |row| row.to_string(), str::to_owned);
        assert!(last.next_cursor.is_none());
    }
}
