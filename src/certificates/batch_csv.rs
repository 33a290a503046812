//! A batch of certificates as a spreadsheet saves it: CSV, UTF-8 with or without a byte order
//! mark, `;` (Finnish Excel) or `,` between fields, a header row naming the columns in any order.
//!
//! Each row is one certificate with at most one unit; rows with the same value in the optional
//! `certificate` column are one certificate, each row adding its unit. A row becomes the JSON item
//! `POST /v1/certificates` takes, so items are checked exactly as single certificates are.
//! Dates may be ISO (`2026-02-01`) or Finnish (`1.2.2026`); lists (`learning_environment_ids`,
//! `skills`) are separated by `|`.

use serde_json::{json, Map, Value};

use crate::error::{ApiError, FieldError};

/// Every column a batch may have, in the documented order.
pub const COLUMNS: [&str; 20] = [
    "certificate",
    "issuer_organisation_id",
    "given_names",
    "family_name",
    "date_of_birth",
    "hetu",
    "learner_oid",
    "learning_environment_ids",
    "programme_reference",
    "start_date",
    "end_date",
    "hours",
    "coach_name",
    "coach_title",
    "language",
    "qualification",
    "unit",
    "unit_description",
    "skills",
    "unit_hours",
];

/// A certificate read from the file, and the line it starts on.
pub struct Item {
    pub line: u64,
    pub value: Value,
}

/// The items of a CSV body, at most `max`; the file's own faults (no header, an unknown column,
/// a row of another length) are the whole request's.
pub fn items(body: &[u8], max: usize) -> Result<Vec<Item>, ApiError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let text = std::str::from_utf8(body).map_err(|_| ApiError::bad_request("The CSV file is not UTF-8."))?;
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches(';').count() >= first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(|name| name.trim().to_lowercase())
        .collect();
    check_headers(&headers)?;
    let mut items: Vec<(Option<String>, Item)> = Vec::new();
    // Lines counted here, from each record's byte offset: the reader's own count slips on `\r\n`.
    let (mut counted_to, mut line) = (0, 1);
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        // After `\r\n` the reader places a record at the `\n`: its first character is after it.
        let mut start = record
            .position()
            .map_or(counted_to, |position| position.byte() as usize);
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        line += text.as_bytes()[counted_to..start.max(counted_to)]
            .iter()
            .filter(|byte| **byte == b'\n')
            .count() as u64;
        counted_to = start.max(counted_to);
        let row: Map<String, Value> = headers
            .iter()
            .zip(record.iter())
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| (name.clone(), Value::String(value.to_owned())))
            .collect();
        add_row(&mut items, line, &row);
        if items.len() > max {
            return Err(ApiError::validation(
                "items",
                "length",
                format!("at most {max} certificates in one batch"),
            ));
        }
    }
    if items.is_empty() {
        return Err(ApiError::validation(
            "items",
            "length",
            "the file has no certificates",
        ));
    }
    Ok(items.into_iter().map(|(_, item)| item).collect())
}

/// A file that is text but not a table of the header's width: its content is at fault, as a
/// JSON body's would be.
fn csv_error(error: csv::Error) -> ApiError {
    ApiError::validation("items", "csv", format!("the CSV file cannot be read: {error}"))
}

fn check_headers(headers: &[String]) -> Result<(), ApiError> {
    let unknown: Vec<FieldError> = headers
        .iter()
        .filter(|name| !COLUMNS.contains(&name.as_str()))
        .map(|name| {
            FieldError::new(
                name.as_str(),
                "unknown_column",
                format!("not a column; the columns are {}", COLUMNS.join(", ")),
            )
        })
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(unknown))
    }
}

/// Adds a row: a new certificate, or a unit of the one whose `certificate` value it repeats.
fn add_row(items: &mut Vec<(Option<String>, Item)>, line: u64, row: &Map<String, Value>) {
    let key = text(row, "certificate");
    if let Some(key) = &key {
        if let Some((_, item)) = items.iter_mut().find(|(other, _)| other.as_ref() == Some(key)) {
            if let (Some(unit), Some(Value::Array(units))) = (unit(row), item.value.get_mut("units")) {
                units.push(unit);
            }
            return;
        }
    }
    items.push((
        key,
        Item {
            line,
            value: certificate(row),
        },
    ));
}

fn text(row: &Map<String, Value>, column: &str) -> Option<String> {
    row.get(column).and_then(Value::as_str).map(str::to_owned)
}

/// A whole number as a number, anything else as written (for the item's check to name).
fn number(row: &Map<String, Value>, column: &str) -> Option<Value> {
    text(row, column).map(|value| value.parse::<i64>().map_or(Value::String(value), Value::from))
}

/// A Finnish date (`1.2.2026`) in ISO form, anything else as written.
fn date(row: &Map<String, Value>, column: &str) -> Option<Value> {
    text(row, column).map(|value| {
        let parts: Vec<&str> = value.split('.').collect();
        match parts.as_slice() {
            [day, month, year]
                if [day, month, year]
                    .iter()
                    .all(|part| part.chars().all(|c| c.is_ascii_digit())) =>
            {
                Value::String(format!("{year:0>4}-{month:0>2}-{day:0>2}"))
            }
            _ => Value::String(value),
        }
    })
}

