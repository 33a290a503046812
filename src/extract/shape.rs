//! Every value of the wrong shape in a JSON body. serde stops at the first; when it does, the
//! body is walked along the request type's schema (the one the OpenAPI document shows) to name
//! the others too: wrong types, unknown enumeration values, missing and unknown fields, dates
//! that do not parse.

use std::collections::HashMap;

use serde_json::Value;
use utoipa::ToSchema;

use crate::error::FieldError;

/// The shape errors of `body` against `T`'s schema, by field.
pub fn shape_errors<T: ToSchema>(body: &Value) -> Vec<FieldError> {
    let mut named = Vec::new();
    T::schemas(&mut named);
    let mut components: HashMap<String, Value> = named
        .into_iter()
        .filter_map(|(name, schema)| Some((name, serde_json::to_value(schema).ok()?)))
        .collect();
    let Ok(root) = serde_json::to_value(T::schema()) else {
        return Vec::new();
    };
    components.insert(T::name().into_owned(), root.clone());
    let mut walker = Walker {
        components: &components,
        errors: Vec::new(),
    };
    walker.walk(&root, body, "");
    walker.errors
}

struct Walker<'a> {
    components: &'a HashMap<String, Value>,
    errors: Vec<FieldError>,
}

impl Walker<'_> {
    fn fault(&mut self, path: &str, code: &str, message: String) {
        let field = if path.is_empty() { "body" } else { path };
        self.errors.push(FieldError::new(field, code, message));
    }

    fn walk(&mut self, schema: &Value, value: &Value, path: &str) {
        if let Some(name) = schema["$ref"]
            .as_str()
            .and_then(|target| target.rsplit('/').next())
        {
            if let Some(target) = self.components.get(name) {
                self.walk(target, value, path);
            }
            return;
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            self.walk(part, value, path);
        }
        let alternatives = schema["oneOf"].as_array().or(schema["anyOf"].as_array());
        if let Some(alternatives) = alternatives {
            self.one_of(alternatives, value, path);
        }
        if !self.has_type(schema, value, path) {
            return;
        }
        if let Some(allowed) = schema["enum"]
            .as_array()
            .filter(|allowed| !allowed.contains(value))
        {
            let names: Vec<String> = allowed.iter().map(Value::to_string).collect();
            self.fault(
                path,
                "unknown_value",
                format!("unknown value {value}, expected one of {}", names.join(", ")),
            );
            return;
        }
        match value {
            Value::String(text) => self.format(schema, text, path),
            Value::Object(members) => self.object(schema, members, path),
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.walk(&schema["items"], item, &format!("{path}[{index}]"));
                }
            }
            _ => {}
        }
    }

    /// An alternative that fits gives no error; when none fits, the closest one's errors are
    /// the value's (a `null`-or-something field is then measured against the something).
    fn one_of(&mut self, alternatives: &[Value], value: &Value, path: &str) {
        let mut closest: Option<Vec<FieldError>> = None;
        for alternative in alternatives {
            let mut trial = Walker {
                components: self.components,
                errors: Vec::new(),
            };
            trial.walk(alternative, value, path);
            if trial.errors.is_empty() {
                return;
            }
            let is_null_branch = alternative["type"] == "null";
            if !is_null_branch
                && closest
                    .as_ref()
                    .is_none_or(|best| trial.errors.len() < best.len())
            {
                closest = Some(trial.errors);
            }
        }
        self.errors.extend(closest.unwrap_or_default());
    }

    fn has_type(&mut self, schema: &Value, value: &Value, path: &str) -> bool {
        let types: Vec<&str> = match &schema["type"] {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => return true,
        };
        let fits = types.iter().any(|kind| match *kind {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "object" => value.is_object(),
            "array" => value.is_array(),
            "null" => value.is_null(),
            _ => true,
        });
        if !fits {
            self.fault(
                path,
                "type",
                format!("invalid type: expected {}", types.join(" or ")),
            );
        }
        fits
    }

    fn format(&mut self, schema: &Value, text: &str, path: &str) {
        let parses = match schema["format"].as_str() {
            Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
            Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            _ => true,
        };
        if !parses {
            self.fault(
                path,
                "invalid",
                format!("`{text}` is not a date: use YYYY-MM-DD for a date (2026-11-30), RFC 3339 for a time (2026-11-30T08:00:00Z)"),
            );
        }
    }

    fn object(&mut self, schema: &Value, members: &serde_json::Map<String, Value>, path: &str) {
        let join = |name: &str| {
            if path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        };
        for required in schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !members.contains_key(required) {
                self.fault(&join(required), "required", format!("missing field `{required}`"));
            }
        }
        let properties = schema["properties"].as_object();
        for (name, member) in members {
            match properties.and_then(|properties| properties.get(name)) {
                Some(property) => self.walk(property, member, &join(name)),
                None if schema["additionalProperties"] == Value::Bool(false) => {
                    self.fault(&join(name), "unknown_field", format!("unknown field `{name}`"));
                }
                None if schema["additionalProperties"].is_object() => {
                    self.walk(&schema["additionalProperties"], member, &join(name));
                }
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct Period {
        starts_on: chrono::NaiveDate,
        ends_on: Option<chrono::NaiveDate>,
        place: Option<Place>,
        tags: Vec<String>,
    }

    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct Place {
        municipality: String,
    }

    fn fields(body: serde_json::Value) -> Vec<String> {
        let mut fields: Vec<String> = super::shape_errors::<Period>(&body)
            .into_iter()
            .map(|error| error.field)
            .collect();
        fields.sort();
        fields
    }

    #[test]
    fn nulls_dates_nested_objects_and_items() {
        let fine = json!({"starts_on": "2026-01-01", "ends_on": null, "place": null, "tags": []});
        assert!(fields(fine).is_empty());
        let bad = json!({"starts_on": "1.1.2026", "ends_on": 5, "place": {}, "tags": ["a", 2]});
        assert_eq!(
            fields(bad),
            vec!["ends_on", "place.municipality", "starts_on", "tags[1]"]
        );
        assert_eq!(fields(json!([])), vec!["body"]);
    }
}
