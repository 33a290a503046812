//! A qualification's national requirements as ePerusteet publishes them (a *peruste* document),
//! read into a reference file: the qualification by its national code, its units by theirs with
//! names, competence points, place in the structure (compulsory or optional, competence area) and
//! professional requirements, its competence areas, and the document's diary number and validity.
//! Only what is read here is trusted; everything else in the document is ignored.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use super::{
    dto::{QualificationType, RequirementText},
    import::{
        self, CompetenceAreaEntry, ImportError, ImportReport, PlacedUnit, QualificationEntry, ReferenceFile,
        RequirementsDocument, UnitEntry, UnitLinkEntry,
    },
};
use crate::{
    db::DbConnection,
    schema::{qualification_unit_links, qualification_units, qualifications},
    text::LocalizedText,
};

/// Texts in Finnish, Swedish and English, as ePerusteet writes them (with ids of its own beside).
#[derive(Debug, Clone, Default, Deserialize)]
struct Texts {
    fi: Option<String>,
    sv: Option<String>,
    en: Option<String>,
}

impl Texts {
    /// As a requirement's wording, when it has a Finnish text.
    fn requirement(&self) -> Option<RequirementText> {
        let text = self.localized()?;
        Some(RequirementText {
            fi: text.fi,
            sv: text.sv,
            en: text.en,
        })
    }

