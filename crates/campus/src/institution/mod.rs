//! Institution: colleges (the tenants) and their campuses, buildings, departments,
//! programs, academic years and terms. This module serves the public side: the directory
//! of colleges and each college's landing page, in HTML and JSON.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use axum::Router;
use axum::routing::get;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::directory))
        .route("/c/{slug}", get(pages::landing))
        .route("/api/v1/colleges", get(api::list_colleges))
        .route("/api/v1/colleges/{slug}", get(api::get_college))
}
