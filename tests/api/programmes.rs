//! Programmes, participations and completed units, and the statistics counted from them: built
//! through the API only, then every table checked, exact for the administrator and rounded for
//! the public.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::{
    backend_tests,
    environments::{cast, create_environment, Cast},
    helpers::{organisation_body, Reply, TestApp},
    recognitions::recognise,
};

const SCOPES: &str = "programmes:read programmes:write certificates:read certificates:write";

pub struct Setting {
    pub cast: Cast,
    pub programme: String,
    /// The workshop: the programme's administrator.
    pub administrator: String,
    /// The education provider: a partner.
    pub partner: String,
    /// The other education provider: outside the programme.
    pub outsider: String,
}

fn programme_body(cast: &Cast) -> Value {
    json!({
        "name": {"fi": "Osaaminen näkyväksi Satakunnassa", "en": "Making skills visible in Satakunta"},
        "starts_on": "2025-01-01",
        "ends_on": "2027-12-31",
        "status": "running",
        "funders": [{"name": "Etelä-Suomen EAKR- ja ESR-ohjelma", "instrument": "esf", "decision_reference": "S30123"}],
        "regions": ["04"],
        "municipalities": ["684", "609"],
        "partners": [cast.provider]
    })
}

pub async fn setting(app: &TestApp) -> Setting {
    let cast = cast(app).await;
    let administrator = app.token_for(&cast.workshop, SCOPES).await;
    let created = app
        .post_json_as(Some(&administrator), "/v1/programmes", &programme_body(&cast))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["administrator"]["id"], cast.workshop.as_str());
    assert_eq!(
        created.body["partners"],
        json!([]),
        "a partner takes part once it accepts"
    );
    assert_eq!(created.body["invited_partners"][0]["id"], cast.provider.as_str());
    assert_eq!(created.header("etag"), Some("\"1\""));
    let programme = created.body["id"].as_str().expect("id").to_owned();
    let partner = app.token_for(&cast.provider, SCOPES).await;
    let accepted = app
        .post_json_as(
            Some(&partner),
            &format!("/v1/programmes/{programme}/partnership/accept"),
            &serde_json::Value::Null,
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    assert_eq!(accepted.body["partners"][0]["id"], cast.provider.as_str());
    assert_eq!(accepted.body["invited_partners"], json!([]));
    Setting {
        programme,
        partner,
        outsider: app.token_for(&cast.other_provider, SCOPES).await,
        administrator,
        cast,
    }
}

pub struct Person {
    gender: &'static str,
    age_band: &'static str,
    unemployment: &'static str,
    education: &'static str,
    immigrant: &'static str,
    municipality: &'static str,
    ends_on: Option<&'static str>,
    next_step: Option<&'static str>,
}

pub fn participation_body(coach: &str, person: &Person) -> Value {
    json!({
        "starts_on": "2026-01-15",
        "ends_on": person.ends_on,
        "municipality": person.municipality,
        "coach_organisation_id": coach,
        "gender": person.gender,
        "age_band": person.age_band,
        "unemployment_duration": person.unemployment,
        "education_level": person.education,
        "immigrant_background": person.immigrant,
        "next_step": person.next_step
    })
}

/// Seven participants: four women, two men, one other; five from Rauma (684), two from Pori (609);
/// five periods ended (one without a recorded next step), two go on.
pub const PEOPLE: [Person; 7] = [
    Person {
        gender: "female",
        age_band: "under_25",
        unemployment: "at_least_12_months",
        education: "basic",
        immigrant: "no",
        municipality: "684",
        ends_on: Some("2026-06-30"),
        next_step: Some("studies"),
    },
    Person {
        gender: "female",
        age_band: "from_25_to_29",
        unemployment: "under_12_months",
        education: "upper_secondary",
        immigrant: "yes",
        municipality: "684",
        ends_on: Some("2026-06-30"),
        next_step: Some("employment"),
    },
    Person {
        gender: "male",
        age_band: "under_25",
        unemployment: "at_least_12_months",
        education: "basic",
        immigrant: "no",
        municipality: "609",
        ends_on: Some("2026-07-31"),
        next_step: Some("job_seeking"),
    },
    Person {
        gender: "male",
        age_band: "from_30_to_54",
        unemployment: "none",
        education: "higher",
        immigrant: "unknown",
        municipality: "609",
        ends_on: None,
        next_step: None,
    },
    Person {
        gender: "female",
        age_band: "from_55",
        unemployment: "at_least_12_months",
        education: "basic",
        immigrant: "no",
        municipality: "684",
        ends_on: Some("2026-08-31"),
        next_step: Some("subsidised_employment"),
    },
    Person {
        gender: "other",
        age_band: "under_25",
        unemployment: "under_12_months",
        education: "basic",
        immigrant: "yes",
        municipality: "684",
        ends_on: None,
        next_step: None,
    },
    Person {
        gender: "female",
        age_band: "under_25",
        unemployment: "at_least_12_months",
        education: "upper_secondary",
        immigrant: "no",
        municipality: "684",
        ends_on: Some("2026-05-31"),
        next_step: None,
    },
];

