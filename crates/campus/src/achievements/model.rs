//! Achievement types: the categories, an achievement as entered and as listed, reviewers'
//! decisions, the activity point rules and organizers, and what a verified portfolio
//! shows (with the checks and labels that need no database).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{AppError, FieldError};
use crate::files::uploads::FileView;

pub const CATEGORIES: [&str; 7] = [
    "academic",
    "sports",
    "cultural",
    "technical",
    "volunteering",
    "internship",
    "certification",
];

/// The live topic a student's achievements page follows.
pub fn topic(student: Uuid) -> String {
    format!("achievements:{student}")
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AchievementInput {
    pub title: String,
    /// academic, sports, cultural, technical, volunteering, internship or certification.
    pub category: String,
    /// The day of the achievement, e.g. `2026-10-02`.
    pub achieved_on: String,
    /// Who organised or awarded it.
    pub organiser: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Achievement {
    pub id: Uuid,
    pub student_id: Uuid,
    pub student_name: String,
    pub title: String,
    pub category: String,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub achieved_on: time::Date,
    pub organiser: String,
    pub description: String,
    /// submitted, approved, rejected or revoked.
    pub status: String,
    pub points: i32,
    pub decided_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    pub decision_comment: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[sqlx(skip)]
    pub files: Vec<FileView>,
}

fn parse_date(text: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format).ok()
}

/// Checks an achievement as entered; its day when every field is right.
pub fn validate(input: &AchievementInput) -> Result<time::Date, AppError> {
    let mut errors = Vec::new();
    if !(3..=200).contains(&input.title.trim().chars().count()) {
        errors.push(FieldError::new("title", "must be 3 to 200 characters"));
    }
    if !CATEGORIES.contains(&input.category.as_str()) {
        errors.push(FieldError::new(
            "category",
            "must be academic, sports, cultural, technical, volunteering, internship or certification",
        ));
    }
    if !(2..=200).contains(&input.organiser.trim().chars().count()) {
        errors.push(FieldError::new("organiser", "must be 2 to 200 characters"));
    }
    if input.description.chars().count() > 4000 {
        errors.push(FieldError::new(
            "description",
            "must be at most 4,000 characters",
        ));
    }
    let date = parse_date(&input.achieved_on);
    let today = OffsetDateTime::now_utc().date();
    match date {
        None => errors.push(FieldError::new(
            "achieved_on",
            "must be a date such as 2026-10-02",
        )),
        Some(d) if d > today.next_day().unwrap_or(today) => {
            errors.push(FieldError::new("achieved_on", "cannot be in the future"))
        }
        Some(d) if d.year() < 1951 => {
            errors.push(FieldError::new("achieved_on", "must be after 1950"))
        }
        Some(_) => {}
    }
    match (errors.is_empty(), date) {
        (true, Some(date)) => Ok(date),
        _ => Err(AppError::Validation(errors)),
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = AchievementDecision)]
pub struct DecisionInput {
    /// `approve`, `reject` (a submitted achievement) or `revoke` (an approved one).
    pub decision: String,
    /// Required to reject or revoke (3 to 1,000 characters).
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Rule {
    pub category: String,
    pub points: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Organizer {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub categories: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OrganizerInput {
    /// A user holding the student organizer role.
    pub user_id: Uuid,
    /// The categories they review (replaces what they had).
    pub categories: Vec<String>,
}

/// At most this many evidence images per achievement are printed.
pub const THUMBNAILS_PER_ACHIEVEMENT: usize = 4;

/// What a portfolio showed when issued; the verification page shows this.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Contents {
    pub kind: String,
    pub college: String,
    pub student_name: String,
    pub student_number: String,
    pub program: String,
    pub cumulative_gpa: Option<f64>,
    pub credits_earned: f64,
    pub total_points: i64,
    pub issued_on: String,
    pub achievements: Vec<Item>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    pub id: Uuid,
    pub title: String,
    pub category: String,
    pub achieved_on: String,
    pub organiser: String,
    pub points: i32,
    pub verified_by: String,
    pub verified_on: String,
}

/// An approved achievement as the portfolio prints it.
#[derive(sqlx::FromRow)]
pub(super) struct Approved {
    pub(super) id: Uuid,
    pub(super) title: String,
    pub(super) category: String,
    pub(super) achieved_on: time::Date,
    pub(super) organiser: String,
    pub(super) description: String,
    pub(super) points: i32,
    pub(super) verified_by: Option<String>,
    pub(super) decided_at: Option<OffsetDateTime>,
}

/// A category as printed: `sports` as `Sports`.
pub fn label(category: &str) -> String {
    let mut chars = category.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
