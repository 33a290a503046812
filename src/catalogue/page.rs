//! A catalogue page written as JSON from parts. Each environment's own part of its entry is kept
//! serialized under the catalogue version; a page writes those bytes as they are, with the units
//! in force on the day and the distance beside them, so that a page not kept whole copies nothing
//! it keeps. The bytes are those `serde_json` makes of `Page<CatalogueEnvironment>` (a test holds
//! the two side by side).

use actix_web::web::Bytes;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::value::RawValue;

use super::dto::CatalogueEnvironment;
use crate::error::ApiError;

/// How an entry without units or distance ends; the entry's own part is what comes before.
const EMPTY_TAIL: &[u8] = br#"[],"distance_km":null}"#;

/// An environment's entry as JSON up to and including `"recognised_units":`.
pub struct EnvironmentPart {
    head: Box<[u8]>,
}

impl EnvironmentPart {
    /// The part of `entry`, which has no units and no distance.
    pub fn of(entry: &CatalogueEnvironment) -> Result<Self, ApiError> {
        let mut json = serde_json::to_vec(entry).map_err(not_serialized)?;
        if !json.ends_with(EMPTY_TAIL) || !entry.recognised_units.is_empty() {
            return Err(ApiError::internal(
                "a catalogue entry does not end with its units and distance",
            ));
        }
        json.truncate(json.len() - EMPTY_TAIL.len());
        Ok(Self {
            head: json.into_boxed_slice(),
        })
    }
}

/// A unit in force as `RecognisedUnit` serializes it, with what it names already serialized:
/// a page shows a few qualifications, units and providers a hundred times over.
#[derive(Serialize)]
pub struct UnitView<'a> {
    pub recognition_id: &'a str,
    pub qualification: &'a RawValue,
    pub unit: &'a RawValue,
    pub provider: &'a RawValue,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

/// One entry of a page: the environment's part, its units in force and its distance.
pub struct Entry<'a> {
    pub part: &'a EnvironmentPart,
    pub units: Vec<UnitView<'a>>,
    pub distance_km: Option<f64>,
}

pub fn not_serialized(error: serde_json::Error) -> ApiError {
    ApiError::internal(format!("a catalogue answer did not serialize: {error}"))
}

/// About how many bytes a unit takes, to size the page once.
const UNIT_BYTES: usize = 600;

