//! What every operation shares, written into the OpenAPI document once instead of on
//! each handler: the error answers the middleware and extractors give (a malformed
//! request, a missing or insufficient sign-in, an unknown id, a body too large or of the
//! wrong type, invalid input, too many attempts, the database away), text that holds no
//! NUL character, and query parameters whose empty value means "absent" (as a browser
//! sends an empty filter box). The server behaves so for every route; the document says so.

use serde_json::{Map, Value, json};

/// (status, component name, description) of the answers any operation may give.
const SHARED: [(&str, &str, &str); 9] = [
    (
        "400",
        "BadRequest",
        "A malformed request: the query string, path or body cannot be read",
    ),
    (
        "401",
        "Unauthorized",
        "No valid access token (or a second-factor code is needed)",
    ),
    (
        "403",
        "Forbidden",
        "The caller's roles do not allow this, or not for this record",
    ),
    (
        "404",
        "NotFound",
        "No such record (or one the caller may not know of)",
    ),
    (
        "413",
        "PayloadTooLarge",
        "The body is larger than the server accepts",
    ),
    (
        "415",
        "UnsupportedMediaType",
        "The body is not of the type this operation takes",
    ),
    (
        "422",
        "Unprocessable",
        "Input that cannot be taken; `errors` names each field",
    ),
    (
        "429",
        "TooManyRequests",
        "Too many attempts; wait as Retry-After says",
    ),
    (
        "503",
        "Unavailable",
        "The database is away for a moment; retry after Retry-After seconds",
    ),
];

/// Text without NUL characters (PostgreSQL cannot store them; they are refused).
const NO_NUL: &str = "^[^\\u0000]*$";

pub fn finish(doc: &mut Value) {
    add_shared_responses(doc);
    close_request_bodies(doc);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, operation) in item.iter_mut() {
                if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                    continue;
                }
                finish_operation(operation);
            }
        }
    }
    forbid_nul(doc);
}

fn add_shared_responses(doc: &mut Value) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let components = root
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(components) = components else {
        return;
    };
    let responses = components
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(responses) = responses else {
        return;
    };
    for (status, name, description) in SHARED {
        let mut response = json!({
            "description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDocument"}}}
        });
        if matches!(status, "429" | "503") {
            response["headers"] = json!({
                "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
            });
        }
        responses.insert(name.to_string(), response);
    }
}

fn finish_operation(operation: &mut Value) {
    let secured = operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|alternatives| {
            !alternatives.is_empty()
                && alternatives
                    .iter()
                    .all(|a| a.as_object().is_some_and(|o| !o.is_empty()))
        });
    let has_body = operation.get("requestBody").is_some();
    let parameters = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut);
    let mut in_path = false;
    if let Some(parameters) = parameters {
        for parameter in parameters.iter_mut() {
            match parameter.get("in").and_then(Value::as_str) {
                Some("path") => in_path = true,
                Some("query") if parameter.get("required") != Some(&Value::Bool(true)) => {
                    parameter["allowEmptyValue"] = Value::Bool(true);
                }
                _ => {}
            }
        }
    }
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    // Every error is problem details, whatever a handler's annotation says.
    for (status, response) in responses.iter_mut() {
        if (status.starts_with('4') || status.starts_with('5'))
            && let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
            && content
                .get("application/json")
                .and_then(|json| json.pointer("/schema/$ref"))
                .is_some_and(|r| r == "#/components/schemas/ProblemDocument")
            && let Some(json) = content.remove("application/json")
        {
            content.insert("application/problem+json".into(), json);
        }
    }
    for (status, name, _) in SHARED {
        let applies = match status {
            "401" | "403" => secured,
            "404" => in_path,
            "413" | "415" => has_body,
            _ => true,
        };
        if applies && !responses.contains_key(status) {
            responses.insert(
                status.to_string(),
                json!({"$ref": format!("#/components/responses/{name}")}),
            );
        }
    }
}