    fn localized(&self) -> Option<LocalizedText> {
        let clean = |text: &Option<String>| {
            text.as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        Some(LocalizedText::new(
            &clean(&self.fi)?,
            clean(&self.sv),
            clean(&self.en),
        ))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Peruste {
    id: i64,
    diaarinumero: String,
    koulutustyyppi: Option<String>,
    koulutukset: Vec<Koulutus>,
    voimassaolo_alkaa: Option<i64>,
    voimassaolo_loppuu: Option<i64>,
    #[serde(default)]
    osaamisalat: Vec<Osaamisala>,
    #[serde(default)]
    suoritustavat: Vec<Suoritustapa>,
    #[serde(default)]
    tutkinnon_osat: Vec<TutkinnonOsa>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Koulutus {
    koulutuskoodi_arvo: String,
    #[serde(default)]
    nimi: Texts,
}

#[derive(Debug, Deserialize)]
struct Osaamisala {
    arvo: String,
    #[serde(default)]
    nimi: Texts,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Suoritustapa {
    suoritustapakoodi: String,
    laajuus_yksikko: Option<String>,
    rakenne: Option<Value>,
    #[serde(default)]
    tutkinnon_osa_viitteet: Vec<Viite>,
}

#[derive(Debug, Deserialize)]
struct Viite {
    id: i64,
    laajuus: Option<f64>,
    #[serde(rename = "_tutkinnonOsa")]
    tutkinnon_osa: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TutkinnonOsa {
    id: i64,
    koodi_arvo: Option<String>,
    #[serde(default)]
    nimi: Texts,
    ammattitaitovaatimukset: Option<Texts>,
    ammattitaitovaatimukset2019: Option<Value>,
}

/// A day of the document: ePerusteet gives midnight in Finland as milliseconds since the epoch;
/// half a day later is the same calendar day in UTC whatever the season.
fn day(milliseconds: Option<i64>) -> Option<NaiveDate> {
    DateTime::from_timestamp_millis(milliseconds? + 12 * 3600 * 1000).map(|at| at.date_naive())
}

fn qualification_type(koulutustyyppi: Option<&str>) -> QualificationType {
    match koulutustyyppi {
        Some("koulutustyyppi_1") => QualificationType::VocationalUpperSecondary,
        Some("koulutustyyppi_11") => QualificationType::Further,
        Some("koulutustyyppi_12") => QualificationType::Specialist,
        _ => QualificationType::Other,
    }
}

/// Text of an HTML fragment: tags dropped, the entities ePerusteet uses decoded, spaces collapsed.
fn plain(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let decoded = [
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&auml;", "ä"),
        ("&ouml;", "ö"),
        ("&aring;", "å"),
        ("&Auml;", "Ä"),
        ("&Ouml;", "Ö"),
        ("&Aring;", "Å"),
        ("&ndash;", "–"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(text, |text, (entity, character)| text.replace(entity, character));
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The list items of an HTML fragment (each `<li>`), as plain text.
fn list_items(html: &str) -> Vec<String> {
    html.split("<li")
        .skip(1)
        .filter_map(|item| {
            let body = &item[item.find('>')? + 1..];
            let end = body.find("</li>").unwrap_or(body.len());
            Some(plain(&body[..end]))
        })
        .filter(|text| !text.is_empty())
        .collect()
}

/// A unit's professional requirements: the 2019 structured form when present, else the items of
/// the older HTML lists. Swedish texts are kept only when they pair one to one with the Finnish.
fn requirements(unit: &TutkinnonOsa) -> Vec<RequirementText> {
    if let Some(structured) = &unit.ammattitaitovaatimukset2019 {
        let mut found = Vec::new();
        let mut take = |list: &Value| {
            for requirement in list.as_array().into_iter().flatten() {
                let texts: Texts =
                    serde_json::from_value(requirement["vaatimus"].clone()).unwrap_or_default();
                found.extend(texts.requirement());
            }
        };
        take(&structured["vaatimukset"]);
        for area in structured["kohdealueet"].as_array().into_iter().flatten() {
            take(&area["vaatimukset"]);
        }
        return found;
    }
    let Some(texts) = &unit.ammattitaitovaatimukset else {
        return Vec::new();
    };
    let finnish = list_items(texts.fi.as_deref().unwrap_or_default());
    let swedish = list_items(texts.sv.as_deref().unwrap_or_default());
    let paired = swedish.len() == finnish.len();
    finnish
        .into_iter()
        .enumerate()
        .map(|(index, fi)| RequirementText {
            fi,
            sv: paired.then(|| swedish[index].clone()),
            en: None,
        })
        .collect()
}

/// Where each unit (by its viite id) stands in the structure, in reading order: compulsory or
/// not, and the competence area of the group it is in.
fn placements(node: &Value, area: Option<&str>, found: &mut Vec<(i64, Option<bool>, Option<String>)>) {
    let area = node["osaamisala"]["osaamisalakoodiArvo"].as_str().or(area);
    if let Some(viite) = node["_tutkinnonOsaViite"].as_str().and_then(|id| id.parse().ok()) {
        found.push((viite, node["pakollinen"].as_bool(), area.map(str::to_owned)));
    }
    for child in node["osat"].as_array().into_iter().flatten() {
        placements(child, area, found);
    }
}

/// The way of completing the qualification that counts in competence points (the reform's, or
/// the curriculum's), else the first.
fn main_way(peruste: &Peruste) -> Option<&Suoritustapa> {
    let in_points = |way: &&Suoritustapa| way.laajuus_yksikko.as_deref() == Some("OSAAMISPISTE");
    let by_code = |code: &str| {
        peruste
            .suoritustavat
            .iter()
            .filter(in_points)
            .find(|way| way.suoritustapakoodi == code)
    };
    by_code("reformi")
        .or_else(|| by_code("ops"))
        .or_else(|| peruste.suoritustavat.iter().find(in_points))
        .or_else(|| peruste.suoritustavat.first())
}

/// The units of the document and their places, in the structure's order.
fn units(peruste: &Peruste, problems: &mut Vec<(String, String)>) -> (Vec<UnitEntry>, Vec<UnitLinkEntry>) {
    let way = main_way(peruste);
    let viitteet: HashMap<i64, &Viite> = way
        .map(|way| {
            way.tutkinnon_osa_viitteet
                .iter()
                .map(|viite| (viite.id, viite))
                .collect()
        })
        .unwrap_or_default();
    let mut placed = Vec::new();
    if let Some(structure) = way.and_then(|way| way.rakenne.as_ref()) {
        placements(structure, None, &mut placed);
    }
    // Units the structure does not place still belong to the qualification, after the placed ones.
    for viite in way
        .map(|way| way.tutkinnon_osa_viitteet.as_slice())
        .unwrap_or_default()
    {
        if !placed.iter().any(|(id, _, _)| *id == viite.id) {
            placed.push((viite.id, None, None));
        }
    }
    let by_id: HashMap<String, (usize, &TutkinnonOsa)> = peruste
        .tutkinnon_osat
        .iter()
        .enumerate()
        .map(|(index, unit)| (unit.id.to_string(), (index, unit)))
        .collect();
    let (mut entries, mut links, mut seen) = (Vec::new(), Vec::new(), HashSet::new());
    for (viite_id, compulsory, competence_area) in placed {
        let Some(viite) = viitteet.get(&viite_id) else {
            continue;
        };
        let Some(&(index, unit)) = by_id.get(&viite.tutkinnon_osa) else {
            continue;
        };
        let path = format!("$.tutkinnonOsat[{index}]");
        let (Some(code), Some(name)) = (unit.koodi_arvo.clone(), unit.nimi.localized()) else {
            problems.push((
                path,
                "a unit without a national code (koodiArvo) or a Finnish name".to_owned(),
            ));
            continue;
        };
        if !seen.insert(code.clone()) {
            continue;
        }
        entries.push(UnitEntry {
            code: code.clone(),
            name,
            competence_points: viite
                .laajuus
                .map(|points| points.round() as i32)
                .filter(|&points| points > 0),
            sample: false,
            requirements: Some(requirements(unit)),
        });
        links.push(UnitLinkEntry::Placed(PlacedUnit {
            code,
            compulsory,
            competence_area,
        }));
    }
    (entries, links)
}

/// The qualification's stored successor and the sample units linked to it: the document says
/// nothing of either, so an import keeps them.
fn kept(conn: &mut DbConnection, code: &str) -> QueryResult<(Option<String>, Vec<UnitLinkEntry>)> {
    let replaced_by = qualifications::table
        .find(code)
        .select(qualifications::replaced_by)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten();
    let samples = qualification_unit_links::table
        .inner_join(qualification_units::table)
        .filter(qualification_unit_links::qualification_code.eq(code))
        .filter(qualification_units::sample.eq(true))
        .order(qualification_unit_links::position)
        .select(qualification_unit_links::unit_code)
        .load::<String>(conn)?;
    Ok((
        replaced_by,
        samples.into_iter().map(UnitLinkEntry::Code).collect(),
    ))
}

/// The document as a reference file, or everything wrong with it.
fn convert(conn: &mut DbConnection, peruste: &Peruste) -> Result<ReferenceFile, ImportError> {
    let mut problems = Vec::new();
    if peruste.koulutukset.is_empty() {
        problems.push((
            "$.koulutukset".to_owned(),
            "names no qualification (koulutuskoodiArvo)".to_owned(),
        ));
    }
    let (unit_entries, links) = units(peruste, &mut problems);
    let areas: Vec<CompetenceAreaEntry> = peruste
        .osaamisalat
        .iter()
        .filter_map(|area| {
            Some(CompetenceAreaEntry {
                code: area.arvo.clone(),
                name: area.nimi.localized()?,
            })
        })
        .collect();
    let structure = main_way(peruste).and_then(|way| way.rakenne.as_ref());
    let scope = structure.map(|node| &node["muodostumisSaanto"]["laajuus"]);
    let competence_points = scope
        .filter(|scope| scope["minimi"] == scope["maksimi"])
        .and_then(|scope| scope["minimi"].as_i64())
        .and_then(|points| i32::try_from(points).ok());
    let mut qualification_entries = Vec::new();
    for (index, koulutus) in peruste.koulutukset.iter().enumerate() {
        let Some(name) = koulutus.nimi.localized() else {
            problems.push((
                format!("$.koulutukset[{index}].nimi"),
                "has no Finnish name".to_owned(),
            ));
            continue;
        };
        let (replaced_by, samples) = kept(conn, &koulutus.koulutuskoodi_arvo)?;
        qualification_entries.push(QualificationEntry {
            code: koulutus.koulutuskoodi_arvo.clone(),
            name,
            qualification_type: qualification_type(peruste.koulutustyyppi.as_deref()),
            competence_points,
            replaced_by,
            sample: false,
            units: Some(links.iter().cloned().chain(samples).collect()),
            competence_areas: Some(areas.clone()),
            requirements_document: Some(RequirementsDocument {
                eperusteet_id: peruste.id,
                diary_number: peruste.diaarinumero.clone(),
                valid_from: day(peruste.voimassaolo_alkaa),
                valid_until: day(peruste.voimassaolo_loppuu),
            }),
        });
    }
    if !problems.is_empty() {
        return Err(ImportError::Invalid(problems));
    }
    Ok(ReferenceFile {
        about: None,
        regions: Vec::new(),
        municipalities: Vec::new(),
        qualification_units: unit_entries,
        qualifications: qualification_entries,
    })
}

/// Reads an ePerusteet document and imports what it says, in one transaction.
pub fn import(conn: &mut DbConnection, json: &[u8]) -> Result<ImportReport, ImportError> {
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let peruste: Peruste = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        ImportError::Invalid(vec![(format!("$.{}", error.path()), error.inner().to_string())])
    })?;
    let file = convert(conn, &peruste)?;
    import::import(conn, &file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_lists_become_plain_texts() {
        let html = "<p>Opiskelija osaa</p>\n<ul>\n\t<li>laatia <strong>suunnitelman</strong>&nbsp;ja\n arvioida</li>\n\t<li>k&auml;ytt&auml;&auml; koneita &amp; laitteita.</li>\n</ul>";
        assert_eq!(
            list_items(html),
            vec!["laatia suunnitelman ja arvioida", "käyttää koneita & laitteita."]
        );
    }

    #[test]
    fn days_are_finnish_calendar_days() {
        // 2016-07-31T21:00:00Z is midnight of 1 August in Finland.
        assert_eq!(day(Some(1_469_998_800_000)), NaiveDate::from_ymd_opt(2016, 8, 1));
        assert_eq!(day(None), None);
    }
}
