//! Institution: colleges (the tenants) and their campuses, buildings, departments,
//! programs, academic years and terms. This module serves the public side: the directory
//! of colleges and each college's landing page, in HTML and JSON.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use crate::identity::access::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/", Access::Public, pages::directory)
        .get("/c/{slug}", Access::Public, pages::landing)
        .get("/api/v1/colleges", Access::Public, api::list_colleges)
        .get("/api/v1/colleges/{slug}", Access::Public, api::get_college)
}
