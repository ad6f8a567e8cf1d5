//! One error type at the HTTP edge. A handler returns `AppError`; the response carries a
//! `Problem` that `web::errors` renders as problem details (RFC 9457) for the API or as a
//! friendly page for the browser. Internal causes are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// One invalid input field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's name as the client sent it (a JSON pointer-like path for nested input).
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("sign-in required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("missing or invalid CSRF token")]
    CsrfRejected,
    #[error("a second factor must be enrolled first")]
    MfaEnrollmentRequired,
    #[error("a second-factor code is needed")]
    MfaCodeRequired,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> AppError {
        // The database being away (restarting, unreachable) is not a bug of the request:
        // the client is told to come back shortly instead of seeing a server error.
        match &error {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                tracing::warn!(error = %error, "the database is unavailable");
                AppError::Unavailable(DATABASE_AWAY.into())
            }
            sqlx::Error::Database(db)
                if db.code().is_some_and(|code| {
                    // admin_shutdown, crash_shutdown, cannot_connect_now
                    matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
                }) =>
            {
                tracing::warn!(error = %error, "the database is restarting");
                AppError::Unavailable(DATABASE_AWAY.into())
            }
            _ => AppError::Internal(error.into()),
        }
    }
}

/// What a request hears while the database is away.
pub const DATABASE_AWAY: &str =
    "Campus is back in a moment: its database is restarting. Please try again shortly.";

/// Seconds a client is asked to wait before retrying a 503.
pub const RETRY_AFTER_SECS: u64 = 5;

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> AppError {
        AppError::Internal(error.into())
    }
}

/// What the renderer needs to answer an error, attached to the response.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    /// A stable name for the kind of problem (the fragment of its `type` URI).
    pub kind: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// The generic problem for a status no handler explained (a 404 from the router, a
    /// 405, a 413 from the body limit, a timeout, a panic).
    pub fn for_status(status: StatusCode) -> Problem {
        let (kind, title, detail) = match status {
            StatusCode::NOT_FOUND => (
                "not-found",
                "Not found",
                "There is nothing at this address.",
            ),
            StatusCode::METHOD_NOT_ALLOWED => (
                "method-not-allowed",
                "Method not allowed",
                "This address does not accept that method.",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => (
                "payload-too-large",
                "Request too large",
                "The request body is larger than this server accepts.",
            ),
            StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => (
                "unavailable",
                "Service unavailable",
                "The server could not answer in time. Please try again.",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "unsupported-media-type",
                "Unsupported media type",
                "Send the body as application/json.",
            ),
            StatusCode::UNAUTHORIZED => {
                ("unauthorized", "Sign-in required", "Sign in to see this.")
            }
            StatusCode::FORBIDDEN => (
                "forbidden",
                "Forbidden",
                "You do not have permission to do this.",
            ),
            s if s.is_client_error() => ("bad-request", "Bad request", "The request is not valid."),
            _ => (
                "internal",
                "Something went wrong",
                "The server met an unexpected problem. It has been logged; please try again.",
            ),
        };
        Problem {
            status,
            kind,
            title,
            detail: detail.to_string(),
            errors: Vec::new(),
        }
    }
}

impl AppError {
    pub fn problem(&self) -> Problem {
        match self {
            AppError::NotFound => Problem::for_status(StatusCode::NOT_FOUND),
            AppError::BadRequest(detail) => Problem {
                detail: detail.clone(),
                ..Problem::for_status(StatusCode::BAD_REQUEST)
            },
            AppError::Validation(errors) => Problem {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                kind: "validation",
                title: "Invalid input",
                detail: match errors.as_slice() {
                    [one] => format!("{}: {}", one.field, one.message),
                    many => format!("{} fields are not valid.", many.len()),
                },
                errors: errors.clone(),
            },
            AppError::Unauthorized => Problem::for_status(StatusCode::UNAUTHORIZED),
            AppError::Forbidden => Problem::for_status(StatusCode::FORBIDDEN),
            AppError::MfaEnrollmentRequired => Problem {
                status: StatusCode::FORBIDDEN,
                kind: "mfa-enrollment-required",
                title: "Second factor required",
                detail: "Your role requires a second factor. Sign in with a browser and enrol \
                         one at /account/mfa first."
                    .into(),
                errors: Vec::new(),
            },
            AppError::MfaCodeRequired => Problem {
                status: StatusCode::UNAUTHORIZED,
                kind: "mfa-required",
                title: "Second-factor code required",
                detail: "This account has a second factor: send `totp_code` with a current \
                         code from the authenticator app, or a recovery code."
                    .into(),
                errors: Vec::new(),
            },
            AppError::CsrfRejected => Problem {
                status: StatusCode::FORBIDDEN,
                kind: "csrf",
                title: "This form has expired",
                detail: "The form was too old or came from another site, so nothing was \
                         changed. Go back, reload the page and try again."
                    .into(),
                errors: Vec::new(),
            },
            AppError::Conflict(detail) => Problem {
                status: StatusCode::CONFLICT,
                kind: "conflict",
                title: "Conflict",
                detail: detail.clone(),
                errors: Vec::new(),
            },
            AppError::PayloadTooLarge => Problem::for_status(StatusCode::PAYLOAD_TOO_LARGE),
            AppError::TooManyRequests { retry_after_secs } => Problem {
                status: StatusCode::TOO_MANY_REQUESTS,
                kind: "too-many-requests",
                title: "Too many attempts",
                detail: format!(
                    "Too many attempts from this address. Wait {retry_after_secs} seconds and try again."
                ),
                errors: Vec::new(),
            },
            AppError::UnsupportedMediaType(detail) => Problem {
                detail: detail.clone(),
                ..Problem::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
            },
            AppError::Unavailable(detail) => Problem {
                title: "Back in a moment",
                detail: detail.clone(),
                ..Problem::for_status(StatusCode::SERVICE_UNAVAILABLE)
            },
            AppError::Internal(_) => Problem::for_status(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let problem = self.problem();
        let mut response = problem.status.into_response();
        if let AppError::TooManyRequests { retry_after_secs } = &self {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, (*retry_after_secs).into());
        }
        if let AppError::Unavailable(_) = &self {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, RETRY_AFTER_SECS.into());
        }
        if matches!(self, AppError::Unauthorized | AppError::MfaCodeRequired) {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response.extensions_mut().insert(problem);
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
