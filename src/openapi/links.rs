//! OpenAPI links: from an answer that names a record (its `id`, its `ETag`) to the operations on
//! that record, so that a client generator or a stateful tester (Schemathesis) can follow
//! create → read → change → act without being told the URL rules.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use utoipa::openapi::{extensions::Extensions, link::Link, OpenApi as OpenApiDocument, RefOr};

/// One link to add: on `method path`'s `status` answer, named after its target.
struct Planned {
    path: String,
    method: String,
    status: String,
    target: String,
    parameters: BTreeMap<String, Value>,
}

/// Adds to every answer that names a record a link to each operation on that record.
pub fn add_links(api: &mut OpenApiDocument) {
    let Ok(document) = serde_json::to_value(&*api) else {
        return;
    };
    let plan = plan(&document);
    for planned in plan {
        let Some(item) = api.paths.paths.get_mut(&planned.path) else {
            continue;
        };
        let operation = match planned.method.as_str() {
            "post" => item.post.as_mut(),
            "patch" => item.patch.as_mut(),
            "get" => item.get.as_mut(),
            _ => None,
        };
        let Some(RefOr::T(response)) =
            operation.and_then(|operation| operation.responses.responses.get_mut(&planned.status))
        else {
            continue;
        };
        let mut link = Link::default();
        // utoipa 5 writes `Link::operation_id` as `operation_id`; the specification's name is
        // `operationId`, which the flattened extensions map writes as it is given.
        link.extensions = Some(Extensions::from_iter([("operationId", planned.target.clone())]));
        link.parameters = planned.parameters;
        response.links.insert(planned.target, RefOr::T(link));
    }
}

fn plan(document: &Value) -> Vec<Planned> {
    let Some(paths) = document["paths"].as_object() else {
        return Vec::new();
    };
    let mut plan = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().into_iter().flatten() {
            for (status, source) in sources(document, method, operation) {
                plan.extend(targets(paths, path, method, &status, source));
            }
        }
    }
    plan
}

/// The answers of an operation that name a record: a created one (201 with a body that has an
/// `id`), or one read or changed at its own path (200 with an `ETag`).
fn sources<'a>(document: &'a Value, method: &str, operation: &'a Value) -> Vec<(String, &'a Value)> {
    let responses = &operation["responses"];
    let created = responses
        .get("201")
        .filter(|response| method == "post" && names_an_id(document, response))
        .map(|response| ("201".to_owned(), response));
    let current = responses
        .get("200")
        .filter(|response| matches!(method, "get" | "patch") && response["headers"].get("ETag").is_some())
        .map(|response| ("200".to_owned(), response));
    created.into_iter().chain(current).collect()
}

fn names_an_id(document: &Value, response: &Value) -> bool {
    let schema = &response["content"]["application/json"]["schema"];
    let schema = match schema["$ref"]
        .as_str()
        .and_then(|target| target.strip_prefix('#'))
    {
        Some(pointer) => document.pointer(pointer).unwrap_or(&Value::Null),
        None => schema,
    };
    schema["properties"].get("id").is_some()
}

/// The operations on the record a source answer names, with where each of their parameters
/// comes from: the source request's path, the answer's `id`, the answer's `ETag`.
fn targets(
    paths: &serde_json::Map<String, Value>,
    source_path: &str,
    source_method: &str,
    status: &str,
    source: &Value,
) -> Vec<Planned> {
    // A created record lives one parameter below the collection; a read one at its own path.
    let (record_path, new_parameter) = if status == "201" {
        let Some((record_path, parameter)) = paths
            .keys()
            .filter_map(|candidate| {
                let rest = candidate.strip_prefix(source_path)?.strip_prefix("/{")?;
                let parameter = rest.strip_suffix('}').filter(|name| !name.contains('/'))?;
                Some((candidate.clone(), parameter.to_owned()))
            })
            .next()
        else {
            return Vec::new();
        };
        (record_path, Some(parameter))
    } else {
        (source_path.to_owned(), None)
    };
    let has_etag = source["headers"].get("ETag").is_some();
    let mut planned = Vec::new();
    for (target_path, item) in paths {
        let on_record = target_path == &record_path
            || target_path
                .strip_prefix(&record_path)
                .is_some_and(|rest| rest.starts_with('/') && !rest.contains('{'));
        if !on_record {
            continue;
        }
        for (method, operation) in item.as_object().into_iter().flatten() {
            let same = target_path == source_path && method == source_method;
            let Some(target) = operation["operationId"].as_str().filter(|_| !same) else {
                continue;
            };
            let parameters = link_parameters(operation, new_parameter.as_deref(), has_etag);
            planned.push(Planned {
                path: source_path.to_owned(),
                method: source_method.to_owned(),
                status: status.to_owned(),
                target: target.to_owned(),
                parameters,
            });
        }
    }
    planned
}

fn link_parameters(
    operation: &Value,
    new_parameter: Option<&str>,
    has_etag: bool,
) -> BTreeMap<String, Value> {
    let mut parameters = BTreeMap::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let Some(name) = parameter["name"].as_str() else {
            continue;
        };
        match parameter["in"].as_str() {
            Some("path") if Some(name) == new_parameter => {
                parameters.insert(format!("path.{name}"), json!("$response.body#/id"));
            }
            Some("path") => {
                parameters.insert(format!("path.{name}"), json!(format!("$request.path.{name}")));
            }
            Some("header") if name == "If-Match" && has_etag => {
                parameters.insert(format!("header.{name}"), json!("$response.header.ETag"));
            }
            _ => {}
        }
    }
    parameters
}