pub async fn participate(app: &TestApp, s: &Setting, token: &str, body: &Value) -> Reply {
    app.post_json_as(
        Some(token),
        &format!("/v1/programmes/{}/participations", s.programme),
        body,
    )
    .await
}

pub async fn complete(app: &TestApp, s: &Setting, token: &str, participation: &str, body: Value) -> Reply {
    app.post_json_as(
        Some(token),
        &format!(
            "/v1/programmes/{}/participations/{participation}/completions",
            s.programme
        ),
        &body,
    )
    .await
}

pub fn completion(qualification: &str, unit: &str, municipality: &str, whole: bool) -> Value {
    json!({"qualification": qualification, "unit": unit, "completed_on": "2026-06-15", "municipality": municipality, "qualification_completed": whole})
}

fn table<'a>(statistics: &'a Value, name: &str) -> &'a Value {
    statistics["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|table| table["name"] == name)
        .unwrap_or_else(|| panic!("no table {name}"))
}

/// (key, count, percent) of every row that is a category (not a subtotal of others).
fn rows(table: &Value) -> Vec<(String, Option<u64>, Option<f64>)> {
    table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|row| row["sum_of"].as_array().is_some_and(Vec::is_empty))
        .map(|row| {
            (
                row["key"].as_str().expect("key").to_owned(),
                row["count"].as_u64(),
                row["percent"].as_f64(),
            )
        })
        .collect()
}

fn counts(table: &Value) -> Vec<(String, u64)> {
    rows(table)
        .into_iter()
        .map(|(key, count, _)| (key, count.expect("an exact count")))
        .collect()
}

fn pairs(expected: &[(&str, u64)]) -> Vec<(String, u64)> {
    expected
        .iter()
        .map(|(key, count)| (key.to_string(), *count))
        .collect()
}

