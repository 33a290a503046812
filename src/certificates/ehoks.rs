//! A shared certificate as an education provider takes it into a student's personal competence
//! development plan (HOKS, kept in eHOKS) and study record (KOSKI): previously acquired units in
//! eHOKS's own field names, and a recognition explanation per unit for KOSKI.
//!
//! National units carry their `tutkinnonosat_NNNNNN` code; sample and local units go out as local
//! units by name, never with an invented national code.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{Certificate, CertificateUnit};
use crate::{
    config::KoodistoVersions, locale::Language, reference::dto::KoodistoReference, text::LocalizedText,
};

/// How the provider recognises the competence: the code list *Osaamisen todentamisen prosessi*.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerificationProcess {
    /// Recognised as it is (`osaamisentodentamisenprosessi_0001`).
    Direct,
    /// Through the provider's assessors (`_0002`).
    Assessors,
    /// By a demonstration (`_0003`): the certificate's account of what was shown where and when.
    #[default]
    Demonstration,
}

impl VerificationProcess {
    fn code_uri(self) -> &'static str {
        match self {
            Self::Direct => "osaamisentodentamisenprosessi_0001",
            Self::Assessors => "osaamisentodentamisenprosessi_0002",
            Self::Demonstration => "osaamisentodentamisenprosessi_0003",
        }
    }
}

#[derive(Debug, Deserialize, IntoParams, validator::Validate)]
#[into_params(parameter_in = Query)]
pub struct EhoksQuery {
    /// The recognition process the units go into the plan with; `demonstration` (the default)
    /// also brings the demonstration details.
    #[serde(default)]
    #[param(inline)]
    pub process: VerificationProcess,
}

/// A shared certificate ready for a student's plan and study record.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "certificate_id": "0193a2b4-c000-7000-8000-000000000001",
    "verification_code": "K7M2Q-X9PRT",
    "verification_url": "https://opinto.example.fi/verify/K7M2Q-X9PRT",
    "hoks": {
        "oppija-oid": "1.2.246.562.24.10000000008",
        "opiskeluoikeus-oid": "1.2.246.562.15.00000000001",
        "aiemmin-hankitut-ammat-tutkinnon-osat": [{
            "tutkinnon-osa-koodi-uri": "tutkinnonosat_101050",
            "tutkinnon-osa-koodi-versio": 1,
            "valittu-todentamisen-prosessi-koodi-uri": "osaamisentodentamisenprosessi_0003",
            "valittu-todentamisen-prosessi-koodi-versio": 1,
            "koulutuksen-jarjestaja-oid": "1.2.246.562.10.54453923578",
            "tarkentavat-tiedot-naytto": [{
                "nayttoymparisto": {"nimi": "Rauman nuorten työpaja", "y-tunnus": "0112038-9", "kuvaus": "Työpajan puutarha"},
                "sisallon-kuvaus": ["Suunnitteli kausimyynnin ja hinnoitteli tuotteet."],
                "alku": "2026-02-01", "loppu": "2026-10-31",
                "tyoelama-osaamisen-arvioijat": [{"nimi": "Maija Meikäläinen", "organisaatio": {"nimi": "Rauman nuorten työpaja", "y-tunnus": "0112038-9"}}]
            }]
        }],
        "aiemmin-hankitut-paikalliset-tutkinnon-osat": []
    },
    "koski": [{
        "unit": "101050",
        "tunniste": {"koodiarvo": "101050", "koodistoUri": "tutkinnonosat", "koodistoVersio": 1},
        "tunnustettu": {"selite": {"fi": "Osaaminen osoitettu työtehtävissä: Rauman nuorten työpaja, 1.2.2026–31.10.2026. Osaamistodistus K7M2Q-X9PRT: https://opinto.example.fi/verify/K7M2Q-X9PRT"}}
    }]
}))]
pub struct EhoksExport {
    pub certificate_id: String,
    pub verification_code: String,
    /// The public page that shows whether the certificate is still valid.
    pub verification_url: String,
    /// Members of the student's HOKS as eHOKS names them, to add to the plan as they are.
    pub hoks: HoksUnits,
    /// One entry per unit, for the unit's record in KOSKI.
    pub koski: Vec<KoskiRecognition>,
}

