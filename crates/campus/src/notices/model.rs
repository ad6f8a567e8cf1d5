//! Notice types: a notice as listed and as entered, and its audience: one of the broad
//! audiences by role, or chosen groups (roles, programs, years, departments, sections,
//! named people) turned into the audience keys the database matches readers against
//! (see the `audience_members` view).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::files::uploads::FileView;

/// The broad audiences, and `selected` for chosen groups.
pub const AUDIENCES: [&str; 6] = [
    "everyone",
    "students",
    "parents",
    "staff",
    "applicants",
    "selected",
];

/// The highest year of study a notice may name.
pub const MAX_YEAR: i64 = 10;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notice {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    /// everyone, students, parents, staff, applicants, or selected (see `audience_words`).
    pub audience: String,
    /// The chosen groups in words, when `audience` is selected.
    pub audience_words: String,
    /// Shown above the others until unpinned.
    pub pinned: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub publish_at: OffsetDateTime,
    #[serde(serialize_with = "crate::web::json::optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub expires_on: Option<time::Date>,
    pub posted_by: Option<String>,
    #[serde(skip)]
    pub posted_by_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub edited_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub withdrawn_at: Option<OffsetDateTime>,
    /// Whether the caller has opened it.
    pub seen: bool,
    /// How many have opened it.
    pub seen_by: i64,
    /// Its files (given with one notice, empty in lists).
    pub files: Vec<FileView>,
}

impl Notice {
    /// Whether it is shown to its readers now.
    pub fn is_current(&self, now: OffsetDateTime) -> bool {
        self.withdrawn_at.is_none()
            && self.publish_at <= now
            && self.expires_on.is_none_or(|d| d >= now.date())
    }
}

/// The groups a notice is for, when its audience is `selected`. Programs and years
/// together mean those years of those programs; every other group adds its people.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AudienceTo {
    /// Role names, built-in or the college's own: everyone holding one.
    #[schema(max_items = 50)]
    pub roles: Vec<String>,
    /// Program ids: their current students.
    #[schema(max_items = 200)]
    pub programs: Vec<Uuid>,
    /// Years of study (1 to 10), of the programs named, or of every program.
    #[schema(max_items = 10)]
    pub years: Vec<i64>,
    /// Department ids: their staff and the students of their programs.
    #[schema(max_items = 200)]
    pub departments: Vec<Uuid>,
    /// Section ids: their enrolled students and their teachers.
    #[schema(max_items = 500)]
    pub sections: Vec<Uuid>,
    /// People, each by user id, email, student number or staff number.
    #[schema(max_items = 500)]
    pub people: Vec<String>,
    /// The parents of the students named by program, year, department or section too.
    pub include_parents: bool,
}

impl AudienceTo {
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
            && self.programs.is_empty()
            && self.years.is_empty()
            && self.departments.is_empty()
            && self.sections.is_empty()
            && self.people.is_empty()
    }

    /// The audience keys of these groups, `people` already resolved to user ids.
    pub fn keys(&self, people: &[Uuid]) -> Vec<String> {
        let mut students: Vec<String> = Vec::new();
        match (self.programs.is_empty(), self.years.is_empty()) {
            (false, false) => {
                for p in &self.programs {
                    for y in &self.years {
                        students.push(format!("program:{p}:year:{y}"));
                    }
                }
            }
            (false, true) => students.extend(self.programs.iter().map(|p| format!("program:{p}"))),
            (true, false) => students.extend(self.years.iter().map(|y| format!("year:{y}"))),
            (true, true) => {}
        }
        students.extend(self.departments.iter().map(|d| format!("department:{d}")));
        students.extend(self.sections.iter().map(|s| format!("section:{s}")));
        let mut keys: Vec<String> = self.roles.iter().map(|r| format!("role:{r}")).collect();
        if self.include_parents {
            keys.extend(students.iter().map(|k| format!("parents:{k}")));
        }
        keys.extend(students);
        keys.extend(people.iter().map(|u| format!("person:{u}")));
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeInput {
    pub title: String,
    pub body: String,
    /// everyone, students, parents, staff, applicants, or selected (then `to` names the
    /// groups). A teacher posts only to sections they teach.
    pub audience: String,
    #[serde(default)]
    pub to: Option<AudienceTo>,
    /// Shown above the others.
    #[serde(default)]
    pub pinned: bool,
    /// When to show it from (RFC 3339 or local `2026-12-01T09:00`); now when empty.
    #[serde(default)]
    pub publish_at: String,
    /// The last day to show it, e.g. `2026-12-20`; shown until withdrawn when empty.
    #[serde(default)]
    pub expires_on: String,
}

/// A partial edit: what is sent changes, the rest stays.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeChange {
    pub title: Option<String>,
    pub body: Option<String>,
    pub audience: Option<String>,
    pub to: Option<AudienceTo>,
    pub pinned: Option<bool>,
    pub publish_at: Option<String>,
    /// An empty string removes the last day.
    pub expires_on: Option<String>,
}

/// A notice's readers so far against its audience.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Readership {
    /// Active accounts the notice is for.
    pub audience: i64,
    /// Of them, those who have opened it.
    pub seen: i64,
    /// Up to 50 of those who have not yet, by name.
    pub not_yet: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_and_years_together_mean_those_years_of_those_programs() {
        let p = Uuid::nil();
        let to = AudienceTo {
            programs: vec![p],
            years: vec![2, 3],
            include_parents: true,
            ..AudienceTo::default()
        };
        assert_eq!(
            to.keys(&[]),
            [
                format!("parents:program:{p}:year:2"),
                format!("parents:program:{p}:year:3"),
                format!("program:{p}:year:2"),
                format!("program:{p}:year:3"),
            ]
        );
        let years = AudienceTo {
            years: vec![1],
            roles: vec!["teacher".into()],
            ..AudienceTo::default()
        };
        assert_eq!(
            years.keys(&[p]),
            [
                format!("person:{p}"),
                "role:teacher".into(),
                "year:1".into()
            ]
        );
    }
}
