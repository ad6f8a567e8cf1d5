//! The browsable API reference, drawn from the OpenAPI document.

use askama::Template;
use axum::response::Html;
use serde_json::Value;

use crate::error::AppResult;
use crate::web::layout::{Chrome, render};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Problem kinds the API answers with; each has an anchor that `type` URIs point at.
const PROBLEMS: [(&str, &str); 14] = [
    (
        "validation",
        "Some fields are invalid; `errors` names each field and what is wrong.",
    ),
    (
        "bad-request",
        "The request is malformed, such as a body that is not valid JSON.",
    ),
    ("unauthorized", "Sign-in or a valid access token is needed."),
    ("forbidden", "The caller may not do this."),
    (
        "not-found",
        "Nothing exists at this address, or the caller may not know it does.",
    ),
    (
        "method-not-allowed",
        "The address does not accept this method; see the Allow header.",
    ),
    (
        "conflict",
        "The change conflicts with the current state, such as a duplicate.",
    ),
    (
        "payload-too-large",
        "The body is larger than the server accepts.",
    ),
    (
        "unsupported-media-type",
        "The body must be sent as application/json.",
    ),
    (
        "unavailable",
        "The server could not answer in time, or a dependency is down; retry.",
    ),
    (
        "too-many-requests",
        "Too many attempts from this address; wait as Retry-After says.",
    ),
    (
        "mfa-required",
        "The account has a second factor: send totp_code with a current code.",
    ),
    (
        "mfa-enrollment-required",
        "The caller's role needs a second factor they have not enrolled yet.",
    ),
    (
        "csrf",
        "A browser form was too old or came from another site; reload and retry.",
    ),
];

struct Operation {
    method: String,
    path: String,
    anchor: String,
    summary: String,
    description: String,
    parameters: Vec<(String, String, bool, String)>,
    responses: Vec<(String, String)>,
}

struct Section {
    tag: String,
    description: String,
    operations: Vec<Operation>,
}

#[derive(Template)]
#[template(path = "api/docs.html")]
struct DocsPage {
    chrome: Chrome,
    title: String,
    description: String,
    version: String,
    sections: Vec<Section>,
    schemas: Vec<(String, String)>,
    problems: &'static [(&'static str, &'static str)],
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

pub async fn page() -> AppResult<Html<String>> {
    let spec = super::document();
    let mut sections: Vec<Section> = spec["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|tag| Section {
            tag: text(tag, "name"),
            description: text(tag, "description"),
            operations: Vec::new(),
        })
        .collect();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let parameters = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    (
                        text(p, "name"),
                        text(p, "in"),
                        p["required"].as_bool().unwrap_or(false),
                        text(p, "description"),
                    )
                })
                .collect();
            let responses = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(status, r)| (status.clone(), text(r, "description")))
                .collect();
            let operation = Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                anchor: format!(
                    "{method}-{}",
                    path.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
                ),
                summary: text(op, "summary"),
                description: text(op, "description"),
                parameters,
                responses,
            };
            let tag = op["tags"][0].as_str().unwrap_or("other").to_string();
            match sections.iter_mut().find(|s| s.tag == tag) {
                Some(section) => section.operations.push(operation),
                None => sections.push(Section {
                    tag,
                    description: String::new(),
                    operations: vec![operation],
                }),
            }
        }
    }
    let schemas = spec["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, schema)| {
            (
                name.clone(),
                serde_json::to_string_pretty(schema).unwrap_or_default(),
            )
        })
        .collect();
    let page = DocsPage {
        chrome: Chrome::platform("API reference", "/api/docs"),
        title: text(&spec["info"], "title"),
        description: text(&spec["info"], "description"),
        version: text(&spec["info"], "version"),
        sections,
        schemas,
        problems: &PROBLEMS,
    };
    render(&page)
}
