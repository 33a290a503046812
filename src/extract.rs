//! Request extractors whose failures are problem details naming the field at fault.

mod shape;

use std::{future::Future, pin::Pin};

use actix_web::{
    dev::Payload,
    http::header,
    web::{self, Bytes, BytesMut},
    FromRequest, HttpRequest,
};
use futures_util::StreamExt;
use serde::{de::DeserializeOwned, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::{ApiError, FieldError};

/// The request body limit, shared by every extractor that reads a body.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body, deserialized and then validated. Malformed JSON is a 400; JSON of the wrong shape
/// or with invalid values is a 422 listing every field at fault.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + Validate + ToSchema + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_json_body(req, payload);
        Box::pin(async move { parse_valid(&body.await?).map(Json) })
    }
}

/// The values of `body` that do not have the shape `T`'s schema gives them (wrong types, unknown
/// or missing members, unknown enumeration values), even where serde would take them (an array
/// for an object).
pub fn shape_errors<T: ToSchema>(body: &serde_json::Value) -> Vec<FieldError> {
    shape::shape_errors::<T>(body)
}

/// A JSON document of `T`, its shape and its fields' rules checked, every field at fault named:
/// what the [`Json`] extractor does with a body, for a part of one (an item of a batch).
pub fn parse_valid<T: DeserializeOwned + Validate + ToSchema>(body: &[u8]) -> Result<T, ApiError> {
    let value: T = parse_json_body(body)?;
    value
        .validate()
        .map_err(|errors| ApiError::Validation(flatten_validation_errors(&errors)))?;
    Ok(value)
}

/// A request that takes no body: one sent anyway is refused (400, or 413 over the size limit)
/// rather than silently ignored, since the client meant something by it.
pub struct NoBody;

impl FromRequest for NoBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (limit, declared) = (body_limit(req), declared_length(req));
        let payload = payload.take();
        Box::pin(async move {
            if read_body(payload, limit, declared).await?.is_empty() {
                Ok(NoBody)
            } else {
                Err(ApiError::bad_request("This request takes no body."))
            }
        })
    }
}

/// A JSON Merge Patch (RFC 7396) document: a JSON object, sent as `application/merge-patch+json`
/// or `application/json`.
pub struct MergePatch(pub serde_json::Map<String, serde_json::Value>);

impl FromRequest for MergePatch {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_json_body(req, payload);
        Box::pin(async move {
            match parse_json::<serde_json::Value>(&body.await?)? {
                serde_json::Value::Object(map) => Ok(MergePatch(map)),
                _ => Err(ApiError::bad_request("A merge patch must be a JSON object.")),
            }
        })
    }
}

impl MergePatch {
    /// Applies the patch to `current` and validates the result as a whole.
    pub fn apply_to<T: Serialize + DeserializeOwned + Validate + ToSchema>(
        &self,
        current: &T,
    ) -> Result<T, ApiError> {
        let mut target = serde_json::to_value(current)
            .map_err(|error| ApiError::internal(format!("cannot serialize the current state: {error}")))?;
        merge_patch(&mut target, &self.0);
        let merged = serde_json::to_vec(&target)
            .map_err(|error| ApiError::internal(format!("cannot serialize the patched state: {error}")))?;
        let value: T = parse_json_body(&merged)?;
        value
            .validate()
            .map_err(|errors| ApiError::Validation(flatten_validation_errors(&errors)))?;
        Ok(value)
    }
}

/// RFC 7396: objects merge member by member, `null` removes a member, anything else replaces.
fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Map<String, serde_json::Value>) {
    if !target.is_object() {
        *target = serde_json::Value::Object(serde_json::Map::new());
    }
    let serde_json::Value::Object(members) = target else {
        return;
    };
    for (name, value) in patch {
        match value {
            serde_json::Value::Null => {
                members.remove(name);
            }
            serde_json::Value::Object(nested) => merge_patch(
                members.entry(name.clone()).or_insert(serde_json::Value::Null),
                nested,
            ),
            other => {
                members.insert(name.clone(), other.clone());
            }
        }
    }
}

