//! Admissions: intakes per program, a public application page where applicants make
//! their own accounts, documents, the fee through a payment gateway (a test gateway is
//! built in), review with a merit list and seat allocation within capacity, and on
//! acceptance the student record, role and a welcome mail.

pub mod api;
pub mod applications;
pub mod intakes;
pub mod pages;
pub mod payments;
pub mod signup;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;

use crate::access::permissions::Permission::{AdmissionsApply, AdmissionsManage};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    let big = DefaultBodyLimit::disable;
    Routes::new()
        .get("/c/{slug}/apply", Access::Public, pages::apply_page)
        .post("/c/{slug}/apply", Access::Public, pages::apply)
        .get("/admissions", Access::Allowed(AdmissionsApply), pages::mine)
        .post(
            "/admissions/intakes/{id}/start",
            Access::Allowed(AdmissionsApply),
            pages::start,
        )
        // The applicant's own, or the admissions office's: the handler decides.
        .get(
            "/admissions/applications/{id}",
            Access::SignedIn,
            pages::application,
        )
        .post(
            "/admissions/applications/{id}",
            Access::Allowed(AdmissionsApply),
            pages::save,
        )
        .post(
            "/admissions/applications/{id}/files",
            Access::Allowed(AdmissionsApply),
            pages::attach.layer(big()),
        )
        .post(
            "/admissions/applications/{id}/pay",
            Access::Allowed(AdmissionsApply),
            pages::pay,
        )
        .post(
            "/admissions/applications/{id}/submit",
            Access::Allowed(AdmissionsApply),
            pages::submit,
        )
        .post(
            "/admissions/applications/{id}/withdraw",
            Access::Allowed(AdmissionsApply),
            pages::withdraw,
        )
        .post(
            "/admissions/applications/{id}/decision",
            Access::Allowed(AdmissionsManage),
            pages::decide,
        )
        .get(
            "/pay/test/{id}",
            Access::Allowed(AdmissionsApply),
            pages::checkout,
        )
        .post(
            "/pay/test/{id}",
            Access::Allowed(AdmissionsApply),
            pages::checkout_pay,
        )
        .get(
            "/admissions/intakes",
            Access::Allowed(AdmissionsManage),
            pages::intakes_page,
        )
        .post(
            "/admissions/intakes",
            Access::Allowed(AdmissionsManage),
            pages::create_intake,
        )
        .get(
            "/admissions/intakes/{id}",
            Access::Allowed(AdmissionsManage),
            pages::intake_page,
        )
        .post(
            "/admissions/intakes/{id}/allocate",
            Access::Allowed(AdmissionsManage),
            pages::allocate,
        )
        .get(
            "/api/v1/colleges/{slug}/intakes",
            Access::Public,
            api::open_intakes,
        )
        .post(
            "/api/v1/colleges/{slug}/applicants",
            Access::Public,
            api::sign_up,
        )
        .post(
            "/api/v1/payments/callback/{gateway}",
            Access::Public,
            api::callback,
        )
        .get(
            "/api/v1/me/applications",
            Access::Allowed(AdmissionsApply),
            api::mine,
        )
        .post(
            "/api/v1/intakes/{id}/applications",
            Access::Allowed(AdmissionsApply),
            api::start,
        )
        .get("/api/v1/applications/{id}", Access::SignedIn, api::details)
        .put(
            "/api/v1/applications/{id}",
            Access::Allowed(AdmissionsApply),
            api::save,
        )
        .post(
            "/api/v1/applications/{id}/files",
            Access::Allowed(AdmissionsApply),
            api::attach.layer(big()),
        )
        .post(
            "/api/v1/applications/{id}/payments",
            Access::Allowed(AdmissionsApply),
            api::pay,
        )
        .post(
            "/api/v1/applications/{id}/fee-received",
            Access::Allowed(AdmissionsManage),
            api::fee_received,
        )
        .post(
            "/admissions/applications/{id}/fee-received",
            Access::Allowed(AdmissionsManage),
            pages::fee_received,
        )
        .post(
            "/api/v1/applications/{id}/submit",
            Access::Allowed(AdmissionsApply),
            api::submit,
        )
        .post(
            "/api/v1/applications/{id}/withdraw",
            Access::Allowed(AdmissionsApply),
            api::withdraw,
        )
        .post(
            "/api/v1/applications/{id}/decision",
            Access::Allowed(AdmissionsManage),
            api::decide,
        )
        .get(
            "/api/v1/intakes",
            Access::Allowed(AdmissionsManage),
            api::list_intakes,
        )
        .post(
            "/api/v1/intakes",
            Access::Allowed(AdmissionsManage),
            api::create_intake,
        )
        .get(
            "/api/v1/intakes/{id}/merit-list",
            Access::Allowed(AdmissionsManage),
            api::merit_list,
        )
        .get(
            "/api/v1/intakes/{id}/applications",
            Access::Allowed(AdmissionsManage),
            api::of_intake,
        )
        .post(
            "/api/v1/intakes/{id}/allocate",
            Access::Allowed(AdmissionsManage),
            api::allocate,
        )
}
