//! Intake types: a program's admission round as listed (seats, fee, dates, counts) and as
//! entered.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Intake {
    pub id: Uuid,
    pub program_id: Uuid,
    pub program: String,
    pub name: String,
    pub seats: i32,
    /// e.g. `500.00`.
    pub application_fee: String,
    pub currency: String,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub opens_on: time::Date,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub closes_on: time::Date,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub admits_on: time::Date,
    /// Whether applications are taken today.
    pub open: bool,
    pub accepted: i64,
    pub applications: i64,
}

impl Intake {
    pub fn has_fee(&self) -> bool {
        self.application_fee != "0.00"
    }

    pub fn seats_left(&self) -> i64 {
        (i64::from(self.seats) - self.accepted).max(0)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct IntakeInput {
    /// The program's code.
    pub program: String,
    /// e.g. `2027 intake`.
    pub name: String,
    pub seats: i32,
    /// e.g. `500` or `500.00`; 0 for none.
    #[serde(default)]
    pub application_fee: String,
    /// ISO 4217, e.g. `INR` (the default).
    #[serde(default)]
    pub currency: String,
    pub opens_on: String,
    pub closes_on: String,
    pub admits_on: String,
}
