//! The public verification page of issued documents. Anyone holding a document (an
//! employer, another college) types its code or scans its QR code; the page confirms the
//! college issued it and shows what it contained when issued, nothing more, or that it
//! was revoked. Codes carry 80 random bits, so they cannot be guessed.

pub mod pages;
pub mod queries;

use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/c/{slug}/verify", Access::Public, pages::form)
        .get("/c/{slug}/verify/{code}", Access::Public, pages::code)
}
