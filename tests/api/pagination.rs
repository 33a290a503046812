use std::collections::HashSet;

use awc::http::StatusCode;
use serde_json::json;

use crate::{
    backend_tests,
    helpers::{organisation_body, TestApp},
};

fn named(n: usize) -> serde_json::Value {
    organisation_body(json!({"name": {"fi": format!("Työpaja {n:03}")}}))
}

/// Pages through organisations while others are being registered: every organisation that
/// existed when paging began is seen exactly once.
async fn paging_while_inserting_neither_skips_nor_repeats(app: TestApp) {
    let mut existing = HashSet::new();
    for n in 0..23 {
        let created = app.create_organisation(&named(n)).await;
        existing.insert(created["id"].as_str().expect("id").to_owned());
    }

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut inserted = 0;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/v1/organisations?limit=5&cursor={cursor}"),
            None => "/v1/organisations?limit=5".to_owned(),
        };
        let page = app.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let items = page.body["items"].as_array().expect("items");
        assert!(items.len() <= 5);
        seen.extend(
            items
                .iter()
                .map(|item| item["id"].as_str().expect("id").to_owned()),
        );
        // Insert between page reads.
        for _ in 0..2 {
            app.create_organisation(&named(100 + inserted)).await;
            inserted += 1;
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(seen.len() < 200, "paging must end");
    }

    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no organisation was served twice");
    assert!(existing.is_subset(&unique), "no organisation was skipped");
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "served in id order");
}

async fn the_last_page_has_no_cursor(app: TestApp) {
    for n in 0..3 {
        app.create_organisation(&named(n)).await;
    }
    let first = app.get("/v1/organisations?limit=2").await;
    assert_eq!(first.body["items"].as_array().expect("items").len(), 2);
    let cursor = first.body["next_cursor"].as_str().expect("a second page");
    let second = app
        .get(&format!("/v1/organisations?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(second.body["items"].as_array().expect("items").len(), 1);
    assert_eq!(second.body["next_cursor"], json!(null));

    let exact = app.get("/v1/organisations?limit=3").await;
    assert_eq!(exact.body["next_cursor"], json!(null), "no empty trailing page");
}

backend_tests!(
    paging_while_inserting_neither_skips_nor_repeats,
    the_last_page_has_no_cursor
);
