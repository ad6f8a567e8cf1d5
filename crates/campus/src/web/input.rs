//! Every input is text: a NUL character or bytes that are not UTF-8 in the address, the
//! query string, a form or a JSON body are refused at the edge with the field named,
//! before any handler sees them. PostgreSQL stores no NUL in text, so such input would
//! otherwise fail deep inside a statement as a server error; and silently replacing
//! broken bytes would store something the user never sent.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, FieldError};

/// The body size this check reads at most (the body limit applies in front of it).
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

pub async fn middleware(
    State(BodyLimit(limit)): State<BodyLimit>,
    request: Request,
    next: Next,
) -> Response {
    if let Err(error) = check_path(request.uri().path()) {
        return error.into_response();
    }
    if let Some(query) = request.uri().query()
        && let Err(error) = check_pairs(query.as_bytes(), "query")
    {
        return error.into_response();
    }
    let kind = body_kind(&request);
    if kind == BodyKind::Other {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => return AppError::PayloadTooLarge.into_response(),
    };
    let checked = match kind {
        BodyKind::Form => check_pairs(&bytes, "form"),
        BodyKind::Json => check_json(&bytes),
        BodyKind::Other => Ok(()),
    };
    if let Err(error) = checked {
        return error.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Form,
    Json,
    Other,
}

fn body_kind(request: &Request) -> BodyKind {
    let Some(value) = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return BodyKind::Other;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if essence == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else if essence == "application/json" || essence.ends_with("+json") {
        BodyKind::Json
    } else {
        BodyKind::Other
    }
}

/// Why a piece of text cannot be taken, if it cannot.
pub fn text_problem(field: &str, text: &str) -> Option<FieldError> {
    text.contains('\0')
        .then(|| FieldError::new(field, "contains a NUL character, which text cannot hold"))
}

fn check_path(path: &str) -> Result<(), AppError> {
    if !path.contains('%') {
        return Ok(());
    }
    let decoded = percent_decode(path.as_bytes(), false);
    match std::str::from_utf8(&decoded) {
        Ok(text) if !text.contains('\0') => Ok(()),
        Ok(_) => Err(AppError::BadRequest(
            "The address contains a NUL character.".into(),
        )),
        Err(_) => Err(AppError::BadRequest(
            "The address contains bytes that are not UTF-8 text.".into(),
        )),
    }
}

/// Checks `name=value&...` pairs as browsers encode forms and query strings. A problem
/// names the field; one whose own name is broken is named by its position.
fn check_pairs(raw: &[u8], what: &str) -> Result<(), AppError> {
    let mut errors = Vec::new();
    for (index, pair) in raw.split(|b| *b == b'&').enumerate() {
        if pair.is_empty() {
            continue;
        }
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &[][..]),
        };
        let name = percent_decode(name, true);
        let value = percent_decode(value, true);
        let field = match std::str::from_utf8(&name) {
            Ok(text) if !text.contains('\0') => text.to_string(),
            _ => {
                errors.push(FieldError::new(
                    format!("{what} field {}", index + 1),
                    "its name is not UTF-8 text without NUL characters",
                ));
                continue;
            }
        };
        match std::str::from_utf8(&value) {
            Ok(text) => errors.extend(text_problem(&field, text)),
            Err(_) => errors.push(FieldError::new(field, "is not UTF-8 text")),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// JSON is UTF-8 text (RFC 8259) whether or not a handler reads every field of it; it
/// can carry NUL only as the escape `\u0000`, and only then is it parsed here (invalid
/// JSON is the JSON extractor's to refuse, with the place).
fn check_json(raw: &[u8]) -> Result<(), AppError> {
    if let Err(error) = std::str::from_utf8(raw) {
        return Err(AppError::BadRequest(format!(
            "The body is not UTF-8 text (byte {} is not); JSON must be.",
            error.valid_up_to() + 1
        )));
    }
    if !raw.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(raw) else {
        return Ok(());
    };
    match nul_at(&value, "") {
        Some(field) => Err(AppError::Validation(vec![FieldError::new(
            if field.is_empty() {
                "body".into()
            } else {
                field
            },
            "contains a NUL character, which text cannot hold",
        )])),
        None => Ok(()),
    }
}

/// The path (`guardians/0/name`) of the first string, or key, holding a NUL.
fn nul_at(value: &serde_json::Value, at: &str) -> Option<String> {
    let join = |key: &str| {
        if at.is_empty() {
            key.to_string()
        } else {
            format!("{at}/{key}")
        }
    };
    match value {
        serde_json::Value::String(text) => text.contains('\0').then(|| at.to_string()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_at(item, &join(&i.to_string()))),
        serde_json::Value::Object(map) => map.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                Some(join(&key.replace('\0', "")))
            } else {
                nul_at(item, &join(key))
            }
        }),
        _ => None,
    }
}

/// Percent-decoding to bytes (`+` is a space in forms and query strings).
fn percent_decode(raw: &[u8], plus_is_space: bool) -> Vec<u8> {
    let hex = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'%' if i + 2 < raw.len() => match (hex(raw[i + 1]), hex(raw[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high * 16 + low);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            other => out.push(other),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(error: AppError) -> Vec<String> {
        match error {
            AppError::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn forms_and_queries_name_the_broken_field() {
        assert!(check_pairs(b"email=a%40b.c&year=&q=caf%C3%A9+au+lait", "form").is_ok());
        let error = check_pairs(b"email=a%00b&college=ok", "form").expect_err("NUL");
        assert_eq!(fields(error), ["email"]);
        let error = check_pairs(b"q=ok&college=%FF%FE", "query").expect_err("not UTF-8");
        assert_eq!(fields(error), ["college"]);
        let error = check_pairs(b"x%00=1", "query").expect_err("broken name");
        assert_eq!(fields(error), ["query field 1"]);
        // A stray percent sign is kept as it is, not an error.
        assert!(check_pairs(b"q=100%&r=%2", "query").is_ok());
    }

    #[test]
    fn json_nul_is_found_where_it_is() {
        assert!(check_json(br#"{"email":"a@b.c"}"#).is_ok());
        assert!(check_json(br#"{"note":"a \\u0000 is fine escaped"}"#).is_ok());
        let error = check_json(br#"{"guardians":[{"name":"x\u0000"}]}"#).expect_err("NUL");
        assert_eq!(fields(error), ["guardians/0/name"]);
        let error = check_json(br#"{"a\u0000":1}"#).expect_err("NUL key");
        assert_eq!(fields(error), ["a"]);
    }

    #[test]
    fn addresses_must_decode_to_text() {
        assert!(check_path("/students/caf%C3%A9").is_ok());
        assert!(check_path("/students/a%00").is_err());
        assert!(check_path("/students/%C3%28").is_err());
    }
}
