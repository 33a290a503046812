//! Reference data as the API shows it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::text::LocalizedText;

/// A code as KOSKI, eHOKS and the other national services name it: its value in a national code
/// list (*koodisto*) of the Finnish National Agency for Education.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"koodiarvo": "100754", "koodistoUri": "tutkinnonosat"}))]
pub struct KoodistoReference {
    pub koodiarvo: String,
    /// `maakunta`, `kunta`, `koulutus` or `tutkinnonosat`.
    #[serde(rename = "koodistoUri")]
    pub koodisto_uri: String,
    /// The code list's version, when known; the value alone names the code within the list.
    #[serde(rename = "koodistoVersio", default, skip_serializing_if = "Option::is_none")]
    pub koodisto_versio: Option<i32>,
}

impl KoodistoReference {
    fn of(koodisto_uri: &str, koodiarvo: &str) -> Self {
        Self {
            koodiarvo: koodiarvo.to_owned(),
            koodisto_uri: koodisto_uri.to_owned(),
            koodisto_versio: None,
        }
    }

    pub fn region(code: &str) -> Self {
        Self::of("maakunta", code)
    }

    pub fn municipality(code: &str) -> Self {
        Self::of("kunta", code)
    }

    pub fn qualification(code: &str) -> Self {
        Self::of("koulutus", code)
    }

    /// A national unit's reference; `None` for sample and local units, whose codes are not
    /// digits (national unit codes are the digits of `tutkinnonosat_NNNNNN`).
    pub fn unit(code: &str) -> Option<Self> {
        is_national_unit(code).then(|| Self::of("tutkinnonosat", code))
    }

    /// The code's URI, as eHOKS writes it: `tutkinnonosat_100754`.
    pub fn uri(&self) -> String {
        format!("{}_{}", self.koodisto_uri, self.koodiarvo)
    }
}

/// Whether a unit code is a national one: the digits of its `tutkinnonosat` code.
pub fn is_national_unit(code: &str) -> bool {
    !code.is_empty() && code.bytes().all(|byte| byte.is_ascii_digit())
}

/// A region (*maakunta*) by its two-digit Statistics Finland code.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"code": "04", "koodisto": {"koodiarvo": "04", "koodistoUri": "maakunta"}, "name": {"fi": "Satakunta", "sv": "Satakunta", "en": "Satakunta Region"}, "in_force": true, "placeholder": false}))]
pub struct Region {
    pub code: String,
    /// The same code in KOSKI's shape.
    pub koodisto: KoodistoReference,
    pub name: LocalizedText,
    /// False for regions that no longer exist (e.g. 20 Itä-Uusimaa, merged in 2011).
    pub in_force: bool,
    /// True for the koodisto's "unknown" code 99, which is not a region.
    pub placeholder: bool,
}

/// A municipality (*kunta*) by its three-digit official code.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"code": "684", "koodisto": {"koodiarvo": "684", "koodistoUri": "kunta"}, "name": {"fi": "Rauma", "sv": "Raumo"}, "region": "04", "in_force": true, "valid_to": null, "placeholder": false}))]
pub struct Municipality {
    pub code: String,
    /// The same code in KOSKI's shape.
    pub koodisto: KoodistoReference,
    pub name: LocalizedText,
    /// The region's code; unknown for many municipalities that ended long ago.
    pub region: Option<String>,
    /// False for municipalities ended by a merger: still resolvable, not selectable for new records.
    pub in_force: bool,
    pub valid_to: Option<NaiveDate>,
    /// True for codes that are not municipalities (198, 199, 200 abroad, 999 unknown).
    pub placeholder: bool,
}

crate::text_enum! {
    #[serde(rename_all = "snake_case")]
    pub enum QualificationType {
        /// *Ammatillinen perustutkinto*.
        VocationalUpperSecondary,
        /// *Ammattitutkinto*.
        Further,
        /// *Erikoisammattitutkinto*.
        Specialist,
        Other,
    }
}

/// A qualification in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "code": "381141",
    "koodisto": {"koodiarvo": "381141", "koodistoUri": "koulutus"},
    "name": {"fi": "Puhtaus- ja kiinteistöpalvelualan perustutkinto", "sv": "Grundexamen inom rengörings- och fastighetsservicebranschen", "en": "Vocational qualification in Cleaning and Property Services"},
    "type": "vocational_upper_secondary",
    "competence_points": 180,
    "replaced_by": null,
    "sample": false
}))]
pub struct QualificationSummary {
    /// The national six-digit qualification code (*koulutus* code).
    pub code: String,
    /// The same code in KOSKI's shape.
    pub koodisto: KoodistoReference,
    pub name: LocalizedText,
    #[serde(rename = "type")]
    pub qualification_type: QualificationType,
    /// Scope in competence points (*osaamispisteet*) where it is fixed.
    pub competence_points: Option<i32>,
    /// The code of the qualification that replaced this one.
    pub replaced_by: Option<String>,
    /// True when the record is sample data, not an official one.
    pub sample: bool,
}