fn read_json_body(req: &HttpRequest, payload: &mut Payload) -> impl Future<Output = Result<Bytes, ApiError>> {
    let limit = body_limit(req);
    let is_json = is_json_content_type(req);
    let payload = payload.take();
    let declared_length = declared_length(req);
    async move {
        if !is_json {
            return Err(ApiError::UnsupportedMediaType {
                expected: "application/json",
            });
        }
        read_body(payload, limit, declared_length).await
    }
}

pub fn body_limit(req: &HttpRequest) -> usize {
    req.app_data::<BodyLimit>()
        .map(|limit| limit.0)
        .unwrap_or(crate::config::DEFAULT_MAX_BODY_BYTES)
}

pub fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
}

/// Reads a whole body, refusing it as soon as it is known to be over `limit`.
pub async fn read_body(
    mut payload: Payload,
    limit: usize,
    declared_length: Option<usize>,
) -> Result<Bytes, ApiError> {
    if declared_length.is_some_and(|length| length > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|error| ApiError::bad_request(format!("The body could not be read: {error}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn is_json_content_type(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Deserializes JSON, telling syntax errors (400) from values of the wrong shape (422, with the path).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if crate::hardening::json_has_nul(body) {
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|error| ApiError::bad_request(format!("The body is not valid JSON: {error}")))?;
        return Err(ApiError::Validation(crate::hardening::nul_fields(&value)));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(json_error)?;
    deserializer
        .end()
        .map_err(|error| ApiError::bad_request(format!("The body is not valid JSON: {error}")))?;
    Ok(value)
}

/// [`parse_json`] for a request body: where serde finds a value of the wrong shape, every such
/// value is named, found by walking the body along `T`'s schema.
fn parse_json_body<T: DeserializeOwned + ToSchema>(body: &[u8]) -> Result<T, ApiError> {
    match parse_json(body) {
        Err(ApiError::Validation(first)) if !crate::hardening::json_has_nul(body) => {
            let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
                return Err(ApiError::Validation(first));
            };
            let mut errors = shape::shape_errors::<T>(&value);
            for error in first {
                if !errors.iter().any(|known| known.field == error.field) {
                    errors.push(error);
                }
            }
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            Err(ApiError::Validation(errors))
        }
        other => other,
    }
}

fn json_error(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let inner = error.inner();
    match inner.classify() {
        serde_json::error::Category::Data => {
            let message = inner.to_string();
            let message = with_time_hint(strip_position(&message));
            ApiError::Validation(vec![FieldError::new(
                field_of(&error.path().to_string(), &message),
                data_error_code(&message),
                message,
            )])
        }
        _ => ApiError::bad_request(format!("The body is not valid JSON: {inner}")),
    }
}

/// chrono's words for a date or time that does not parse; they name no format, so the answer does.
const TIME_PARSE_ERRORS: [&str; 6] = [
    "input contains invalid characters",
    "premature end of input",
    "trailing input",
    "input is out of range",
    "input is not enough for unique date and time",
    "no possible date and time matching input",
];

/// A date or time that did not parse gets the format to use.
fn with_time_hint(message: &str) -> String {
    if TIME_PARSE_ERRORS.iter().any(|words| message.contains(words)) {
        format!(
            "{message}: use YYYY-MM-DD for a date (2026-11-30), RFC 3339 for a time (2026-11-30T08:00:00Z)"
        )
    } else {
        message.to_owned()
    }
}

/// serde_json appends " at line L column C" to data errors; the field path says more.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |index| &message[..index])
}

/// The field a data error is about: for a missing or unknown field serde names it only in the message.
fn field_of(path: &str, message: &str) -> String {
    let parent = if path == "." { "" } else { path };
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    match (parent, named) {
        ("", Some(name)) => name.to_owned(),
        (parent, Some(name)) if !parent.ends_with(name) => format!("{parent}.{name}"),
        ("", None) => "body".to_owned(),
        (parent, _) => parent.to_owned(),
    }
}