/// JSON request bodies take only the fields they declare (`ApiJson` refuses others by
/// name): every object schema a JSON body reaches says `additionalProperties: false`.
fn close_request_bodies(doc: &mut Value) {
    let mut names = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for item in paths.values().filter_map(Value::as_object) {
            for operation in item.values() {
                if let Some(schema) =
                    operation.pointer("/requestBody/content/application~1json/schema")
                {
                    references(schema, &mut names);
                }
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = names.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = doc.pointer(&format!("/components/schemas/{name}")) {
            references(schema, &mut names);
        }
    }
    for name in &seen {
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
            close(schema);
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut() {
                if let Some(schema) =
                    operation.pointer_mut("/requestBody/content/application~1json/schema")
                {
                    close(schema);
                }
            }
        }
    }
}

/// The component names `schema` refers to, anywhere inside it.
fn references(schema: &Value, names: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref")
                && let Some(name) = reference.strip_prefix("#/components/schemas/")
            {
                names.push(name.to_string());
            }
            map.values().for_each(|child| references(child, names));
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, names)),
        _ => {}
    }
}

/// Marks object schemas (this one and those nested inline) closed.
fn close(schema: &mut Value) {
    if let Value::Object(map) = schema {
        let is_object =
            map.get("type").is_some_and(|t| t == "object") || map.contains_key("properties");
        if is_object && !map.contains_key("additionalProperties") {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
        for (key, child) in map.iter_mut() {
            if key == "properties" {
                if let Value::Object(properties) = child {
                    properties.values_mut().for_each(close);
                }
            } else if matches!(key.as_str(), "items" | "allOf" | "oneOf" | "anyOf") {
                match child {
                    Value::Array(list) => list.iter_mut().for_each(close),
                    other => close(other),
                }
            }
        }
    }
}

/// Every string schema that does not already constrain its text gets the NUL-free
/// pattern.
fn forbid_nul(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if is_free_text(map) {
                map.insert("pattern".into(), Value::String(NO_NUL.into()));
            }
            for child in map.values_mut() {
                forbid_nul(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(forbid_nul),
        _ => {}
    }
}

fn is_free_text(schema: &Map<String, Value>) -> bool {
    let is_string = match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        _ => false,
    };
    is_string
        && !schema.contains_key("pattern")
        && !schema.contains_key("enum")
        && !schema.contains_key("const")
        && !schema.contains_key("format")
        && !schema.contains_key("contentMediaType")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_gain_the_shared_answers_that_apply() {
        let mut doc = json!({
            "paths": {
                "/api/v1/things/{id}": {
                    "post": {
                        "security": [{"bearer": []}],
                        "parameters": [
                            {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}},
                            {"name": "q", "in": "query", "schema": {"type": "string"}}
                        ],
                        "requestBody": {"content": {}},
                        "responses": {"201": {"description": "made"}, "422": {"description": "own"}}
                    }
                },
                "/public": {"get": {"responses": {"200": {"description": "ok"}}}}
            },
            "components": {"schemas": {"ProblemDocument": {"type": "object"}}}
        });
        finish(&mut doc);
        let secured = &doc["paths"]["/api/v1/things/{id}"]["post"];
        for status in ["400", "401", "403", "404", "413", "415", "429", "503"] {
            assert!(secured["responses"][status].is_object(), "{status}");
        }
        assert_eq!(secured["responses"]["422"]["description"], "own");
        assert_eq!(secured["parameters"][1]["allowEmptyValue"], true);
        assert!(secured["parameters"][0].get("allowEmptyValue").is_none());
        assert_eq!(secured["parameters"][1]["schema"]["pattern"], NO_NUL);
        assert!(secured["parameters"][0]["schema"].get("pattern").is_none());
        let public = &doc["paths"]["/public"]["get"]["responses"];
        assert!(public["401"].is_null() && public["404"].is_null() && public["413"].is_null());
        assert!(public["503"].is_object());
    }
}
