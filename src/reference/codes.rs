//! Codes as requests may give them: our plain code (`100755`), its koodisto URI as eHOKS writes
//! it (`tutkinnonosat_100755`), or KOSKI's reference (`{"koodiarvo": "100755", "koodistoUri":
//! "tutkinnonosat", "koodistoVersio": 1}`). Each is read into the plain code; a reference to
//! another code list is refused.
//!
//! Fields use `#[serde(deserialize_with = "codes::unit")]` with `#[schema(schema_with =
//! codes::unit_schema)]`, so that what is read and what the contract says come from one place.

use serde::{de::Error as _, Deserialize, Deserializer};
use utoipa::openapi::{
    schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type},
    RefOr,
};

/// A national code list (koodisto) of the Finnish National Agency for Education.
#[derive(Debug, Clone, Copy)]
pub enum Koodisto {
    Region,
    Municipality,
    Qualification,
    Unit,
}

impl Koodisto {
    pub fn uri(self) -> &'static str {
        match self {
            Self::Region => "maakunta",
            Self::Municipality => "kunta",
            Self::Qualification => "koulutus",
            Self::Unit => "tutkinnonosat",
        }
    }

    /// The shortest and longest plain code a request may give: the lengths the fields check.
    fn lengths(self) -> (usize, usize) {
        match self {
            Self::Region => (2, 2),
            Self::Municipality => (3, 3),
            Self::Qualification => (1, 20),
            Self::Unit => (1, 40),
        }
    }

    /// What a code given as a string may be: a plain code of the right length, with or without
    /// this list's URI prefix. The same rule as `plain` and the fields' length checks, so that the
    /// contract neither takes more nor less than the service does.
    fn pattern(self) -> String {
        let (shortest, longest) = self.lengths();
        let count = match shortest == longest {
            true => format!("{{{shortest}}}"),
            false => format!("{{{shortest},{longest}}}"),
        };
        format!(r"^({}_)?[\s\S]{count}$", self.uri())
    }

    /// The code without this list's URI prefix (`tutkinnonosat_100754` → `100754`).
    fn plain(self, code: String) -> String {
        match code
            .strip_prefix(self.uri())
            .and_then(|rest| rest.strip_prefix('_'))
        {
            Some(plain) if !plain.is_empty() => plain.to_owned(),
            _ => code,
        }
    }

    /// The plain code of a code given in any of the three forms.
    fn read(self, given: Given) -> Result<String, String> {
        let reference = match given {
            Given::Code(code) => return Ok(self.plain(code)),
            Given::Reference(reference) => reference,
        };
        if reference.koodisto_uri != self.uri() {
            return Err(format!(
                "koodistoUri is {:?}; here a code of {:?} is expected",
                reference.koodisto_uri,
                self.uri()
            ));
        }
        // Any whole number from 1, however large: the version is not kept, only checked.
        let whole = |version: &serde_json::Number| {
            version.as_u64().is_some_and(|version| version >= 1)
                || version
                    .as_f64()
                    .is_some_and(|version| version >= 1.0 && version.fract() == 0.0)
        };
        if reference
            .koodisto_versio
            .as_ref()
            .is_some_and(|version| !whole(version))
        {
            return Err("koodistoVersio is a whole number from 1".to_owned());
        }
        Ok(reference.koodiarvo)
    }

    fn schema(self) -> Schema {
        let code = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(self.pattern()))
            .description(Some(format!(
                "The code, or its koodisto URI: `{}_<code>`.",
                self.uri()
            )));
        let reference = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("The code in KOSKI's shape."))
            .property(
                "koodiarvo",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(self.lengths().0))
                    .max_length(Some(self.lengths().1)),
            )
            .property(
                "koodistoUri",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([self.uri()])),
            )
            .property(
                "koodistoVersio",
                ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)),
            )
            .required("koodiarvo")
            .required("koodistoUri")
            .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)));
        OneOfBuilder::new().item(code).item(reference).build().into()
    }

    fn list_schema(self, max_items: usize) -> Schema {
        ArrayBuilder::new()
            .items(RefOr::T(self.schema()))
            .max_items(Some(max_items))
            .build()
            .into()
    }
}

/// A code as a request gives it.
enum Given {
    Code(String),
    Reference(Reference),
}

impl<'de> Deserialize<'de> for Given {
    // By hand rather than untagged, so that a wrong value is named in the caller's terms.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(code) => Ok(Given::Code(code)),
            object @ serde_json::Value::Object(_) => serde_json::from_value(object)
                .map(Given::Reference)
                .map_err(|error| D::Error::custom(format!("a code in KOSKI's shape: {error}"))),
            _ => Err(D::Error::custom(
                "expected a code: a string, or an object with koodiarvo and koodistoUri",
            )),
        }
    }
}

/// KOSKI's shape of a code.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reference {
    koodiarvo: String,
    #[serde(rename = "koodistoUri")]
    koodisto_uri: String,
    #[serde(rename = "koodistoVersio", default)]
    koodisto_versio: Option<serde_json::Number>,
}

fn one<'de, D: Deserializer<'de>>(deserializer: D, list: Koodisto) -> Result<String, D::Error> {
    list.read(Given::deserialize(deserializer)?)
        .map_err(D::Error::custom)
}

fn many<'de, D: Deserializer<'de>>(deserializer: D, list: Koodisto) -> Result<Vec<String>, D::Error> {
    Vec::<Given>::deserialize(deserializer)?
        .into_iter()
        .map(|given| list.read(given).map_err(D::Error::custom))
        .collect()
}

pub fn region<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    one(deserializer, Koodisto::Region)
}

pub fn municipality<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    one(deserializer, Koodisto::Municipality)
}