fn data_error_code(message: &str) -> &'static str {
    if message.starts_with("missing field") {
        "required"
    } else if message.starts_with("unknown field") {
        "unknown_field"
    } else if message.starts_with("unknown variant") {
        "unknown_value"
    } else if message.starts_with("invalid type") {
        "type"
    } else {
        "invalid"
    }
}

/// Validator's nested errors as a flat, sorted list of `path.to.field` entries.
pub fn flatten_validation_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut flat = Vec::new();
    collect_validation_errors(errors, "", &mut flat);
    flat.sort_by(|a, b| a.field.cmp(&b.field).then_with(|| a.code.cmp(&b.code)));
    flat
}

fn collect_validation_errors(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        // Struct-level rules report under `__all__`: name the struct itself instead.
        let path = match (prefix.is_empty(), field.as_ref()) {
            (true, "__all__") => "body".to_owned(),
            (false, "__all__") => prefix.to_owned(),
            (true, _) => field.to_string(),
            (false, _) => format!("{prefix}.{field}"),
        };
        match kind {
            ValidationErrorsKind::Field(field_errors) => {
                for error in field_errors {
                    out.push(FieldError::new(&path, error.code.as_ref(), describe(error)));
                }
            }
            ValidationErrorsKind::Struct(nested) => collect_validation_errors(nested, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, nested) in items {
                    collect_validation_errors(nested, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

fn describe(error: &validator::ValidationError) -> String {
    if let Some(message) = &error.message {
        return message.to_string();
    }
    let param = |name: &str| error.params.get(name).map(ToString::to_string);
    match error.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} characters long"),
            (Some(min), None) => format!("must be at least {min} characters long"),
            (None, Some(max)) => format!("must be at most {max} characters long"),
            _ => "has the wrong length".to_owned(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            _ => "is out of range".to_owned(),
        },
        "email" => "must be an email address".to_owned(),
        "url" => "must be an absolute URL".to_owned(),
        code => format!("is invalid ({code})"),
    }
}

/// An HTML form's body (`application/x-www-form-urlencoded`), what the pages people use post:
/// read like query parameters, and refused as they are.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Form<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        const FORM: &str = "application/x-www-form-urlencoded";
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.trim().to_ascii_lowercase().starts_with(FORM));
        let body = read_body(payload.take(), body_limit(req), declared_length(req));
        Box::pin(async move {
            if !is_form {
                return Err(ApiError::UnsupportedMediaType { expected: FORM });
            }
            let body = body.await?;
            let text =
                std::str::from_utf8(&body).map_err(|_| ApiError::bad_request("The form is not UTF-8."))?;
            crate::hardening::refuse_nul_in_form(text)?;
            parse_query(text).map(Form)
        })
    }
}

/// Query parameters, deserialized and validated; failures are 400s naming the parameter. A `Vec`
/// field takes a repeated parameter.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

pub fn parse_query<T: DeserializeOwned + Validate>(query: &str) -> Result<T, ApiError> {
    // HTML-form decoding would read `limit=` as no limit at all; an API parameter sent empty is
    // a mistake worth naming instead.
    let empty: Vec<FieldError> = query
        .split('&')
        .filter_map(|pair| pair.strip_suffix('='))
        .filter(|name| !name.is_empty() && !name.contains('='))
        .map(|name| {
            FieldError::new(
                name,
                "empty",
                "must not be empty; leave the parameter out instead",
            )
        })
        .collect();
    if !empty.is_empty() {
        return Err(ApiError::bad_query(empty));
    }
    // serde_html_form reads repeated keys (`unit=A&unit=B`) into a Vec field.
    let deserializer = serde_html_form::Deserializer::from_bytes(query.as_bytes());
    let value: T = serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let message = with_time_hint(&error.inner().to_string());
        let field = field_of(&error.path().to_string(), &message);
        let field = if field == "body" {
            "query".to_owned()
        } else {
            field
        };
        ApiError::BadRequest {
            detail: format!("Query parameter {field}: {message}"),
            errors: vec![FieldError::new(field, data_error_code(&message), message)],
        }
    })?;
    value
        .validate()
        .map_err(|errors| ApiError::bad_query(flatten_validation_errors(&errors)))?;
    Ok(value)
}

