//! While the database is away (see db::health), every request that needs it is answered
//! at once with 503 and Retry-After: a "back in a moment" page for browsers, problem
//! details for the API. Health, readiness, metrics and static files still answer.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::db::health::DbHealth;
use crate::error::{AppError, DATABASE_AWAY};

pub async fn middleware(
    State(health): State<Arc<DbHealth>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let exempt =
        matches!(path, "/healthz" | "/readyz" | "/metrics") || path.starts_with("/static/");
    if !exempt && !health.is_up() {
        return AppError::Unavailable(DATABASE_AWAY.into()).into_response();
    }
    next.run(request).await
}
