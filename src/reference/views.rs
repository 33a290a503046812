//! How reference data reads: stored rows as the API shows them.

use super::{
    dto::{
        CompetenceArea, KoodistoReference, Municipality, QualificationSummary, Region, Requirement,
        RequirementText, UnitSummary,
    },
    import::RequirementsDocument,
    model::{
        CompetenceAreaRow, MunicipalityRow, QualificationRow, RegionRow, RequirementsDocumentRow,
        UnitRequirementRow, UnitRow,
    },
};
use crate::text::localized;

impl From<RegionRow> for Region {
    fn from(row: RegionRow) -> Self {
        Self {
            koodisto: KoodistoReference::region(&row.code),
            name: localized(&row.name_fi, &row.name_sv, &row.name_en),
            code: row.code,
            in_force: row.in_force,
            placeholder: row.placeholder,
        }
    }
}

impl From<MunicipalityRow> for Municipality {
    fn from(row: MunicipalityRow) -> Self {
        Self {
            koodisto: KoodistoReference::municipality(&row.code),
            name: localized(&row.name_fi, &row.name_sv, &row.name_en),
            code: row.code,
            region: row.region_code,
            in_force: row.in_force,
            valid_to: row.valid_to,
            placeholder: row.placeholder,
        }
    }
}

impl From<QualificationRow> for QualificationSummary {
    fn from(row: QualificationRow) -> Self {
        Self {
            koodisto: KoodistoReference::qualification(&row.code),
            name: localized(&row.name_fi, &row.name_sv, &row.name_en),
            code: row.code,
            qualification_type: row.qualification_type,
            competence_points: row.competence_points,
            replaced_by: row.replaced_by,
            sample: row.sample,
        }
    }
}

impl From<UnitRow> for UnitSummary {
    fn from(row: UnitRow) -> Self {
        Self {
            koodisto: KoodistoReference::unit(&row.code),
            name: localized(&row.name_fi, &row.name_sv, &row.name_en),
            code: row.code,
            competence_points: row.competence_points,
            sample: row.sample,
            compulsory: None,
            competence_area: None,
        }
    }
}

impl From<CompetenceAreaRow> for CompetenceArea {
    fn from(row: CompetenceAreaRow) -> Self {
        Self {
            name: localized(&row.name_fi, &row.name_sv, &row.name_en),
            code: row.code,
        }
    }
}

impl From<UnitRequirementRow> for Requirement {
    fn from(row: UnitRequirementRow) -> Self {
        Self {
            position: row.position,
            text: RequirementText {
                fi: row.text_fi,
                sv: row.text_sv,
                en: row.text_en,
            },
        }
    }
}

impl RequirementsDocument {
    /// The document a qualification's stored columns name, if any.
    pub fn from_row(row: RequirementsDocumentRow) -> Option<Self> {
        Some(Self {
            eperusteet_id: row.eperusteet_id?,
            diary_number: row.diary_number?,
            valid_from: row.requirements_valid_from,
            valid_until: row.requirements_valid_until,
        })
    }
}