fn list(row: &Map<String, Value>, column: &str) -> Vec<String> {
    text(row, column)
        .map(|value| {
            value
                .split('|')
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Leaves out members the row has no value for, so that the item's check names them as missing.
fn present(members: Vec<(&str, Option<Value>)>) -> Value {
    Value::Object(
        members
            .into_iter()
            .filter_map(|(name, value)| value.map(|value| (name.to_owned(), value)))
            .collect(),
    )
}

fn unit(row: &Map<String, Value>) -> Option<Value> {
    if text(row, "qualification").is_none() && text(row, "unit").is_none() {
        return None;
    }
    let skills: Vec<Value> = list(row, "skills")
        .into_iter()
        .map(|skill| json!({"text": skill}))
        .collect();
    let mut unit = present(vec![
        ("qualification", text(row, "qualification").map(Value::String)),
        ("unit", text(row, "unit").map(Value::String)),
        ("description", text(row, "unit_description").map(Value::String)),
        ("hours", number(row, "unit_hours")),
    ]);
    if let Value::Object(members) = &mut unit {
        members.insert("skills".to_owned(), Value::Array(skills));
    }
    Some(unit)
}

fn certificate(row: &Map<String, Value>) -> Value {
    let string = |column: &str| text(row, column).map(Value::String);
    let environments: Vec<Value> = list(row, "learning_environment_ids")
        .into_iter()
        .map(Value::String)
        .collect();
    present(vec![
        ("issuer_organisation_id", string("issuer_organisation_id")),
        (
            "holder",
            Some(present(vec![
                ("given_names", string("given_names")),
                ("family_name", string("family_name")),
                ("date_of_birth", date(row, "date_of_birth")),
                ("hetu", string("hetu")),
                ("learner_oid", string("learner_oid")),
            ])),
        ),
        ("learning_environment_ids", Some(Value::Array(environments))),
        ("programme_reference", string("programme_reference")),
        ("start_date", date(row, "start_date")),
        ("end_date", date(row, "end_date")),
        ("hours", number(row, "hours")),
        (
            "coach",
            Some(present(vec![
                ("name", string("coach_name")),
                ("title", string("coach_title")),
            ])),
        ),
        ("language", string("language")),
        ("units", Some(Value::Array(unit(row).into_iter().collect()))),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\u{feff}certificate;given_names;family_name;date_of_birth;start_date;end_date;coach_name;coach_title;language;qualification;unit;unit_description;skills;unit_hours\n\
        a;Aino;Virtanen;15.3.2004;1.2.2026;2026-10-31;Maija;työvalmentaja;fi;351204;SAMPLE-107;\"Lounas; 80 annosta\";Valmistaa lounaan|Pesee astiat;320\n\
        a;;;;;;;;;351204;SAMPLE-108;Siivous;;40\n\
        ;Eino;Korhonen;1.1.2005;1.2.2026;31.10.2026;Maija;työvalmentaja;fi;;;;;\n";

    #[test]
    fn rows_become_items_as_a_spreadsheet_saves_them() {
        let items = items(FILE.as_bytes(), 500).expect("a batch");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].line, 2);
        assert_eq!(items[1].line, 4);
        let first = &items[0].value;
        assert_eq!(first["holder"]["date_of_birth"], "2004-03-15");
        assert_eq!(first["start_date"], "2026-02-01");
        assert_eq!(first["units"][0]["description"], "Lounas; 80 annosta");
        assert_eq!(first["units"][0]["skills"][1]["text"], "Pesee astiat");
        assert_eq!(first["units"][0]["hours"], 320);
        assert_eq!(first["units"][1]["unit"], "SAMPLE-108");
        assert_eq!(items[1].value["units"], json!([]));
        assert!(items[1].value["holder"].get("hetu").is_none());
    }

    #[test]
    fn commas_work_too_and_unknown_columns_are_named() {
        let items = items(b"given_names,family_name\nAino,Virtanen\n", 500).expect("a batch");
        assert_eq!(items[0].value["holder"]["family_name"], "Virtanen");
        let Err(ApiError::Validation(errors)) = super::items(b"given_names;nimi\nAino;x\n", 500) else {
            panic!("an unknown column is refused");
        };
        assert_eq!(errors[0].field, "nimi");
        assert!(super::items(b"given_names\nA\nB\nC\n", 2).is_err());
    }

    #[test]
    fn lines_are_counted_with_windows_line_ends_too() {
        let items = items(
            b"given_names;family_name\r\nAino;V\r\n\"Ei\r\nno\";K\r\nSanni;L\r\n",
            500,
        )
        .expect("a batch");
        let lines: Vec<u64> = items.iter().map(|item| item.line).collect();
        assert_eq!(lines, [2, 3, 5]);
    }
}