/// The page `{"items": [...], "next_cursor": ...}`.
pub fn write(entries: &[Entry<'_>], next_cursor: Option<&str>) -> Result<Bytes, ApiError> {
    let size: usize = entries
        .iter()
        .map(|entry| entry.part.head.len() + UNIT_BYTES * entry.units.len() + 40)
        .sum();
    let mut out = Vec::with_capacity(size + 100);
    out.extend_from_slice(br#"{"items":["#);
    for (n, entry) in entries.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&entry.part.head);
        serde_json::to_writer(&mut out, &entry.units).map_err(not_serialized)?;
        out.extend_from_slice(br#","distance_km":"#);
        serde_json::to_writer(&mut out, &entry.distance_km).map_err(not_serialized)?;
        out.push(b'}');
    }
    out.extend_from_slice(br#"],"next_cursor":"#);
    serde_json::to_writer(&mut out, &next_cursor).map_err(not_serialized)?;
    out.push(b'}');
    Ok(Bytes::from(out))
}

#[cfg(test)]
mod tests {
    use serde_json::value::to_raw_value;

    use super::*;
    use crate::{
        catalogue::dto::RecognisedUnit,
        environments::dto::{Address, Contact, Coordinates, Sector},
        organisations::dto::{OrganisationKind, OrganisationSummary},
        pagination::Page,
        reference::dto::CodeAndName,
        text::LocalizedText,
    };

    fn named(code: &str, fi: &str) -> CodeAndName {
        CodeAndName {
            code: code.to_owned(),
            name: LocalizedText::new(fi, Some(format!("{fi} \"sv\"")), None),
        }
    }

    fn entry(n: usize, units: usize, distance_km: Option<f64>) -> CatalogueEnvironment {
        let provider = OrganisationSummary {
            id: format!("provider-{n}"),
            name: LocalizedText::new("Koulutuskuntayhtymä \\ \u{2028}", None, None),
            kind: OrganisationKind::EducationProvider,
        };
        CatalogueEnvironment {
            id: format!("environment-{n}"),
            name: LocalizedText::new("Työpajan keittiö", Some("Kök".to_owned()), None),
            description: (n % 2 == 0).then(|| "Lounas \"80\" annosta.\n".to_owned()),
            work_tasks: vec!["lounaan valmistus".to_owned()],
            sector: Sector::FoodServices,
            address: Address {
                street_address: "Savilankatu 4".to_owned(),
                postal_code: "26100".to_owned(),
                post_office: None,
                municipality: "684".to_owned(),
                region: Some("04".to_owned()),
            },
            coordinates: Some(Coordinates {
                latitude: 61.1272,
                longitude: 21.5112,
            }),
            capacity: Some(4),
            accessibility: None,
            languages: vec!["fi".to_owned(), "sv".to_owned()],
            contact: Some(Contact {
                name: None,
                title: Some("työvalmentaja".to_owned()),
                email: None,
                phone: None,
                private: true,
            }),
            organisation: provider.clone(),
            recognised_units: (0..units)
                .map(|u| RecognisedUnit {
                    recognition_id: format!("recognition-{n}-{u}"),
                    qualification: named("351204", "Kiinteistöpalvelujen perustutkinto"),
                    unit: named(&format!("SAMPLE-10{u}"), "Ruokapalveluissa avustaminen"),
                    provider: provider.clone(),
                    valid_from: NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date"),
                    valid_until: (u == 1).then(|| NaiveDate::from_ymd_opt(2028, 11, 30).expect("a date")),
                })
                .collect(),
            distance_km,
        }
    }

    fn written(page: &Page<CatalogueEnvironment>) -> Bytes {
        let parts: Vec<EnvironmentPart> = page
            .items
            .iter()
            .map(|item| {
                let mut bare = item.clone();
                bare.recognised_units.clear();
                bare.distance_km = None;
                EnvironmentPart::of(&bare).expect("a part")
            })
            .collect();
        let named: Vec<Vec<[Box<RawValue>; 3]>> = page
            .items
            .iter()
            .map(|item| {
                item.recognised_units
                    .iter()
                    .map(|unit| {
                        [
                            to_raw_value(&unit.qualification).expect("serializes"),
                            to_raw_value(&unit.unit).expect("serializes"),
                            to_raw_value(&unit.provider).expect("serializes"),
                        ]
                    })
                    .collect()
            })
            .collect();
        let entries: Vec<Entry<'_>> = page
            .items
            .iter()
            .zip(&parts)
            .zip(&named)
            .map(|((item, part), named)| Entry {
                part,
                units: item
                    .recognised_units
                    .iter()
                    .zip(named)
                    .map(|(unit, [qualification, named_unit, provider])| UnitView {
                        recognition_id: &unit.recognition_id,
                        qualification,
                        unit: named_unit,
                        provider,
                        valid_from: unit.valid_from,
                        valid_until: unit.valid_until,
                    })
                    .collect(),
                distance_km: item.distance_km,
            })
            .collect();
        write(&entries, page.next_cursor.as_deref()).expect("a page")
    }

    #[test]
    fn a_page_written_from_parts_is_what_serde_makes_of_it() {
        for (items, next_cursor) in [
            (vec![], None),
            (vec![entry(0, 0, None)], Some("WyJhIl0".to_owned())),
            (
                vec![
                    entry(1, 3, Some(1.274)),
                    entry(2, 1, Some(0.0)),
                    entry(3, 0, None),
                ],
                None,
            ),
        ] {
            let page = Page { items, next_cursor };
            let expected = serde_json::to_vec(&page).expect("serializes");
            assert_eq!(
                String::from_utf8_lossy(&written(&page)),
                String::from_utf8_lossy(&expected)
            );
        }
    }

    #[test]
    fn a_part_of_an_entry_with_units_is_refused() {
        assert!(EnvironmentPart::of(&entry(1, 1, None)).is_err());
    }
}