/// Every exact partition adds up: its counts to its total, its percentages (each rounded half up
/// on its own) to 100 within their rounding.
/// Checks that every partition adds up to its total, and returns the names of the partitions.
fn assert_adds_up(statistics: &Value) -> Vec<String> {
    let partitions: Vec<&Value> = statistics["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .filter(|table| table["partition"] == true)
        .collect();
    let names = partitions
        .iter()
        .filter_map(|table| table["name"].as_str().map(str::to_owned))
        .collect();
    for table in partitions {
        let total = table["total"]["count"].as_u64().expect("a total");
        let rows = rows(table);
        let sum: u64 = rows.iter().map(|(_, count, _)| count.expect("exact")).sum();
        assert_eq!(sum, total, "{}", table["name"]);
        if total > 0 {
            let percent: f64 = rows
                .iter()
                .map(|(_, _, percent)| percent.expect("a percentage"))
                .sum();
            let slack = 0.05 * rows.len() as f64 + 1e-9;
            assert!((percent - 100.0).abs() <= slack, "{}: {percent}", table["name"]);
        }
    }
    names
}

/// Builds the whole programme through the API and returns the participation ids.
pub async fn build_programme(app: &TestApp, s: &Setting) -> Vec<String> {
    // One environment in Rauma recognised during the programme, one before it: only the first counts.
    let during = create_environment(app, &s.cast.workshop_token, json!({})).await;
    let before = create_environment(
        app,
        &s.cast.workshop_token,
        json!({"name": {"fi": "Vanha verstas"}}),
    )
    .await;
    for (environment, from) in [(&during, "2026-01-15"), (&before, "2020-01-01")] {
        let units = json!([{"qualification": "351204", "unit": "SAMPLE-103"}, {"qualification": "381141", "unit": "SAMPLE-101"}]);
        let reply = recognise(
            app,
            &s.cast.provider_token,
            environment,
            json!({"units": units, "valid_from": from}),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
    let mut ids = Vec::new();
    for person in &PEOPLE {
        let reply = participate(
            app,
            s,
            &s.administrator,
            &participation_body(&s.cast.workshop, person),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        ids.push(reply.body["id"].as_str().expect("id").to_owned());
    }
    let recorded = [
        (0, completion("351204", "SAMPLE-103", "684", false)),
        (0, completion("351204", "SAMPLE-104", "684", false)),
        (0, completion("351204", "SAMPLE-107", "684", true)),
        (2, completion("381141", "SAMPLE-101", "609", false)),
        (1, completion("381113", "SAMPLE-102", "684", false)),
    ];
    for (person, body) in recorded {
        let reply = complete(app, s, &s.partner, &ids[person], body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        assert_eq!(reply.body["provider_organisation_id"], s.cast.provider.as_str());
    }
    // The administrator records one on the provider's behalf.
    let mut on_behalf = completion("381141", "SAMPLE-102", "609", false);
    on_behalf["provider_organisation_id"] = json!(s.cast.provider);
    let reply = complete(app, s, &s.administrator, &ids[4], on_behalf).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(
        reply.body["recorded_by_organisation_id"],
        s.cast.workshop.as_str()
    );
    assert_eq!(reply.body["unit"]["code"], "SAMPLE-102");
    ids
}

async fn a_funders_report_is_counted_from_the_records(app: TestApp) {
    let s = setting(&app).await;
    let ids = build_programme(&app, &s).await;
    let path = format!("/v1/programmes/{}/statistics", s.programme);

    let exact = app.get_as(Some(&s.administrator), &path).await;
    assert_eq!(exact.status, StatusCode::OK, "{}", exact.text);
    let statistics = &exact.body;
    assert_eq!(statistics["exact"], true);
    assert_eq!(statistics["rounding_base"], 5);
    // If no table were flagged a partition, the sums would check nothing.
    let partitions = assert_adds_up(statistics);
    assert!(
        partitions.iter().any(|name| name == "participants_by_gender"),
        "{partitions:?}"
    );
    // `table=` takes exactly the names the answer has, in its order, as the document lists them.
    let names: Vec<Value> = ["tables", "cross_tables"]
        .iter()
        .flat_map(|list| statistics[*list].as_array().expect("tables").iter())
        .map(|table| table["name"].clone())
        .collect();
    assert_eq!(
        Value::Array(names),
        crate::contract::contract().document()["components"]["schemas"]["ProgrammeTable"]["enum"]
    );

    let participants = table(statistics, "participants");
    assert_eq!(participants["total"]["count"], 7);
    assert_eq!(
        rows(participants),
        vec![
            ("under_30".to_owned(), Some(5), Some(71.4)),
            ("unemployed_at_least_12_months".to_owned(), Some(4), Some(57.1)),
            ("immigrant_background".to_owned(), Some(2), Some(28.6)),
        ]
    );
    assert_eq!(
        counts(table(statistics, "participants_by_gender")),
        pairs(&[("female", 4), ("male", 2), ("other", 1), ("unknown", 0)])
    );
    assert_eq!(
        counts(table(statistics, "participants_by_age_band")),
        pairs(&[
            ("under_25", 4),
            ("from_25_to_29", 1),
            ("from_30_to_54", 1),
            ("from_55", 1)
        ])
    );
    assert_eq!(
        counts(table(statistics, "participants_by_unemployment_duration")),
        pairs(&[("none", 1), ("under_12_months", 2), ("at_least_12_months", 4)])
    );
    assert_eq!(
        counts(table(statistics, "participants_by_education_level")),
        pairs(&[("basic", 4), ("upper_secondary", 2), ("higher", 1)])
    );
    assert_eq!(
        counts(table(statistics, "participants_by_immigrant_background")),
        pairs(&[("yes", 2), ("no", 4), ("unknown", 1)])
    );
    let by_municipality = table(statistics, "participants_by_municipality");
    assert_eq!(counts(by_municipality), pairs(&[("609", 2), ("684", 5)]));
    assert_eq!(by_municipality["rows"][1]["label"], "Rauma");

    let next_steps = table(statistics, "next_steps");
    assert_eq!(next_steps["total"]["count"], 5);
    assert_eq!(
        counts(next_steps),
        pairs(&[
            ("studies", 1),
            ("other_education", 0),
            ("employment", 1),
            ("subsidised_employment", 1),
            ("job_seeking", 1),
            ("unemployed", 0),
            ("outside_labour_force", 0),
            ("other", 0),
            ("unknown", 0),
            ("not_recorded", 1),
        ])
    );
    // Funders' subtotals follow the categories, name what they add up, and are no category.
    let derived: Vec<(&str, u64, Vec<&str>)> = next_steps["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|row| row["sum_of"].as_array().is_some_and(|of| !of.is_empty()))
        .map(|row| {
            let of = row["sum_of"].as_array().expect("sum_of");
            (
                row["key"].as_str().expect("key"),
                row["count"].as_u64().expect("count"),
                of.iter().map(|key| key.as_str().expect("key")).collect(),
            )
        })
        .collect();
    assert_eq!(
        derived,
        vec![
            ("employed_total", 2, vec!["employment", "subsidised_employment"]),
            ("in_education_total", 1, vec!["studies", "other_education"]),
        ]
    );
    assert_eq!(
        rows(table(statistics, "positive_next_steps")),
        vec![
            ("positive".to_owned(), Some(3), Some(60.0)),
            ("other".to_owned(), Some(2), Some(40.0))
        ]
    );

    let units = table(statistics, "units_by_qualification");
    assert_eq!(units["total"]["count"], 6);
    assert_eq!(
        counts(units),
        pairs(&[("351204", 3), ("381113", 1), ("381141", 2)])
    );
    assert_eq!(units["rows"][0]["label"], "Kiinteistöpalvelujen perustutkinto");
    assert_eq!(
        counts(table(statistics, "units_by_municipality")),
        pairs(&[("609", 2), ("684", 4)])
    );
    assert_eq!(
        counts(table(statistics, "qualifications_completed")),
        pairs(&[("351204", 1)])
    );
    assert_eq!(
        counts(table(statistics, "recognised_environments_by_municipality")),
        pairs(&[("684", 1)])
    );
    assert_eq!(
        counts(table(statistics, "recognised_environments_by_qualification")),
        pairs(&[("351204", 1), ("381141", 1)])
    );

    let cross = &statistics["cross_tables"][0];
    assert_eq!(cross["name"], "units_by_qualification_and_municipality");
    let columns: Vec<&str> = cross["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c["key"].as_str().expect("key"))
        .collect();
    assert_eq!(columns, vec!["609", "684"]);
    let grid: Vec<Vec<u64>> = cross["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            let mut line: Vec<u64> = row["cells"]
                .as_array()
                .expect("cells")
                .iter()
                .map(|c| c["count"].as_u64().expect("count"))
                .collect();
            line.push(row["total"]["count"].as_u64().expect("total"));
            line
        })
        .collect();
    assert_eq!(grid, vec![vec![0, 3, 3], vec![0, 1, 1], vec![2, 0, 2]]);
    let column_totals: Vec<u64> = cross["column_totals"]
        .as_array()
        .expect("totals")
        .iter()
        .map(|c| c["count"].as_u64().expect("count"))
        .collect();
    assert_eq!(column_totals, vec![2, 4]);
    assert_eq!(cross["total"]["count"], 6);

    // A partner's recorded completions are only its own to see; the administrator sees them all.
    let listed = app
        .get_as(
            Some(&s.partner),
            &format!(
                "/v1/programmes/{}/participations/{}/completions",
                s.programme, ids[0]
            ),
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(listed.body["items"].as_array().expect("items").len(), 3);

    // The public (and other organisations) get the same tables with counts of people rounded.
    for token in [None, Some(s.outsider.as_str())] {
        let public = app.get_as(token, &path).await;
        assert_eq!(public.status, StatusCode::OK, "{}", public.text);
        assert_eq!(public.body["exact"], false);
        let gender = table(&public.body, "participants_by_gender");
        assert_eq!(gender["rounded"], true);
        assert_eq!(gender["total"]["count"], 5, "7 rounds to 5");
        assert_eq!(
            rows(gender),
            vec![("female".to_owned(), Some(5), Some(100.0))],
            "male 2, other 1 and unknown 0 round to 0 and are not listed"
        );
        // Rauma's 5 stays 5; Pori's 2 is not listed, so its presence says nothing either.
        assert_eq!(
            counts(table(&public.body, "participants_by_municipality")),
            pairs(&[("684", 5)])
        );
        // Learning environments are public facts: exact.
        assert_eq!(
            counts(table(&public.body, "recognised_environments_by_municipality")),
            pairs(&[("684", 1)])
        );
        let cross = &public.body["cross_tables"][0];
        assert_eq!(cross["rounded"], true);
        assert_eq!(cross["total"]["count"], 5);
    }
}

async fn the_report_comes_as_csv_and_as_a_printable_page(app: TestApp) {
    let s = setting(&app).await;
    build_programme(&app, &s).await;
    let path = format!("/v1/programmes/{}/statistics", s.programme);

    let csv = app
        .get_accepting(
            Some(&s.administrator),
            &format!("{path}?table=participants_by_gender"),
            "text/csv",
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    // A program that names no language gets RFC 4180, in English throughout.
    assert_eq!(
        csv.text,
        "key,label,count,percent,rounded,sum_of\r\nfemale,female,4,57.1,false,\r\nmale,male,2,28.6,false,\r\nother,other,1,14.3,false,\r\nunknown,unknown,0,0.0,false,\r\ntotal,total,7,100.0,false,\r\n"
    );
    // Finnish Excel: a byte order mark, `;` and a decimal comma, in Finnish throughout.
    let excel = app
        .get_with(
            Some(&s.administrator),
            &format!("{path}?table=participants_by_gender&format=csv"),
            &[("accept-language", "fi-FI,fi;q=0.9,en;q=0.8")],
        )
        .await;
    assert_eq!(excel.status, StatusCode::OK, "{}", excel.text);
    assert!(excel.bytes.starts_with(b"\xef\xbb\xbf"), "a byte order mark");
    assert_eq!(
        excel.text.trim_start_matches('\u{feff}'),
        "koodi;luokka;lukumäärä;prosenttia;pyöristetty;osien summa\r\nfemale;nainen;4;57,1;ei;\r\nmale;mies;2;28,6;ei;\r\nother;muu;1;14,3;ei;\r\nunknown;ei tiedossa;0;0,0;ei;\r\ntotal;yhteensä;7;100,0;ei;\r\n"
    );
    let english_excel = app
        .get(&format!(
            "{path}?table=participants_by_gender&format=csv&locale=fi&lang=en"
        ))
        .await;
    assert!(
        english_excel
            .text
            .starts_with("\u{feff}key;label;count;percent;rounded;sum_of\r\n"),
        "{}",
        english_excel.text
    );
    let cross = app
        .get_accepting(
            Some(&s.administrator),
            &format!("{path}?table=units_by_qualification_and_municipality&lang=fi&locale=en"),
            "text/csv",
        )
        .await;
    assert_eq!(cross.status, StatusCode::OK, "{}", cross.text);
    let lines: Vec<&str> = cross.text.lines().collect();
    assert_eq!(lines[0], "koodi,tutkinto,609 Pori,684 Rauma,yhteensä");
    assert_eq!(lines[1], "351204,Kiinteistöpalvelujen perustutkinto,0,3,3");
    assert_eq!(lines.last().copied(), Some("total,yhteensä,2,4,6"));
    // The public's figures are rounded, and say so.
    let public = app
        .get(&format!("{path}?table=participants_by_gender&format=csv"))
        .await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.text);
    assert_eq!(
        public.text,
        "key,label,count,percent,rounded,sum_of\r\nfemale,female,5,100.0,true,\r\ntotal,total,5,100.0,true,\r\n"
    );

    let without_table = app.get_accepting(Some(&s.administrator), &path, "text/csv").await;
    // Which table a CSV gives depends on the format asked for: a rule between parameters, 422.
    without_table.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(without_table.error_fields(), vec!["table"]);
    // The document lists the table names: any other is a bad query, as any off-list value is.
    let unknown_table = app.get(&format!("{path}?format=csv&table=nonsense")).await;
    unknown_table.assert_problem(StatusCode::BAD_REQUEST, "bad-request");
    assert_eq!(unknown_table.error_fields(), vec!["table"]);
    let regional_table = app.get(&format!("{path}?format=csv&table=summary")).await;
    regional_table.assert_problem(StatusCode::BAD_REQUEST, "bad-request");
    let unacceptable = app.get_accepting(None, &path, "application/xml").await;
    unacceptable.assert_problem(StatusCode::NOT_ACCEPTABLE, "not-acceptable");

    let page = app
        .get_accepting(
            Some(&s.administrator),
            &path,
            "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(
        page.text.contains("<h1>Osaaminen näkyväksi Satakunnassa</h1>"),
        "{}",
        page.text
    );
    assert!(page.text.contains(">Osallistujat sukupuolen mukaan</h2>"));
    assert!(page.text.contains("<html lang=\"fi\">"));
    assert_eq!(page.header("content-language"), Some("fi"));
    assert!(page.text.contains("name=\"viewport\""), "it reads on a phone");
    assert!(page.text.contains("@media print"), "it prints");
    assert_eq!(page.text.matches("<svg").count(), 14, "a bar chart per table");
    assert!(
        page.text
            .contains("nainen: 4 (57,1\u{a0}%); mies: 2 (28,6\u{a0}%)"),
        "the bars' text alternative gives each figure"
    );
    assert!(
        page.text.contains(">4 (57,1\u{a0}%)</text>"),
        "each bar is labelled with its value"
    );
    // Bars are scaled to the table's total: 4 of 7 is 4/7 of the 300-unit bar.
    assert!(page.text.contains("width=\"172\""), "4 × 300 / 7 rounded up");
    assert!(page.text.contains("tasan 100 %"), "parts may not add up to 100");
    assert!(
        !page.text.contains("pyöristetty lähimpään"),
        "exact figures need no note on rounding"
    );
    let public_page = app.get(&format!("{path}?format=html")).await;
    assert!(public_page.text.contains("pyöristetty lähimpään 5"));
    assert!(public_page.text.contains("nainen: 5 (100,0\u{a0}%)"));
    // Swedish and English, dates and decimals included.
    let swedish = app.get(&format!("{path}?format=html&lang=sv")).await;
    assert!(swedish.text.contains("<html lang=\"sv\">"));
    assert!(
        swedish.text.contains(">Deltagare efter kön</h2>"),
        "{}",
        swedish.text
    );
    assert!(
        swedish.text.contains("Programperiod 1 januari 2025"),
        "{}",
        swedish.text
    );
    let english = app
        .get_with(
            None,
            &format!("{path}?format=html"),
            &[("accept-language", "en-GB")],
        )
        .await;
    assert!(
        english.text.contains(">Participants by gender</h2>"),
        "{}",
        english.text
    );
    assert!(english.text.contains("female: 5 (100.0%)"), "{}", english.text);

    // The same report as a tagged PDF in the same fonts as the certificates.
    let pdf = app
        .get_accepting(
            Some(&s.administrator),
            &format!("{path}?lang=fi"),
            "application/pdf",
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.text);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    let text = crate::certificates::pdf_text(&pdf.bytes);
    for printed in [
        "Osaaminen näkyväksi Satakunnassa",
        "Osallistujat sukupuolen mukaan",
        "57,1 %",
        "sivu 1/",
    ] {
        assert!(text.contains(printed), "{printed:?} in {text}");
    }
}

/// `from` and `until` report one funding period: coaching periods that overlap it, and units
/// completed within it.
async fn a_report_covers_one_funding_period(app: TestApp) {
    let s = setting(&app).await;
    build_programme(&app, &s).await;
    let path = format!("/v1/programmes/{}/statistics", s.programme);
    let second_half = app
        .get_as(
            Some(&s.administrator),
            &format!("{path}?from=2026-07-01&until=2027-12-31"),
        )
        .await;
    assert_eq!(second_half.status, StatusCode::OK, "{}", second_half.text);
    assert_eq!(second_half.body["from"], "2026-07-01");
    assert_eq!(second_half.body["until"], "2027-12-31");
    assert_eq!(
        table(&second_half.body, "participants")["total"]["count"],
        4,
        "periods that reach into it"
    );
    assert_eq!(
        table(&second_half.body, "units_by_qualification")["total"]["count"],
        0,
        "completed before it"
    );
    let clamped = app
        .get_as(
            Some(&s.administrator),
            &format!("{path}?from=2020-01-01&until=2026-01-14"),
        )
        .await;
    assert_eq!(
        clamped.body["from"], "2025-01-01",
        "within the programme's period"
    );
    assert_eq!(table(&clamped.body, "participants")["total"]["count"], 0);
    let page = app
        .get_as(
            Some(&s.administrator),
            &format!("{path}?from=2026-07-01&format=html&lang=fi"),
        )
        .await;
    assert!(
        page.text.contains("Raportointikausi 1.7.2026 – 31.12.2027"),
        "{}",
        page.text
    );
    let empty = app
        .get_as(
            Some(&s.administrator),
            &format!("{path}?from=2026-12-31&until=2026-01-01"),
        )
        .await;
    empty.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    assert_eq!(empty.error_fields(), vec!["until"]);
}

/// The same count of the same total prints as the same percentage in every table of a report,
/// in the JSON and on the page alike.
async fn equal_shares_print_equal_percentages(app: TestApp) {
    let s = setting(&app).await;
    build_programme(&app, &s).await;
    let path = format!("/v1/programmes/{}/statistics", s.programme);
    let statistics = app.get_as(Some(&s.administrator), &path).await;
    let page = app
        .get_as(Some(&s.administrator), &format!("{path}?format=html&lang=fi"))
        .await;
    let mut seen: std::collections::BTreeMap<(u64, u64), (f64, String)> = Default::default();
    let mut pairs_in_several_tables = 0;
    for table in statistics.body["tables"].as_array().expect("tables") {
        let Some(total) = table["total"]["count"].as_u64().filter(|&total| total > 0) else {
            continue;
        };
        for row in table["rows"].as_array().expect("rows") {
            let count = row["count"].as_u64().expect("count");
            let percent = row["percent"].as_f64().expect("a percentage");
            let expected = ((count * 2000 + total) / (2 * total)) as f64 / 10.0;
            assert_eq!(percent, expected, "{count}/{total} rounded half up on its own");
            let printed = format!("{:.1}\u{a0}%", percent).replace('.', ",");
            let cells = format!("<td class=\"n\">{count}</td><td class=\"n\">{printed}</td>");
            assert!(page.text.contains(&cells), "{cells} on the page");
            let name = table["name"].as_str().expect("name").to_owned();
            match seen.get(&(count, total)) {
                Some((earlier, where_)) => {
                    assert_eq!(*earlier, percent, "{count}/{total} in {where_} and {name}");
                    pairs_in_several_tables += usize::from(*where_ != name);
                }
                None => {
                    seen.insert((count, total), (percent, name));
                }
            }
        }
    }
    assert!(
        pairs_in_several_tables > 0,
        "the report repeats some count of the same total"
    );
    // 3 of 7 is 42.9 %, wherever it is.
    assert!(seen.get(&(3, 7)).is_none_or(|(percent, _)| *percent == 42.9));
}

async fn programmes_are_written_by_their_administrator(app: TestApp) {
    let s = setting(&app).await;
    let path = format!("/v1/programmes/{}", s.programme);

    let public = app.get(&path).await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.text);
    assert_eq!(public.body["funders"][0]["instrument"], "esf");
    assert_eq!(public.body["municipalities"], json!(["609", "684"]));
    let listed = app.get("/v1/programmes?region=04&q=nakyvaksi").await;
    assert_eq!(
        listed.body["items"].as_array().expect("items").len(),
        1,
        "{}",
        listed.text
    );
    let by_partner = app
        .get(&format!("/v1/programmes?organisation={}", s.cast.provider))
        .await;
    assert_eq!(by_partner.body["items"].as_array().expect("items").len(), 1);
    let elsewhere = app.get("/v1/programmes?region=01").await;
    assert_eq!(elsewhere.body["items"].as_array().expect("items").len(), 0);

    app.patch_json_as(
        Some(&s.partner),
        &path,
        Some("\"2\""),
        &json!({"status": "closed"}),
    )
    .await
    .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let closed = app
        .patch_json_as(
            Some(&s.administrator),
            &path,
            Some("\"2\""),
            &json!({"status": "closed"}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.text);
    assert_eq!(closed.body["status"], "closed");
    app.patch_json_as(
        Some(&s.administrator),
        &path,
        Some("\"3\""),
        &json!({"administrator_organisation_id": s.cast.provider}),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");

    let mut bad = programme_body(&s.cast);
    bad["ends_on"] = json!("2024-12-31");
    bad["regions"] = json!([]);
    bad["municipalities"] = json!([]);
    bad["partners"] = json!(["0193a2b4-7c1e-7d3a-9f00-000000000000"]);
    let refused = app
        .post_json_as(Some(&s.administrator), "/v1/programmes", &bad)
        .await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation-error");
    let mut fields = refused.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["ends_on", "partners[0]", "regions"]);
    let mut for_other = programme_body(&s.cast);
    for_other["administrator_organisation_id"] = json!(s.cast.provider);
    app.post_json_as(Some(&s.administrator), "/v1/programmes", &for_other)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    app.post_json_as(None, "/v1/programmes", &programme_body(&s.cast))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}

/// A signatory of a regional guideline, an agreement in force and an issued certificate in
/// Satakunta, so that the regional figures are checked above zero.
async fn regional_activity(app: &TestApp, s: &Setting) {
    let network = app
        .create_organisation(&organisation_body(
            json!({"kind": "regional_network", "name": {"fi": "Satakunnan verkosto"}, "municipality": "609"}),
        ))
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let network_token = app.token_for(&network, "guidelines:write").await;
    let guideline = app
        .post_json_as(
            Some(&network_token),
            "/v1/guidelines",
            &json!({"title": {"fi": "Linjaukset"}, "version_label": "2026", "adopted_on": "2026-01-05", "scope": {"national": false, "regions": ["04"]}}),
        )
        .await;
    let guideline = guideline.body["id"].as_str().expect("a guideline").to_owned();
    let opened = app
        .post_json_as(
            Some(&network_token),
            &format!("/v1/guidelines/{guideline}/open"),
            &Value::Null,
        )
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text);
    let signer = app.token_for(&s.cast.workshop, "guidelines:write").await;
    let signed = app
        .post_json_as(
            Some(&signer),
            &format!("/v1/guidelines/{guideline}/signatures"),
            &json!({"region": "04", "signer_name": "Maija Meikäläinen", "signer_title": "johtaja", "signed_on": "2026-01-10"}),
        )
        .await;
    assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.text);

    let scopes = "agreements:read agreements:write";
    let workshop = app.token_for(&s.cast.workshop, scopes).await;
    let provider = app.token_for(&s.cast.provider, scopes).await;
    let drafted = app
        .post_json_as(
            Some(&workshop),
            "/v1/agreements",
            &json!({"reference_number": "YS-R1", "title": "Yhteistyösopimus", "valid_from": "2026-01-01",
                    "parties": [{"organisation_id": s.cast.workshop, "role": "work_organisation"},
                                {"organisation_id": s.cast.provider, "role": "education_provider"}]}),
        )
        .await;
    let agreement = format!(
        "/v1/agreements/{}",
        drafted.body["id"].as_str().expect("an agreement")
    );
    for (token, action) in [
        (&workshop, "confirm"),
        (&provider, "confirm"),
        (&workshop, "activate"),
    ] {
        let current = app.get_as(Some(token), &agreement).await;
        let etag = current.header("etag").expect("an ETag").to_owned();
        let done = app
            .post_if_match(Some(token), &format!("{agreement}/{action}"), &etag, &Value::Null)
            .await;
        assert_eq!(done.status, StatusCode::OK, "{action}: {}", done.text);
    }

    let environments = app
        .get_as(Some(&s.administrator), "/v1/learning-environments?limit=1")
        .await;
    let environment = environments.body["items"][0]["id"]
        .as_str()
        .expect("an environment");
    let certificate = app
        .post_json_as(
            Some(&s.administrator),
            "/v1/certificates",
            &crate::certificates::certificate_body(environment),
        )
        .await;
    let certificate = certificate.body["id"].as_str().expect("a certificate").to_owned();
    crate::certificates::issue(app, &s.administrator, &certificate).await;
}

async fn regional_statistics_are_public_and_protected(app: TestApp) {
    let s = setting(&app).await;
    build_programme(&app, &s).await;
    regional_activity(&app, &s).await;

    let public = app.get("/v1/statistics/regions/04").await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.text);
    assert_eq!(public.body["region_name"], "Satakunta");
    assert_eq!(public.body["exact"], false);
    let names: Vec<&str> = public.body["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        vec![
            "summary",
            "environments_by_qualification",
            "recognitions_by_qualification",
            "signatories_by_kind",
            "certificates_by_year"
        ]
    );
    assert_eq!(
        json!(names),
        crate::contract::contract().document()["components"]["schemas"]["RegionTable"]["enum"]
    );
    // Two environments and four recognitions: public facts, exact for everyone.
    let summary = table(&public.body, "summary");
    assert_eq!(summary["rounded"], false);
    assert_eq!(summary["rows"][0]["count"], 2);
    assert_eq!(summary["rows"][2]["key"], "recognitions");
    assert_eq!(summary["rows"][2]["count"], 4);

    let exact = app
        .get_as(Some(&app.admin_token), "/v1/statistics/regions/04")
        .await;
    assert_eq!(exact.body["exact"], true);
    assert_eq!(
        counts(table(&exact.body, "summary")),
        pairs(&[
            ("environments", 2),
            ("recognised_environments", 2),
            ("recognitions", 4),
            ("signatories", 1),
            ("agreements_in_force", 1),
        ])
    );
    assert_eq!(
        counts(table(&exact.body, "signatories_by_kind"))[0],
        ("workshop".to_owned(), 1)
    );
    let this_year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(
        counts(table(&exact.body, "certificates_by_year")),
        pairs(&[(this_year.as_str(), 1)])
    );
    // One certificate is a count of people: the public answer rounds it to 0 and leaves it out.
    assert_eq!(counts(table(&public.body, "certificates_by_year")), pairs(&[]));
    assert_eq!(
        counts(table(&exact.body, "recognitions_by_qualification")),
        pairs(&[("351204", 2), ("381141", 2)])
    );
    let partitions = assert_adds_up(&exact.body);
    assert!(
        !partitions.is_empty(),
        "the regional figures have partitions to add up"
    );

    let csv = app
        .get_accepting(
            None,
            "/v1/statistics/regions/04?table=recognitions_by_qualification",
            "text/csv",
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text);
    assert!(
        csv.text
            .starts_with("key,label,count,percent,rounded,sum_of\r\n351204,"),
        "{}",
        csv.text
    );
    assert!(csv
        .header("content-disposition")
        .is_some_and(|value| value.contains("04-recognitions_by_qualification.csv")));
    let page = app.get("/v1/statistics/regions/04?format=html").await;
    assert!(
        page.text.contains("<h1>Satakunta – opinnollistamisen luvut</h1>"),
        "{}",
        page.text
    );
    app.get("/v1/statistics/regions/77")
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    let pdf = app.get("/v1/statistics/regions/04?format=pdf&lang=sv").await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.text);
    let text = crate::certificates::pdf_text(&pdf.bytes);
    assert!(text.contains("Satakunta"), "{text}");
    assert!(text.contains("Gällande erkännanden per examen"), "{text}");
    app.get("/v1/statistics/regions/04?format=xml")
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "bad-request");
}

backend_tests!(
    a_funders_report_is_counted_from_the_records,
    the_report_comes_as_csv_and_as_a_printable_page,
    equal_shares_print_equal_percentages,
    a_report_covers_one_funding_period,
    programmes_are_written_by_their_administrator,
    regional_statistics_are_public_and_protected,
);
