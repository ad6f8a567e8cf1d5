//! Every route of Campus and the middleware around them, in one place.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::access::routes::{Access, Routes};
use crate::app::AppState;
use crate::error::AppError;
use crate::web;

pub fn build(state: AppState) -> Router {
    with_middleware(routes(), state)
}

/// Every route of Campus, each with its declared access.
pub fn routes() -> Routes {
    Routes::new()
        .get("/static/{*name}", Access::Public, web::assets::serve)
        .merge(crate::ops::routes())
        .merge(crate::api::routes())
        .merge(crate::institution::routes())
        .merge(crate::identity::routes())
        .merge(crate::dashboard::routes())
        .merge(crate::audit::routes())
        .merge(crate::users::routes())
        .merge(crate::platform::routes())
        .merge(crate::academics::routes())
        .merge(crate::documents::routes())
        .merge(crate::coursework::routes())
        .merge(crate::downloads::routes())
        .merge(crate::students::routes())
        .merge(crate::achievements::routes())
        .merge(crate::guardians::routes())
        .merge(crate::notices::routes())
        .merge(crate::guidance::routes())
        .merge(crate::enrollment::routes())
        .merge(crate::requests::routes())
        .merge(crate::admissions::routes())
        .merge(crate::privacy::routes())
        .merge(crate::oneroster::routes())
        .merge(crate::staff::routes())
        .merge(crate::people::routes())
}

/// Wraps `routes` in the middleware every request passes through. Tests use it to put
/// routes of their own (one that panics, one that is slow) behind the real stack.
pub fn with_middleware(routes: Routes, state: AppState) -> Router {
    let timeout = state.config.request_timeout;
    let body_limit = state.config.body_limit_bytes;
    // Upload routes lift axum's extractor limit; this bounds every body, an upload form
    // included (its file, its other fields and the multipart framing).
    let outer_limit = body_limit.max(state.config.upload_limit_bytes + 64 * 1024);
    routes
        .into_router(&state)
        .fallback(|| async { AppError::NotFound })
        // Innermost first: these run after the stack below, next to the handlers.
        .layer(from_fn_with_state(state.clone(), web::flash::middleware))
        .layer(from_fn_with_state(
            state.clone(),
            crate::identity::signin::authenticate::authenticate,
        ))
        .layer(
            // Outermost first.
            ServiceBuilder::new()
                .layer(from_fn(web::request_id::middleware))
                .layer(from_fn_with_state(
                    state.clone(),
                    web::client_ip::middleware,
                ))
                .layer(from_fn(web::observe::middleware))
                .layer(from_fn_with_state(
                    state.clone(),
                    web::security_headers::middleware,
                ))
                .layer(CompressionLayer::new())
                .layer(from_fn(web::errors::middleware))
                .layer(from_fn_with_state(
                    state.db_health.clone(),
                    web::available::middleware,
                ))
                .layer(CatchPanicLayer::custom(|_panic| {
                    tracing::error!("a handler panicked");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    timeout,
                ))
                // Reads form and JSON bodies itself, up to the body limit.
                .layer(from_fn_with_state(
                    web::input::BodyLimit(body_limit),
                    web::input::middleware,
                ))
                .layer(RequestBodyLimitLayer::new(outer_limit))
                .layer(DefaultBodyLimit::max(body_limit)),
        )
        .with_state(state)
}
