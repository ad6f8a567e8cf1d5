//! Achievements, the student hub: students record what they achieve with evidence,
//! faculty or the category's student organizers verify it, approved achievements earn
//! the college's activity points and make up the verified portfolio.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;
pub mod service;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;

use crate::access::permissions::Permission::{
    AchievementsManage, AchievementsRecord, AchievementsReview, InstitutionRead, StudentsRead,
};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    // Evidence forms may exceed the usual body limit; the per-file check bounds them.
    let big = DefaultBodyLimit::disable;
    Routes::new()
        .get(
            "/achievements",
            Access::Allowed(AchievementsRecord),
            pages::hub,
        )
        .post(
            "/achievements",
            Access::Allowed(AchievementsRecord),
            pages::record.layer(big()),
        )
        .get(
            "/achievements/events",
            Access::Allowed(AchievementsRecord),
            pages::events,
        )
        .get(
            "/achievements/review",
            Access::Allowed(AchievementsReview),
            pages::review,
        )
        .post(
            "/achievements/{id}/decision",
            Access::Allowed(AchievementsReview),
            pages::decide,
        )
        .get(
            "/achievements/settings",
            Access::Allowed(AchievementsManage),
            pages::settings,
        )
        .post(
            "/achievements/settings/points",
            Access::Allowed(AchievementsManage),
            pages::save_rules,
        )
        .post(
            "/achievements/settings/organizers",
            Access::Allowed(AchievementsManage),
            pages::save_organizer,
        )
        .post(
            "/students/{id}/portfolio",
            Access::Allowed(StudentsRead),
            api::portfolio_pdf,
        )
        .post(
            "/api/v1/me/achievements",
            Access::Allowed(AchievementsRecord),
            api::record.layer(big()),
        )
        .get(
            "/api/v1/students/{id}/achievements",
            Access::Allowed(StudentsRead),
            api::of_student,
        )
        .post(
            "/api/v1/students/{id}/portfolio",
            Access::Allowed(StudentsRead),
            api::portfolio_pdf,
        )
        .get(
            "/api/v1/achievements",
            Access::Allowed(AchievementsReview),
            api::queue,
        )
        .post(
            "/api/v1/achievements/{id}/decision",
            Access::Allowed(AchievementsReview),
            api::decide,
        )
        .get(
            "/api/v1/activity-points",
            Access::Allowed(InstitutionRead),
            api::rules,
        )
        .put(
            "/api/v1/activity-points",
            Access::Allowed(AchievementsManage),
            api::set_rules,
        )
        .get(
            "/api/v1/achievement-organizers",
            Access::Allowed(AchievementsManage),
            api::organizers,
        )
        .put(
            "/api/v1/achievement-organizers",
            Access::Allowed(AchievementsManage),
            api::set_organizer,
        )
}