/// A qualification unit as part of a qualification.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"code": "100761", "koodisto": {"koodiarvo": "100761", "koodistoUri": "tutkinnonosat"}, "name": {"fi": "Viljelyteknologian hyödyntäminen"}, "competence_points": 15, "sample": false, "compulsory": false, "competence_area": "1583"}))]
pub struct UnitSummary {
    pub code: String,
    /// A national unit's code in KOSKI's shape; `null` for sample and local units.
    pub koodisto: Option<KoodistoReference>,
    pub name: LocalizedText,
    pub competence_points: Option<i32>,
    pub sample: bool,
    /// Whether the qualification's requirements make the unit compulsory; `null` when they do
    /// not say (units not imported from ePerusteet).
    pub compulsory: Option<bool>,
    /// The code of the competence area (*osaamisala*) the unit belongs to, one of the
    /// qualification's `competence_areas`.
    pub competence_area: Option<String>,
}

/// A competence area (*osaamisala*) of a qualification.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"code": "1583", "name": {"fi": "Puutarhatuotannon osaamisala", "sv": "Kompetensområdet för trädgårdsproduktion"}}))]
pub struct CompetenceArea {
    /// The *osaamisala* code value.
    pub code: String,
    pub name: LocalizedText,
}

/// One professional requirement of a unit (*ammattitaitovaatimus*), as its requirements document
/// words it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"position": 1, "text": {"fi": "arvioida oman osaamisensa tuotteistamista"}}))]
pub struct Requirement {
    /// Its place in the unit's list, from 1: how a certificate names it.
    pub position: i32,
    pub text: RequirementText,
}

/// A requirement's wording in Finnish and, where the document has them, Swedish and English:
/// longer than a name may be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"fi": "lisätä ja istuttaa puutarhakasveja", "sv": "föröka och plantera trädgårdsväxter"}))]
pub struct RequirementText {
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub fi: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub sv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub en: Option<String>,
}

impl RequirementText {
    /// Every language's text, Finnish first.
    pub fn texts(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.fi)
            .chain(self.sv.as_ref())
            .chain(self.en.as_ref())
    }

    pub fn trimmed(self) -> Self {
        Self {
            fi: self.fi.trim().to_owned(),
            sv: self.sv.map(|text| text.trim().to_owned()),
            en: self.en.map(|text| text.trim().to_owned()),
        }
    }
}

/// A qualification with its units.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "code": "381141",
    "koodisto": {"koodiarvo": "381141", "koodistoUri": "koulutus"},
    "name": {"fi": "Puhtaus- ja kiinteistöpalvelualan perustutkinto", "sv": "Grundexamen inom rengörings- och fastighetsservicebranschen"},
    "type": "vocational_upper_secondary",
    "competence_points": 180,
    "replaced_by": null,
    "sample": false,
    "units": [{"code": "SAMPLE-101", "koodisto": null, "name": {"fi": "Asiakaslähtöiset puhtaus- ja kiinteistöpalvelut"}, "competence_points": 45, "sample": true, "compulsory": null, "competence_area": null}],
    "competence_areas": [],
    "requirements_document": null
}))]
pub struct Qualification {
    #[serde(flatten)]
    pub qualification: QualificationSummary,
    pub units: Vec<UnitSummary>,
    /// Its competence areas, when its requirements document has them.
    pub competence_areas: Vec<CompetenceArea>,
    /// The national requirements document its units come from, when one was imported.
    pub requirements_document: Option<crate::reference::import::RequirementsDocument>,
}

/// A qualification unit with the qualifications it belongs to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"code": "SAMPLE-103", "koodisto": null, "name": {"fi": "Kiinteistönhoitopalveluissa toimiminen"}, "competence_points": 60, "sample": true, "qualifications": ["351204", "381141"], "requirements": []}))]
pub struct QualificationUnit {
    pub code: String,
    /// A national unit's code in KOSKI's shape; `null` for sample and local units.
    pub koodisto: Option<KoodistoReference>,
    pub name: LocalizedText,
    pub competence_points: Option<i32>,
    pub sample: bool,
    /// Codes of the qualifications this unit belongs to.
    pub qualifications: Vec<String>,
    /// Its professional requirements in order, when imported from its requirements document.
    pub requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct RegionFilter {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct MunicipalityFilter {
    /// Only municipalities of this region (two-digit code).
    #[param(example = "04")]
    #[validate(length(equal = 2))]
    #[param(pattern = r"^(maakunta_)?[\s\S]{2}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::region")]
    pub region: Option<String>,
    /// `true`: only municipalities in force; `false`: only ended ones.
    pub in_force: Option<bool>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct QualificationFilter {
    /// Text in any language variant of the name, case- and accent-insensitive, or the start of the code.
    #[param(example = "kiinteisto")]
    #[validate(length(min = 1, max = 200))]
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type", inline)]
    pub qualification_type: Option<QualificationType>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A coded thing with its name: a qualification or a unit where a record refers to one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"code": "SAMPLE-107", "name": {"fi": "Ruokapalveluissa avustaminen"}}))]
pub struct CodeAndName {
    pub code: String,
    pub name: LocalizedText,
}
