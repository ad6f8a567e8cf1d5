//! Extractors that wrap axum's so every rejection becomes an `AppError` in our format,
//! naming what was wrong, instead of axum's plain-text message.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};

/// A JSON body (`Content-Type: application/json`). A field the operation does not
/// take is refused with its name (a misspelt optional field would otherwise be dropped
/// without a word, and the API document says which fields there are).
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(AppError::UnsupportedMediaType(
                "Send the body as JSON with `Content-Type: application/json`.".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest(rejection.body_text())
                }
            })?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase())
        .is_some_and(|essence| essence == "application/json" || essence.ends_with("+json"))
}

/// Reads `bytes` as a `T`, refusing unknown fields by name. A number with no fraction
/// (`30.0`) counts as the integer it is, as JSON Schema's `integer` says.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut tree: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|error| AppError::BadRequest(format!("The body is not valid JSON: {error}")))?;
    integral_floats_as_integers(&mut tree);
    if tree.is_array() && expects_object::<T>() {
        // serde reads a struct from a JSON array, field by position; the API document
        // says the body is an object, so an array is refused rather than read that way.
        return Err(AppError::BadRequest(
            "The JSON does not have the expected shape: the body must be an object.".into(),
        ));
    }
    let mut unknown = Vec::new();
    let value: T = serde_ignored::deserialize(tree, |path| {
        unknown.push(path.to_string());
    })
    .map_err(|error| {
        AppError::BadRequest(format!(
            "The JSON does not have the expected shape: {error}"
        ))
    })?;
    if unknown.is_empty() {
        Ok(value)
    } else {
        Err(AppError::Validation(
            unknown
                .into_iter()
                .map(|field| FieldError::new(field, "is not a field this operation takes"))
                .collect(),
        ))
    }
}

/// Whether `T` is read from a JSON object (a struct or a map), found by asking `T`
/// which shape it wants of a deserializer that records the request and gives nothing.
fn expects_object<T: DeserializeOwned>() -> bool {
    let shape = std::cell::Cell::new(false);
    let _ = T::deserialize(ShapeProbe(&shape));
    shape.get()
}

struct ShapeProbe<'a>(&'a std::cell::Cell<bool>);

impl<'de> serde::Deserializer<'de> for ShapeProbe<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("probe"))
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.set(true);
        Err(serde::de::Error::custom("probe"))
    }

    fn deserialize_map<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        self.0.set(true);
        Err(serde::de::Error::custom("probe"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct enum identifier ignored_any
    }
}

fn integral_floats_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(number) => {
            if let Some(float) = number.as_f64()
                && !number.is_i64()
                && !number.is_u64()
                && float.fract() == 0.0
                && float.abs() < 9.0e15
            {
                *value = serde_json::Value::from(float as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// Path parameters; an unparsable one (a malformed id) is a 404, as the address names
/// nothing.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|rejection: PathRejection| {
                tracing::debug!(%rejection, "unparsable path parameter");
                AppError::NotFound
            })
    }
}

/// Query-string parameters, refused with the reason when malformed. A parameter with
/// an empty value is absent: a browser sends every box of a filter form, filled or not
/// (`?q=smith&year=`), and an empty box means "any".
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let filled = without_empty_values(query);
        serde_urlencoded::from_str::<T>(&filled)
            .map(ApiQuery)
            .map_err(|error| {
                AppError::BadRequest(format!("The query string is not valid: {error}"))
            })
    }
}

/// `query` without its `name=` pairs that carry no value.
fn without_empty_values(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| {
            pair.split_once('=')
                .is_some_and(|(_, value)| !value.is_empty())
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The first value of a form field (`name=value` pairs as `Form<Vec<(String, String)>>`
/// gives them), or an empty string when the form has none.
pub fn form_field(body: &[(String, String)], name: &str) -> String {
    body.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(default)]
    struct Patch {
        name: Option<String>,
    }

    #[test]
    fn an_array_is_not_read_as_an_object() {
        assert!(parse_json::<Patch>(b"[null]").is_err());
        assert_eq!(
            parse_json::<Patch>(br#"{"name":"x"}"#)
                .expect("an object")
                .name
                .as_deref(),
            Some("x")
        );
        assert_eq!(parse_json::<Vec<Patch>>(b"[{}]").expect("a list").len(), 1);
    }
}