pub fn qualification<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    one(deserializer, Koodisto::Qualification)
}

pub fn unit<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    one(deserializer, Koodisto::Unit)
}

pub fn regions<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    many(deserializer, Koodisto::Region)
}

pub fn municipalities<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    many(deserializer, Koodisto::Municipality)
}

pub fn qualifications<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    many(deserializer, Koodisto::Qualification)
}

/// Query parameters, which take a code as a string: ours or its koodisto URI.
pub mod query {
    use serde::{Deserialize, Deserializer};

    use super::Koodisto;

    fn optional<'de, D: Deserializer<'de>>(
        deserializer: D,
        list: Koodisto,
    ) -> Result<Option<String>, D::Error> {
        Ok(Option::<String>::deserialize(deserializer)?.map(|code| list.plain(code)))
    }

    fn all<'de, D: Deserializer<'de>>(deserializer: D, list: Koodisto) -> Result<Vec<String>, D::Error> {
        let codes = Vec::<String>::deserialize(deserializer)?;
        Ok(codes.into_iter().map(|code| list.plain(code)).collect())
    }

    pub fn region<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
        optional(deserializer, Koodisto::Region)
    }

    pub fn municipality<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
        optional(deserializer, Koodisto::Municipality)
    }

    pub fn qualification<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
        optional(deserializer, Koodisto::Qualification)
    }

    pub fn unit<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
        optional(deserializer, Koodisto::Unit)
    }

    pub fn units<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
        all(deserializer, Koodisto::Unit)
    }

    pub fn municipalities<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
        all(deserializer, Koodisto::Municipality)
    }

    /// A required region, as the list of signatories takes it.
    pub fn required_region<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        Ok(Koodisto::Region.plain(String::deserialize(deserializer)?))
    }
}

pub fn region_schema() -> RefOr<Schema> {
    Koodisto::Region.schema().into()
}

pub fn municipality_schema() -> RefOr<Schema> {
    Koodisto::Municipality.schema().into()
}

pub fn qualification_schema() -> RefOr<Schema> {
    Koodisto::Qualification.schema().into()
}

pub fn unit_schema() -> RefOr<Schema> {
    Koodisto::Unit.schema().into()
}

/// Up to 30 regions, as a guideline's or a programme's area lists them.
pub fn regions_schema() -> RefOr<Schema> {
    Koodisto::Region.list_schema(30).into()
}

/// Up to 400 municipalities, as a programme's area lists them.
pub fn municipalities_schema() -> RefOr<Schema> {
    Koodisto::Municipality.list_schema(400).into()
}

/// Up to 100 qualifications, as an agreement lists them.
pub fn qualifications_schema() -> RefOr<Schema> {
    Koodisto::Qualification.list_schema(100).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(list: Koodisto, json: &str) -> Result<String, String> {
        list.read(serde_json::from_str(json).map_err(|error| error.to_string())?)
    }

    #[test]
    fn every_form_reads_as_the_plain_code() {
        assert_eq!(read(Koodisto::Unit, r#""100755""#).as_deref(), Ok("100755"));
        assert_eq!(
            read(Koodisto::Unit, r#""tutkinnonosat_100755""#).as_deref(),
            Ok("100755")
        );
        assert_eq!(
            read(
                Koodisto::Unit,
                r#"{"koodiarvo": "100755", "koodistoUri": "tutkinnonosat", "koodistoVersio": 1}"#
            )
            .as_deref(),
            Ok("100755")
        );
        assert_eq!(
            read(Koodisto::Municipality, r#""kunta_684""#).as_deref(),
            Ok("684")
        );
        assert_eq!(
            read(Koodisto::Unit, r#""SAMPLE-107""#).as_deref(),
            Ok("SAMPLE-107")
        );
    }

    #[test]
    fn other_values_are_named_in_the_callers_terms() {
        let error = read(Koodisto::Region, "4").expect_err("a number is no code");
        assert!(error.contains("expected a code"), "{error}");
        let error = read(
            Koodisto::Unit,
            r#"{"koodiarvo": "1", "koodistoUri": "tutkinnonosat", "extra": 1}"#,
        )
        .expect_err("an unknown member");
        assert!(error.contains("extra"), "{error}");
    }

    #[test]
    fn the_contracts_pattern_takes_what_the_service_takes() {
        assert_eq!(Koodisto::Region.pattern(), r"^(maakunta_)?[\s\S]{2}$");
        assert_eq!(Koodisto::Unit.pattern(), r"^(tutkinnonosat_)?[\s\S]{1,40}$");
        // A bare prefix is a code of its own, not an empty one.
        assert_eq!(Koodisto::Qualification.plain("koulutus_".to_owned()), "koulutus_");
    }

    #[test]
    fn the_version_is_any_whole_number_from_one() {
        let with = |version: &str| {
            read(
                Koodisto::Unit,
                &format!(
                    r#"{{"koodiarvo": "100755", "koodistoUri": "tutkinnonosat", "koodistoVersio": {version}}}"#
                ),
            )
        };
        assert!(with("1").is_ok() && with("1.0").is_ok() && with("123456789012345678901234567890").is_ok());
        assert!(with("0").is_err() && with("-1").is_err() && with("1.5").is_err() && with("\"1\"").is_err());
    }

    #[test]
    fn another_lists_reference_is_refused() {
        assert!(read(Koodisto::Unit, r#"{"koodiarvo": "684", "koodistoUri": "kunta"}"#).is_err());
        // Another list's URI is not stripped: it stays a code that names nothing here.
        assert_eq!(
            read(Koodisto::Region, r#""kunta_684""#).as_deref(),
            Ok("kunta_684")
        );
    }
}
