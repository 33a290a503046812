//! Every exchange the tests make is held against the OpenAPI document: the operation must exist, the
//! status must be documented for it, the content type must be one it lists, the headers it declares
//! must be sent, and a JSON body must validate against the schema. A request body the service
//! accepted (2xx) must validate against the request schema, so the tests speak only the documented
//! language. A request made to see what happens off the contract says so with `TestApp::off_contract`.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock},
};

use jsonschema::Validator;
use opinto_registry::route_table;
use serde_json::{json, Value};

use crate::helpers::Reply;

pub struct Contract {
    document: Value,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| Contract {
        document: serde_json::to_value(opinto_registry::openapi::document()).expect("document as JSON"),
        validators: Mutex::default(),
    })
}

/// One request and the reply it got.
pub struct Exchange<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// The request's JSON body, when it sent one.
    pub body: Option<&'a Value>,
    pub reply: &'a Reply,
}

impl Exchange<'_> {
    /// Panics naming every way the exchange departs from the document.
    pub fn check(&self) {
        let faults = contract().faults(self);
        assert!(
            faults.is_empty(),
            "{} {} answered {} off the documented contract:\n  {}\nbody: {}",
            self.method,
            self.path,
            self.reply.status.as_u16(),
            faults.join("\n  "),
            self.reply.text.chars().take(2000).collect::<String>()
        );
    }
}

impl Contract {
    /// The document's operation for a method and a concrete path (query left out), with the
    /// template, chosen among matching templates as the service's router chooses.
    pub fn operation(&self, method: &str, path: &str) -> Option<(&str, &Value)> {
        let path = path.split('?').next().unwrap_or(path);
        let segments: Vec<&str> = path.split('/').collect();
        let paths = self.document["paths"].as_object()?;
        paths
            .iter()
            .filter_map(|(template, item)| {
                let rank = route_table::rank(template.split('/').collect::<Vec<_>>().into_iter(), &segments)?;
                let operation = item.get(method.to_ascii_lowercase())?;
                Some((rank, template.as_str(), operation))
            })
            // `/v1/certificates/search` is that operation, not `/v1/certificates/{id}`.
            .max_by(|(a, _, _), (b, _, _)| a.cmp(b))
            .map(|(_, template, operation)| (template, operation))
    }

    fn faults(&self, exchange: &Exchange) -> Vec<String> {
        let Some((template, operation)) = self.operation(exchange.method, exchange.path) else {
            return vec!["the document has no such operation".into()];
        };
        let key = format!("{} {template}", exchange.method);
        let mut faults = Vec::new();
        if exchange.reply.status.is_success() {
            if let Some(body) = exchange.body {
                faults.extend(self.request_faults(&key, operation, body));
            }
        }
        faults.extend(self.response_faults(&key, operation, exchange.reply));
        faults
    }

    fn request_faults(&self, key: &str, operation: &Value, body: &Value) -> Vec<String> {
        let content = &self.resolve(&operation["requestBody"])["content"];
        let Some((media, schema)) = content
            .as_object()
            .and_then(|content| content.iter().find(|(media, _)| media.contains("json")))
            .map(|(media, content)| (media, &content["schema"]))
        else {
            return vec!["an accepted JSON body, but the document describes none".into()];
        };
        let validator = self.validator(&format!("{key} request {media}"), schema);
        validator
            .iter_errors(body)
            .map(|error| format!("request body at `{}`: {error}", error.instance_path()))
            .collect()
    }

    fn response_faults(&self, key: &str, operation: &Value, reply: &Reply) -> Vec<String> {
        let status = reply.status.as_u16().to_string();
        let responses = &operation["responses"];
        let Some(response) = responses
            .get(&status)
            .or_else(|| responses.get(format!("{}XX", &status[..1])))
            .or_else(|| responses.get("default"))
            .map(|response| self.resolve(response))
        else {
            return vec![format!("status {status} is not documented")];
        };
        let mut faults = header_faults(self, response, reply);
        faults.extend(self.body_faults(&format!("{key} {status}"), response, reply));
        faults
    }

    fn body_faults(&self, key: &str, response: &Value, reply: &Reply) -> Vec<String> {
        let content = response["content"].as_object();
        if reply.bytes.is_empty() {
            return Vec::new();
        }
        let Some(content) = content else {
            return vec!["a body, but the document describes none".into()];
        };
        let media = reply
            .header("content-type")
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let Some(described) = content.get(&media) else {
            let listed: Vec<&String> = content.keys().collect();
            return vec![format!(
                "content type `{media}`, but the document lists {listed:?}"
            )];
        };
        let is_json = media == "application/json" || media.ends_with("+json");
        match (&described["schema"], is_json) {
            (schema, true) if schema.is_object() => {
                let validator = self.validator(&format!("{key} {media}"), schema);
                validator
                    .iter_errors(&reply.body)
                    .take(10)
                    .map(|error| format!("body at `{}`: {error}", error.instance_path()))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// A `$ref` to `#/components/…` followed to what it names.
    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value["$ref"].as_str().and_then(|target| target.strip_prefix('#')) {
            Some(pointer) => self.document.pointer(pointer).unwrap_or(&Value::Null),
            None => value,
        }
    }

    /// A compiled validator for a schema of the document, its `$ref`s resolved within the document.
    pub fn validator(&self, key: &str, schema: &Value) -> Arc<Validator> {
        let mut validators = self.validators.lock().expect("not poisoned");
        if let Some(validator) = validators.get(key) {
            return validator.clone();
        }
        let mut root = json!({"components": self.document["components"].clone()});
        root["allOf"] = json!([schema]);
        let validator = Arc::new(
            jsonschema::draft202012::options()
                .should_validate_formats(true)
                .build(&root)
                .unwrap_or_else(|error| panic!("the schema of {key} compiles: {error}")),
        );
        validators.insert(key.to_owned(), validator.clone());
        validator
    }

    pub fn document(&self) -> &Value {
        &self.document
    }
}

/// Every header the response declares must be sent, and an integer header must read as one.
fn header_faults(contract: &Contract, response: &Value, reply: &Reply) -> Vec<String> {
    let Some(headers) = response["headers"].as_object() else {
        return Vec::new();
    };
    headers
        .iter()
        .filter_map(|(name, header)| {
            let header = contract.resolve(header);
            match reply.header(name) {
                None => Some(format!("the declared header {name} is missing")),
                Some(value) if header["schema"]["type"] == "integer" && value.parse::<u64>().is_err() => {
                    Some(format!("header {name} `{value}` is not an integer"))
                }
                Some(_) => None,
            }
        })
        .collect()
}
