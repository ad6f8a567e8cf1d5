//! People: user accounts and their roles, and the records of students, staff and
//! guardians: their types, the queries the shell tools use, and every user's own contact
//! details and photograph (`contact`).

pub mod contact;
pub mod model;
pub mod queries;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;

use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/account", Access::SignedIn, contact::page)
        .post("/account", Access::SignedIn, contact::update)
        .get("/account/photo", Access::SignedIn, contact::photo)
        .post(
            "/account/photo",
            Access::SignedIn,
            contact::upload_photo.layer(DefaultBodyLimit::disable()),
        )
        .get(
            "/api/v1/users/me/contact",
            Access::SignedIn,
            contact::get_api,
        )
        .patch("/api/v1/users/me", Access::SignedIn, contact::patch_api)
        .post(
            "/api/v1/users/me/photo",
            Access::SignedIn,
            contact::photo_api.layer(DefaultBodyLimit::disable()),
        )
}
