//! Extractors that wrap axum's so every rejection becomes an `AppError` in our format,
//! naming what was wrong, instead of axum's plain-text message.

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A JSON body (`Content-Type: application/json`).
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType(
            "Send the body as JSON with `Content-Type: application/json`.".into(),
        ),
        _ => match rejection {
            JsonRejection::JsonSyntaxError(e) => {
                AppError::BadRequest(format!("The body is not valid JSON: {}", source_text(&e)))
            }
            JsonRejection::JsonDataError(e) => AppError::BadRequest(format!(
                "The JSON does not have the expected shape: {}",
                source_text(&e)
            )),
            other => AppError::BadRequest(other.body_text()),
        },
    }
}

/// serde's message for the innermost cause ("expected value at line 1 column 2").
fn source_text(error: &dyn std::error::Error) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
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
