//! Statuses, roles and kinds as enums end to end.
//!
//! An enum's serde attributes are the one place its names are written: the OpenAPI document reads
//! them (utoipa), JSON uses them (serde), and the database column takes the same text through
//! [`text_enum!`], which reads the name back out of serde. A stored value no variant names is an
//! error when the row is read, never a silent default.

use std::fmt;

use serde::{
    de::{value::StrDeserializer, DeserializeOwned, IntoDeserializer},
    ser::{self, Impossible},
    Serialize,
};

/// A text no variant of the enum names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

/// The serde name of a unit variant (empty for anything else, which [`text_enum!`] types never are:
/// they are enums of unit variants).
pub fn name<T: Serialize>(value: &T) -> &'static str {
    value.serialize(VariantName).unwrap_or("")
}

/// The variant serde names `value`.
pub fn parse<T: DeserializeOwned>(kind: &'static str, value: &str) -> Result<T, UnknownValue> {
    let text: StrDeserializer<'_, serde::de::value::Error> = value.into_deserializer();
    T::deserialize(text).map_err(|_| UnknownValue {
        kind,
        value: value.to_owned(),
    })
}

/// Defines an enum of names (statuses, roles, kinds) with its text form taken from its serde
/// attributes: the usual derives, `as_str`, `parse`, `Display`, and the database mapping for `Text`
/// columns on every backend. Attributes are passed on as tokens, so that utoipa reads the serde
/// renames as written (a `meta` fragment would hide them from it).
#[macro_export]
macro_rules! text_enum {
    ($(#[$($attribute:tt)*])* $visibility:vis enum $name:ident { $($variants:tt)* }) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            ::serde::Serialize, ::serde::Deserialize, ::utoipa::ToSchema,
            ::diesel::expression::AsExpression, ::diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = ::diesel::sql_types::Text)]
        $(#[$($attribute)*])*
        $visibility enum $name { $($variants)* }

        impl $name {
            /// The name serde, the OpenAPI document and the database use.
            pub fn as_str(self) -> &'static str {
                $crate::text_enum::name(&self)
            }

            pub fn parse(value: &str) -> Result<Self, $crate::text_enum::UnknownValue> {
                $crate::text_enum::parse(stringify!($name), value)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<DB> ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB> for $name
        where
            DB: ::diesel::backend::Backend,
            str: ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, DB>,
            ) -> ::diesel::serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB> ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB> for $name
        where
            DB: ::diesel::backend::Backend,
            String: ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> ::diesel::deserialize::Result<Self> {
                let text = String::from_sql(bytes)?;
                Ok(Self::parse(&text)?)
            }
        }
    };
}

/// A serializer that accepts only a unit variant and answers its name.
struct VariantName;

#[derive(Debug)]
struct NotAUnitVariant;

impl fmt::Display for NotAUnitVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a unit variant")
    }
}

impl std::error::Error for NotAUnitVariant {}

impl ser::Error for NotAUnitVariant {
    fn custom<T: fmt::Display>(_: T) -> Self {
        NotAUnitVariant
    }
}

type Refused = Impossible<&'static str, NotAUnitVariant>;

/// Every serializer method but `serialize_unit_variant` refuses.
macro_rules! refuse {
    ($($method:ident($($arg:ty),*)),+ $(,)?) => {$(
        fn $method(self, $(_: $arg),*) -> Result<&'static str, NotAUnitVariant> {
            Err(NotAUnitVariant)
        }
    )+};
}

impl ser::Serializer for VariantName {
    type Ok = &'static str;
    type Error = NotAUnitVariant;
    type SerializeSeq = Refused;
    type SerializeTuple = Refused;
    type SerializeTupleStruct = Refused;
    type SerializeTupleVariant = Refused;
    type SerializeMap = Refused;
    type SerializeStruct = Refused;
    type SerializeStructVariant = Refused;

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<&'static str, NotAUnitVariant> {
        Ok(variant)
    }

    refuse!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
    );

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Refused, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_tuple(self, _: usize) -> Result<Refused, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Refused, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Refused, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Refused, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Refused, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Refused, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Sample {
        AtLeast12Months,
        #[serde(rename = "other-name")]
        Renamed,
    }

    #[test]
    fn names_come_from_serde() {
        assert_eq!(super::name(&Sample::AtLeast12Months), "at_least12_months");
        assert_eq!(super::name(&Sample::Renamed), "other-name");
        assert_eq!(
            super::parse::<Sample>("Sample", "other-name"),
            Ok(Sample::Renamed)
        );
        let unknown = super::parse::<Sample>("Sample", "Renamed").unwrap_err();
        assert_eq!(unknown.to_string(), "unknown Sample `Renamed`");
        assert_eq!(super::name(&42), "");
    }
}
