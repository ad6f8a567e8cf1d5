//! Application fees: paid through a payment gateway (a test gateway is built in) whose
//! signed callback settles the payment, or received by the admissions office.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;

use crate::access::permissions::Permission::{AdmissionsApply, AdmissionsManage};
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/admissions/applications/{id}/pay",
            Access::Allowed(AdmissionsApply),
            pages::pay,
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
        .post(
            "/api/v1/payments/callback/{gateway}",
            Access::Public,
            api::callback,
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
}
