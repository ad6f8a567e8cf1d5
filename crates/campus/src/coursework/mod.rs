//! Coursework: assignments with hand-ins and grades that feed the marks, course
//! materials, and a section's online meetings; files are uploaded, checked and served
//! only to the section's members.

pub mod assignments;
pub mod content;
pub mod model;
pub mod pages;
pub mod panels;
pub mod queries;

use crate::access::permissions::Permission::CatalogRead;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/sections/{id}",
            Access::Allowed(CatalogRead),
            pages::section_page,
        )
        .merge(assignments::routes())
        .merge(content::routes())
}