/// Makes the framework's own path errors problem documents too.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, _| {
        ApiError::BadRequest {
            detail: format!("Invalid path parameter: {error}"),
            errors: Vec::new(),
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        #[validate(length(max = 3))]
        name: String,
        #[serde(default)]
        count: Option<u32>,
    }

    #[test]
    fn dates_in_another_format_are_told_the_format() {
        #[derive(Debug, Deserialize, Validate)]
        struct Dated {
            #[allow(dead_code)]
            on: chrono::NaiveDate,
        }
        let ApiError::Validation(errors) = parse_json::<Dated>(br#"{"on": "30.11.2026"}"#).unwrap_err()
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "on");
        assert!(
            errors[0].message.contains("use YYYY-MM-DD"),
            "{}",
            errors[0].message
        );
        let error = parse_query::<Dated>("on=2026-13-01").unwrap_err();
        assert!(format!("{error:?}").contains("use YYYY-MM-DD"), "{error:?}");
    }

    #[test]
    fn syntax_errors_are_bad_requests() {
        let error = parse_json::<Sample>(b"{\"name\": ").unwrap_err();
        assert!(matches!(error, ApiError::BadRequest { .. }), "{error:?}");
        let trailing = parse_json::<Sample>(b"{\"name\": \"a\"} x").unwrap_err();
        assert!(matches!(trailing, ApiError::BadRequest { .. }), "{trailing:?}");
    }

    #[test]
    fn shape_errors_name_the_field() {
        let ApiError::Validation(errors) = parse_json::<Sample>(b"{}").unwrap_err() else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "name");
        assert_eq!(errors[0].code, "required");
        let ApiError::Validation(errors) =
            parse_json::<Sample>(b"{\"name\": \"a\", \"count\": \"x\"}").unwrap_err()
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "count");
        assert_eq!(errors[0].code, "type");
        let ApiError::Validation(errors) =
            parse_json::<Sample>(b"{\"name\": \"a\", \"extra\": 1}").unwrap_err()
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "extra");
        assert_eq!(errors[0].code, "unknown_field");
    }

    #[test]
    fn validation_errors_are_flattened_with_messages() {
        let sample = Sample {
            name: "toolong".into(),
            count: None,
        };
        let errors = flatten_validation_errors(&sample.validate().unwrap_err());
        assert_eq!(
            errors,
            vec![FieldError::new(
                "name",
                "length",
                "must be at most 3 characters long"
            )]
        );
    }

    #[test]
    fn merge_patches_follow_rfc_7396() {
        let mut target = serde_json::json!({"a": "b", "c": {"d": "e", "f": "g"}});
        let patch = serde_json::json!({"a": "z", "c": {"f": null}});
        merge_patch(&mut target, patch.as_object().expect("object"));
        assert_eq!(target, serde_json::json!({"a": "z", "c": {"d": "e"}}));
    }

    #[derive(Debug, Deserialize, Validate)]
    struct Repeated {
        #[serde(default)]
        unit: Vec<String>,
        limit: Option<u32>,
    }

    #[test]
    fn repeated_query_parameters_fill_a_vec() {
        let query: Repeated = parse_query("unit=A&unit=B&limit=5").expect("parses");
        assert_eq!(query.unit, vec!["A", "B"]);
        assert_eq!(query.limit, Some(5));
        let none: Repeated = parse_query("").expect("parses");
        assert!(none.unit.is_empty() && none.limit.is_none());
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let ApiError::BadRequest { errors, .. } = parse_query::<Sample>("name=a&count=lots").unwrap_err()
        else {
            panic!("expected a bad request");
        };
        assert_eq!(errors[0].field, "count");
        let ok: Sample = parse_query("name=abc&count=2").expect("parses");
        assert_eq!((ok.name.as_str(), ok.count), ("abc", Some(2)));
    }
}
