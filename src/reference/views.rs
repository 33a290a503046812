//! How reference data reads: stored rows as the API shows them.

use super::{
    dto::{Municipality, QualificationSummary, Region, UnitSummary},
    model::{MunicipalityRow, QualificationRow, RegionRow, UnitRow},
};
use crate::text::localized;

impl From<RegionRow> for Region {
    fn from(row: RegionRow) -> Self {
        Self {
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
            name: localized(&row.name_fi, &row.name_sv, &row.name_en),
            code: row.code,
            competence_points: row.competence_points,
            sample: row.sample,
        }
    }
}
