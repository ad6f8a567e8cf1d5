//! Privacy: everything Campus holds about one student as a ZIP (JSON plus their files),
//! and the erasure of a former student once the college's retention period has passed:
//! personal data goes, academic records stay anonymous (so transcripts already issued
//! still verify, naming nobody). Both need `privacy.manage` and are audited; the audit
//! trail itself is append-only and keeps its past entries.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;
pub mod service;

use crate::access::permissions::Permission::PrivacyManage;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/students/{id}/export",
            Access::Allowed(PrivacyManage),
            api::export,
        )
        .get(
            "/students/{id}/erase",
            Access::Allowed(PrivacyManage),
            pages::erase_confirm,
        )
        .post(
            "/students/{id}/erase",
            Access::Allowed(PrivacyManage),
            pages::erase_page,
        )
        .get(
            "/api/v1/students/{id}/export",
            Access::Allowed(PrivacyManage),
            api::export,
        )
        .post(
            "/api/v1/students/{id}/erase",
            Access::Allowed(PrivacyManage),
            api::erase,
        )
}