/// The previously acquired units of a HOKS (`aiemmin-hankitut-…`), with the learner and study
/// right they belong to when the certificate names them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
#[schema(example = json!({"oppija-oid": "1.2.246.562.24.10000000008", "opiskeluoikeus-oid": "1.2.246.562.15.00000000001", "aiemmin-hankitut-ammat-tutkinnon-osat": [], "aiemmin-hankitut-paikalliset-tutkinnon-osat": []}))]
pub struct HoksUnits {
    /// The learner's oppijanumero (`1.2.246.562.24.…`), when the certificate records one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oppija_oid: Option<String>,
    /// The study right the certificate was shared for, when the share names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opiskeluoikeus_oid: Option<String>,
    /// National units, by their `tutkinnonosat` code.
    pub aiemmin_hankitut_ammat_tutkinnon_osat: Vec<AcquiredNationalUnit>,
    /// Sample and local units, by name.
    pub aiemmin_hankitut_paikalliset_tutkinnon_osat: Vec<AcquiredLocalUnit>,
}

/// A previously acquired vocational unit (eHOKS `AiemminHankittuAmmatillinenTutkinnonOsa`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
#[schema(example = json!({"tutkinnon-osa-koodi-uri": "tutkinnonosat_101050", "tutkinnon-osa-koodi-versio": 1, "valittu-todentamisen-prosessi-koodi-uri": "osaamisentodentamisenprosessi_0001", "valittu-todentamisen-prosessi-koodi-versio": 1, "tarkentavat-tiedot-naytto": []}))]
pub struct AcquiredNationalUnit {
    #[schema(pattern = r"^tutkinnonosat_\d+$")]
    pub tutkinnon_osa_koodi_uri: String,
    pub tutkinnon_osa_koodi_versio: i32,
    #[serde(flatten)]
    pub recognition: HowRecognised,
}

/// A previously acquired local unit (eHOKS `AiemminHankittuPaikallinenTutkinnonOsa`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
#[schema(example = json!({"nimi": "Ruokapalveluissa avustaminen", "laajuus": 25, "valittu-todentamisen-prosessi-koodi-uri": "osaamisentodentamisenprosessi_0001", "valittu-todentamisen-prosessi-koodi-versio": 1, "tarkentavat-tiedot-naytto": []}))]
pub struct AcquiredLocalUnit {
    pub nimi: String,
    /// Competence points, when the unit has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub laajuus: Option<i32>,
    #[serde(flatten)]
    pub recognition: HowRecognised,
}

/// What national and local units share: how the provider recognises them, the provider, and
/// what was shown.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
#[schema(example = json!({"valittu-todentamisen-prosessi-koodi-uri": "osaamisentodentamisenprosessi_0001", "valittu-todentamisen-prosessi-koodi-versio": 1, "tarkentavat-tiedot-naytto": []}))]
pub struct HowRecognised {
    #[schema(pattern = r"^osaamisentodentamisenprosessi_\d+$")]
    pub valittu_todentamisen_prosessi_koodi_uri: String,
    pub valittu_todentamisen_prosessi_koodi_versio: i32,
    /// The provider's organisation OID, when its record has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^1\.2\.246\.562\.[0-3]\d\.\d+$")]
    pub koulutuksen_jarjestaja_oid: Option<String>,
    /// What was shown, where and when: given with the demonstration process, else empty.
    pub tarkentavat_tiedot_naytto: Vec<Demonstration>,
}

