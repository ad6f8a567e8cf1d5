//! Staff record types: the search and its page of results, the list page's filters, and
//! a staff member's profile with what they teach.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub const STATUSES: [&str; 3] = ["active", "on_leave", "left"];

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words of a name, number or email.
    #[serde(default)]
    pub q: String,
    /// A department's code.
    #[serde(default)]
    pub department: String,
    /// `active`, `on_leave` or `left`.
    #[serde(default)]
    #[param(pattern = "^(active|on_leave|left)$")]
    pub status: String,
    /// 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[serde(default)]
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: i64,
}

/// The staff page's filters as its address carries them (every value text, so one that
/// does not fit comes back with its message).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListFilter {
    /// Words of a name, number or email.
    pub q: String,
    /// A department's code, or empty for any.
    pub department: String,
    /// One of `STATUSES`, or empty for any.
    pub status: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct StaffLine {
    pub id: Uuid,
    pub staff_number: String,
    pub name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = StaffSearchPage)]
pub struct SearchPage {
    pub staff: Vec<StaffLine>,
    pub next_offset: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Teaching {
    pub section_id: Uuid,
    pub course: String,
    pub section: String,
    pub term: String,
    pub enrolled: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = StaffProfile)]
pub struct Profile {
    pub id: Uuid,
    pub staff_number: String,
    pub first_name: String,
    pub last_name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[serde(serialize_with = "crate::web::json::optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub joined_on: Option<time::Date>,
    pub status: String,
    /// `full_time`, `part_time`, `visiting` or `contract`.
    pub employment_type: String,
    /// The account they sign in with, if they have one.
    pub user_id: Option<Uuid>,
    /// Students this staff member advises.
    pub advisees: i64,
    /// The account's roles, when the staff member has an account.
    pub roles: Vec<String>,
    pub teaching: Vec<Teaching>,
}
