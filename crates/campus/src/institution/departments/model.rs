//! Departments (a head, the building that houses them) and the programs they offer
//! (level, duration, intake): the types the pages and the API share, and their rules.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::FieldError;
use crate::institution::setup::rules::{code_problem, name_problem, range_problem};

/// The levels of program, stored code and words.
pub const LEVELS: [(&str, &str); 4] = [
    ("diploma", "Diploma"),
    ("undergraduate", "Undergraduate"),
    ("postgraduate", "Postgraduate"),
    ("doctoral", "Doctoral"),
];

/// A department of the college.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Department {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub building_id: Option<Uuid>,
    /// The code of the building that houses it.
    pub building: Option<String>,
    pub head_staff_id: Option<Uuid>,
    /// The head's staff number.
    pub head: Option<String>,
    /// The head's name.
    pub head_name: Option<String>,
    /// Programs it offers, retired ones included.
    pub programs: i64,
    /// Staff members in it.
    pub staff: i64,
    pub retired: bool,
}

/// A department as it is saved.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DepartmentInput {
    /// Capital letters, digits and hyphens, e.g. `CSE`; unique in the college.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")]
    pub code: String,
    #[schema(pattern = "^\\S.{0,198}\\S$")]
    pub name: String,
    /// The building that houses it, by code; none when it spans buildings.
    #[serde(default)]
    pub building: Option<String>,
    /// The head of the department, by staff number.
    #[serde(default)]
    pub head: Option<String>,
}

/// The fields of a department to change; an empty text clears the building or head.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct DepartmentPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\S.{0,198}\\S$")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DepartmentForm {
    pub code: String,
    pub name: String,
    pub building: String,
    pub head: String,
}

impl DepartmentInput {
    pub fn problems(&self) -> Vec<FieldError> {
        [
            code_problem("code", &self.code, 20),
            name_problem("name", &self.name, 2, 200),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// A program a department offers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Program {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub department_id: Uuid,
    /// The department's code.
    pub department: String,
    /// `diploma`, `undergraduate`, `postgraduate` or `doctoral`.
    pub level: String,
    pub duration_years: i16,
    /// Students admitted a year; none when not set.
    pub intake_capacity: Option<i32>,
    /// Students in it, former ones included.
    pub students: i64,
    pub retired: bool,
}

/// A program as it is saved.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProgramInput {
    /// Capital letters, digits and hyphens, e.g. `BTECH-CSE`; unique in the college.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")]
    pub code: String,
    #[schema(pattern = "^\\S.{0,198}\\S$")]
    pub name: String,
    /// The department that offers it, by code.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")]
    pub department: String,
    #[schema(pattern = "^(diploma|undergraduate|postgraduate|doctoral)$")]
    pub level: String,
    /// Years of study, 1 to 8.
    #[schema(minimum = 1, maximum = 8)]
    pub duration_years: i16,
    /// Students admitted a year, 1 to 100,000.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100000)]
    pub intake_capacity: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ProgramPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\S.{0,198}\\S$")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^(diploma|undergraduate|postgraduate|doctoral)$")]
    pub level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 8)]
    pub duration_years: Option<i16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100000)]
    pub intake_capacity: Option<i32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProgramForm {
    pub code: String,
    pub name: String,
    pub department: String,
    pub level: String,
    pub duration_years: String,
    pub intake_capacity: String,
}

impl ProgramInput {
    pub fn problems(&self) -> Vec<FieldError> {
        let mut found: Vec<FieldError> = [
            code_problem("code", &self.code, 30),
            name_problem("name", &self.name, 2, 200),
            self.department
                .trim()
                .is_empty()
                .then(|| FieldError::new("department", "is required")),
            range_problem("duration_years", self.duration_years.into(), 1, 8),
            self.intake_capacity
                .and_then(|n| range_problem("intake_capacity", n.into(), 1, 100_000)),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !LEVELS.iter().any(|(l, _)| *l == self.level) {
            found.push(FieldError::new(
                "level",
                "must be one of diploma, undergraduate, postgraduate, doctoral",
            ));
        }
        found
    }
}