/// A demonstration of competence (eHOKS `OsaamisenOsoittaminen`): the workshop as the place,
/// the work and skills as its content, the certificate's period, the coach as the assessor.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
#[schema(example = json!({"nayttoymparisto": {"nimi": "Rauman nuorten työpaja"}, "sisallon-kuvaus": ["Valmisti päivittäin lounasta."], "alku": "2026-02-01", "loppu": "2026-10-31", "tyoelama-osaamisen-arvioijat": [{"nimi": "Maija Meikäläinen", "organisaatio": {"nimi": "Rauman nuorten työpaja"}}]}))]
pub struct Demonstration {
    pub nayttoymparisto: DemonstrationPlace,
    pub sisallon_kuvaus: Vec<String>,
    pub alku: NaiveDate,
    pub loppu: NaiveDate,
    pub tyoelama_osaamisen_arvioijat: Vec<WorkingLifeAssessor>,
}

/// An organisation as eHOKS names one: by name and business ID.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
#[schema(example = json!({"nimi": "Rauman nuorten työpaja", "y-tunnus": "0112038-9"}))]
pub struct EhoksOrganisation {
    pub nimi: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y_tunnus: Option<String>,
}

/// Where the competence was shown (eHOKS `Nayttoymparisto`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
#[schema(example = json!({"nimi": "Rauman nuorten työpaja", "y-tunnus": "0112038-9", "kuvaus": "Työpajan keittiö"}))]
pub struct DemonstrationPlace {
    pub nimi: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y_tunnus: Option<String>,
    /// The learning environments, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kuvaus: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"nimi": "Maija Meikäläinen", "organisaatio": {"nimi": "Rauman nuorten työpaja", "y-tunnus": "0112038-9"}}))]
pub struct WorkingLifeAssessor {
    pub nimi: String,
    pub organisaatio: EhoksOrganisation,
}

/// A unit's recognition as KOSKI records it (`tunnustettu`), beside the unit it is for.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"unit": "SAMPLE-107", "tunniste": null, "tunnustettu": {"selite": {"fi": "Osaaminen osoitettu työtehtävissä: Rauman nuorten työpaja, 1.2.2026–31.10.2026. Osaamistodistus K7M2Q-X9PRT: https://opinto.example.fi/verify/K7M2Q-X9PRT"}}}))]
pub struct KoskiRecognition {
    /// The unit's code in this registry.
    pub unit: String,
    /// The national unit's code reference; none for sample and local units.
    pub tunniste: Option<KoodistoReference>,
    pub tunnustettu: Recognised,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"selite": {"fi": "Osaaminen osoitettu työtehtävissä: Rauman nuorten työpaja, 1.2.2026–31.10.2026. Osaamistodistus K7M2Q-X9PRT: https://opinto.example.fi/verify/K7M2Q-X9PRT"}}))]
pub struct Recognised {
    /// A short explanation in Finnish, Swedish and English.
    pub selite: LocalizedText,
}

/// What the export needs beside the certificate: the provider's share and organisation, the
/// issuer's business ID, the units' competence points and the deployment's code list versions.
pub struct Context<'a> {
    pub study_right_oid: Option<String>,
    pub provider_oid: Option<String>,
    pub issuer_business_id: Option<String>,
    pub competence_points: &'a dyn Fn(&str) -> Option<i32>,
    pub versions: KoodistoVersions,
    pub process: VerificationProcess,
    pub verification_url: String,
}

