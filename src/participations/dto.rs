use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::reference::dto::CodeAndName;

/// An enumeration of statistical categories, in the order reports list them, with Finnish,
/// Swedish and English labels for reports.
macro_rules! categories {
    ($(#[$meta:meta])* $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $text:tt / $fi:literal / $sv:literal / $en:literal),+ $(,)? }) => {
        $crate::text_enum! {
            $(#[$meta])*
            pub enum $name {
                $($(#[$variant_meta])* #[serde(rename = $text)] $variant),+
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The category's label in `language`, as funders' forms name it.
            pub fn label(self, language: $crate::locale::Language) -> &'static str {
                match self {
                    $($name::$variant => language.pick($fi, $sv, $en)),+
                }
            }
        }
    };
}

categories!(
    /// Gender as the participant states it.
    Gender {
        Female = "female" / "nainen" / "kvinna" / "female",
        Male = "male" / "mies" / "man" / "male",
        Other = "other" / "muu" / "annat" / "other",
        Unknown = "unknown" / "ei tiedossa" / "okänt" / "unknown",
    }
);

categories!(
    /// Age at the start of the coaching period.
    AgeBand {
        Under25 = "under_25" / "alle 25-vuotias" / "under 25 år" / "under 25",
        From25To29 = "from_25_to_29" / "25–29-vuotias" / "25–29 år" / "25–29",
        From30To54 = "from_30_to_54" / "30–54-vuotias" / "30–54 år" / "30–54",
        From55 = "from_55" / "55 vuotta täyttänyt" / "55 år eller äldre" / "55 or older",
    }
);

categories!(
    /// How long the participant had been unemployed at the start.
    UnemploymentDuration {
        None = "none" / "ei työtön" / "inte arbetslös" / "not unemployed",
        Under12Months = "under_12_months" / "työtön alle 12 kuukautta" / "arbetslös under 12 månader" / "unemployed under 12 months",
        AtLeast12Months = "at_least_12_months" / "työtön vähintään 12 kuukautta" / "arbetslös minst 12 månader" / "unemployed at least 12 months",
    }
);

categories!(
    /// The highest completed education at the start.
    EducationLevel {
        /// Basic education or less.
        Basic = "basic" / "perusaste tai vähemmän" / "grundnivå eller lägre" / "basic education or less",
        /// General upper secondary or vocational.
        UpperSecondary = "upper_secondary" / "toinen aste (lukio tai ammatillinen)" / "andra stadiet (gymnasium eller yrkesutbildning)" / "upper secondary (general or vocational)",
        /// A university or university of applied sciences degree.
        Higher = "higher" / "korkea-aste" / "högre utbildning" / "higher education",
    }
);

categories!(
    ImmigrantBackground {
        Yes = "yes" / "on" / "ja" / "yes",
        No = "no" / "ei" / "nej" / "no",
        Unknown = "unknown" / "ei tiedossa" / "okänt" / "unknown",
    }
);

categories!(
    /// Where the participant went when the coaching period ended.
    NextStep {
        /// Studies towards a qualification or degree.
        Studies = "studies" / "opinnot" / "studier" / "studies",
        /// Education or training that leads to no degree: preparatory education, courses, labour
        /// market training.
        OtherEducation = "other_education" / "muu koulutus" / "annan utbildning" / "other education or training",
        Employment = "employment" / "työ" / "arbete" / "employment",
        SubsidisedEmployment = "subsidised_employment" / "palkkatuettu työ" / "arbete med lönesubvention" / "subsidised employment",
        JobSeeking = "job_seeking" / "työnhaku" / "arbetssökande" / "job seeking",
        Unemployed = "unemployed" / "työtön" / "arbetslös" / "unemployed",
        OutsideLabourForce = "outside_labour_force" / "työvoiman ulkopuolella" / "utanför arbetskraften" / "outside the labour force",
        Other = "other" / "muu" / "annat" / "other",
        Unknown = "unknown" / "ei tiedossa" / "okänt" / "unknown",
    }
);

impl AgeBand {
    pub fn under_30(self) -> bool {
        matches!(self, Self::Under25 | Self::From25To29)
    }
}

impl NextStep {
    /// Studies, other education or work, subsidised work included: what funders count as a
    /// positive outcome.
    pub fn positive(self) -> bool {
        matches!(
            self,
            Self::Studies | Self::OtherEducation | Self::Employment | Self::SubsidisedEmployment
        )
    }
}

/// A coaching period as recorded, and as a merge patch changes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "starts_on": "2026-02-01",
    "ends_on": "2026-10-31",
    "municipality": "684",
    "coach_organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "learning_environment_ids": ["0193a2b4-8a00-7b3a-9f00-5b1c2d3e4f70"],
    "certificate_ids": [],
    "gender": "female",
    "age_band": "under_25",
    "unemployment_duration": "at_least_12_months",
    "education_level": "basic",
    "immigrant_background": "no",
    "next_step": "studies"
}))]
pub struct ParticipationInput {
    pub starts_on: NaiveDate,
    /// Absent while the coaching period goes on.
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    /// The participant's home municipality, by its three-digit code.
    #[serde(deserialize_with = "crate::reference::codes::municipality")]
    #[schema(schema_with = crate::reference::codes::municipality_schema)]
    pub municipality: String,
    /// The organisation that coaches: the programme's administrator or one of its partners.
    pub coach_organisation_id: String,
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub learning_environment_ids: Vec<String>,
    /// Issued competence certificates of the participant.
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub certificate_ids: Vec<String>,
    pub gender: Gender,
    pub age_band: AgeBand,
    pub unemployment_duration: UnemploymentDuration,
    pub education_level: EducationLevel,
    pub immigrant_background: ImmigrantBackground,
    /// Recorded when the period ends.
    #[serde(default)]
    pub next_step: Option<NextStep>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-8f00-7a3a-9f00-5b1c2d3e4f90",
    "programme_id": "0193a2b4-8e00-7a3a-9f00-5b1c2d3e4f60",
    "starts_on": "2026-02-01",
    "ends_on": "2026-10-31",
    "municipality": "684",
    "coach_organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f50",
    "learning_environment_ids": ["0193a2b4-8a00-7b3a-9f00-5b1c2d3e4f70"],
    "certificate_ids": [],
    "gender": "female",
    "age_band": "under_25",
    "under_30": true,
    "unemployment_duration": "at_least_12_months",
    "education_level": "basic",
    "immigrant_background": "no",
    "next_step": "studies",
    "version": 2,
    "created_at": "2026-02-01T09:00:00Z",
    "updated_at": "2026-10-31T15:00:00Z"
}))]
pub struct Participation {
    pub id: String,
    pub programme_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub municipality: String,
    pub coach_organisation_id: String,
    pub learning_environment_ids: Vec<String>,
    pub certificate_ids: Vec<String>,
    pub gender: Gender,
    pub age_band: AgeBand,
    /// Under 30 at the start, from the age band.
    pub under_30: bool,
    pub unemployment_duration: UnemploymentDuration,
    pub education_level: EducationLevel,
    pub immigrant_background: ImmigrantBackground,
    pub next_step: Option<NextStep>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::concurrency::Versioned for Participation {
    fn version(&self) -> i64 {
        self.version
    }
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ParticipationFilter {
    /// Coached by this organisation.
    pub coach: Option<String>,
    /// From this home municipality (three-digit code).
    #[validate(length(equal = 3))]
    #[param(pattern = r"^(kunta_)?[\s\S]{3}$")]
    #[serde(default, deserialize_with = "crate::reference::codes::query::municipality")]
    pub municipality: Option<String>,
    /// `true`: periods that have ended (an end date on or before today); `false`: ongoing ones.
    pub ended: Option<bool>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A qualification unit a participant completed, as the education provider records it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "provider_organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52",
    "qualification": "381141",
    "unit": "SAMPLE-103",
    "completed_on": "2026-10-15",
    "learning_environment_id": "0193a2b4-8a00-7b3a-9f00-5b1c2d3e4f70",
    "municipality": "684",
    "qualification_completed": false
}))]
pub struct CompletionInput {
    /// The education provider the unit was completed at. Defaults to the caller's organisation;
    /// the programme's administrator names it when recording on the provider's behalf.
    #[serde(default)]
    pub provider_organisation_id: Option<String>,
    /// Qualification code.
    #[validate(length(min = 1, max = 20))]
    #[serde(deserialize_with = "crate::reference::codes::qualification")]
    #[schema(schema_with = crate::reference::codes::qualification_schema)]
    pub qualification: String,
    /// Qualification unit code.
    #[validate(length(min = 1, max = 40))]
    #[serde(deserialize_with = "crate::reference::codes::unit")]
    #[schema(schema_with = crate::reference::codes::unit_schema)]
    pub unit: String,
    pub completed_on: NaiveDate,
    /// The learning environment where the competence was shown.
    #[serde(default)]
    pub learning_environment_id: Option<String>,
    /// Where the unit was completed, by three-digit municipality code.
    #[serde(deserialize_with = "crate::reference::codes::municipality")]
    #[schema(schema_with = crate::reference::codes::municipality_schema)]
    pub municipality: String,
    /// Whether this unit completed the whole qualification.
    #[serde(default)]
    pub qualification_completed: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a2b4-9000-7a3a-9f00-5b1c2d3e4fa0",
    "programme_id": "0193a2b4-8e00-7a3a-9f00-5b1c2d3e4f60",
    "participation_id": "0193a2b4-8f00-7a3a-9f00-5b1c2d3e4f90",
    "provider_organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52",
    "qualification": {"code": "381141", "name": {"fi": "Puhtaus- ja kiinteistöpalvelualan perustutkinto"}},
    "unit": {"code": "SAMPLE-103", "name": {"fi": "Kiinteistönhoitopalveluissa toimiminen"}},
    "completed_on": "2026-10-15",
    "learning_environment_id": "0193a2b4-8a00-7b3a-9f00-5b1c2d3e4f70",
    "municipality": "684",
    "qualification_completed": false,
    "recorded_by_organisation_id": "0193a2b4-7c1e-7d3a-9f00-5b1c2d3e4f52",
    "created_at": "2026-10-15T12:00:00Z"
}))]
pub struct Completion {
    pub id: String,
    pub programme_id: String,
    pub participation_id: String,
    pub provider_organisation_id: String,
    pub qualification: CodeAndName,
    pub unit: CodeAndName,
    pub completed_on: NaiveDate,
    pub learning_environment_id: Option<String>,
    pub municipality: String,
    pub qualification_completed: bool,
    /// The organisation that recorded it: the provider, or the administrator on its behalf.
    pub recorded_by_organisation_id: Option<String>,
    pub created_at: DateTime<Utc>,
}
