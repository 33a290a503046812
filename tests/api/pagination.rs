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

/// Rows that sort before the cursor, and inside the page just served, move every later row by
/// their number: a page by offset would serve some rows again. Keyset pages do not. (New ids of
/// records sort after every page, so only codes chosen by the caller can land before a cursor.)
async fn rows_inserted_before_the_cursor_shift_nothing(app: TestApp) {
    let first = app.get("/v1/regions?limit=3").await;
    let first_codes = codes(&first.body);
    assert_eq!(first_codes, vec!["01", "02", "04"]);
    let region = |code: &str| json!({"code": code, "name": {"fi": format!("Alue {code}")}});
    let import = app
        .post_json(
            "/v1/reference-data",
            &json!({"regions": [region("00"), region("03"), region("50")]}),
        )
        .await;
    assert_eq!(import.status, StatusCode::OK, "{}", import.text);

    let mut seen = first_codes;
    let mut cursor = first.body["next_cursor"].as_str().map(str::to_owned);
    while let Some(next) = cursor {
        let page = app.get(&format!("/v1/regions?limit=3&cursor={next}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        seen.extend(codes(&page.body));
        cursor = page.body["next_cursor"].as_str().map(str::to_owned);
    }
    let mut expected: Vec<String> = ["01", "02", "04"]
        .into_iter()
        .map(str::to_owned)
        .chain((5..=21).map(|code| format!("{code:02}")))
        .chain(["50", "99"].map(str::to_owned))
        .collect();
    expected.sort();
    assert_eq!(
        seen, expected,
        "each once, in order; 00 and 03 came before the cursor, 50 after"
    );
}

fn codes(page: &serde_json::Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["code"].as_str().expect("code").to_owned())
        .collect()
}

backend_tests!(
    rows_inserted_before_the_cursor_shift_nothing,
    paging_while_inserting_neither_skips_nor_repeats,
    the_last_page_has_no_cursor
);