/// The certificate, issued and shared, as units for a plan and a record.
pub fn export(certificate: &Certificate, context: &Context<'_>) -> EhoksExport {
    let mut national = Vec::new();
    let mut local = Vec::new();
    let mut koski = Vec::new();
    for unit in &certificate.units {
        let recognition = HowRecognised {
            valittu_todentamisen_prosessi_koodi_uri: context.process.code_uri().to_owned(),
            valittu_todentamisen_prosessi_koodi_versio: context.versions.verification_process,
            koulutuksen_jarjestaja_oid: context.provider_oid.clone(),
            tarkentavat_tiedot_naytto: match context.process {
                VerificationProcess::Demonstration => vec![demonstration(certificate, unit, context)],
                _ => Vec::new(),
            },
        };
        let reference = KoodistoReference::unit(&unit.unit.code).map(|mut reference| {
            reference.koodisto_versio = Some(context.versions.units);
            reference
        });
        match &reference {
            Some(reference) => national.push(AcquiredNationalUnit {
                tutkinnon_osa_koodi_uri: reference.uri(),
                tutkinnon_osa_koodi_versio: context.versions.units,
                recognition,
            }),
            None => local.push(AcquiredLocalUnit {
                nimi: unit.unit.name.get(certificate.language.as_str()).to_owned(),
                laajuus: (context.competence_points)(&unit.unit.code),
                recognition,
            }),
        }
        koski.push(KoskiRecognition {
            unit: unit.unit.code.clone(),
            tunniste: reference,
            tunnustettu: Recognised {
                selite: explanation(certificate, unit, &context.verification_url),
            },
        });
    }
    EhoksExport {
        certificate_id: certificate.id.clone(),
        verification_code: certificate.verification_code.clone().unwrap_or_default(),
        verification_url: context.verification_url.clone(),
        hoks: HoksUnits {
            // eHOKS takes oppijanumerot (node 24); other learner OID nodes would be refused there.
            oppija_oid: certificate
                .holder
                .learner_oid
                .clone()
                .filter(|oid| oid.starts_with("1.2.246.562.24.")),
            opiskeluoikeus_oid: context.study_right_oid.clone(),
            aiemmin_hankitut_ammat_tutkinnon_osat: national,
            aiemmin_hankitut_paikalliset_tutkinnon_osat: local,
        },
        koski,
    }
}

/// What was shown in one unit: the work described, then each skill in words.
fn demonstration(certificate: &Certificate, unit: &CertificateUnit, context: &Context<'_>) -> Demonstration {
    let language = certificate.language.as_str();
    let workshop = EhoksOrganisation {
        nimi: certificate.issuer.name.get(language).to_owned(),
        y_tunnus: context.issuer_business_id.clone(),
    };
    let environments: Vec<&str> = certificate
        .learning_environments
        .iter()
        .map(|environment| environment.name.get(language))
        .collect();
    let mut content = vec![unit.description.clone()];
    content.extend(unit.skills.iter().map(|skill| skill.wording(language).to_owned()));
    Demonstration {
        nayttoymparisto: DemonstrationPlace {
            nimi: workshop.nimi.clone(),
            y_tunnus: workshop.y_tunnus.clone(),
            kuvaus: (!environments.is_empty()).then(|| environments.join(", ")),
        },
        sisallon_kuvaus: content,
        alku: certificate.start_date,
        loppu: certificate.end_date,
        tyoelama_osaamisen_arvioijat: vec![WorkingLifeAssessor {
            nimi: certificate.coach.name.clone(),
            organisaatio: workshop,
        }],
    }
}

/// One sentence for KOSKI's `tunnustettu.selite` in each language: where and when the competence
/// was shown, and the certificate that shows it.
fn explanation(certificate: &Certificate, unit: &CertificateUnit, verification_url: &str) -> LocalizedText {
    let code = certificate.verification_code.as_deref().unwrap_or_default();
    let sentence = |language: Language| {
        let tag = language.tag();
        let period = format!(
            "{}–{}",
            language.date(certificate.start_date),
            language.date(certificate.end_date)
        );
        let issuer = certificate.issuer.name.get(tag);
        let (shown, hours, certificate_word) = match language {
            Language::Fi => ("Osaaminen osoitettu työtehtävissä", "tuntia", "Osaamistodistus"),
            Language::Sv => ("Kompetensen visad i arbetsuppgifter", "timmar", "Kompetensintyg"),
            Language::En => (
                "Competence shown in work tasks",
                "hours",
                "Certificate of competence",
            ),
        };
        let hours = unit
            .hours
            .map(|count| format!(", {count} {hours}"))
            .unwrap_or_default();
        format!("{shown}: {issuer}, {period}{hours}. {certificate_word} {code}: {verification_url}")
    };
    LocalizedText::new(
        sentence(Language::Fi),
        Some(sentence(Language::Sv)),
        Some(sentence(Language::En)),
    )
}
