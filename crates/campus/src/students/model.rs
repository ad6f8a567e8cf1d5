//! Student record types: the search and its page of results, the list page's filters, a
//! student's profile with guardians and status history, the status change as entered, and
//! the search's words.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub const STATUSES: [&str; 5] = [
    "enrolled",
    "on_leave",
    "suspended",
    "graduated",
    "withdrawn",
];

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words of a name, number or email; each may be the start of a word.
    #[serde(default)]
    pub q: String,
    /// `enrolled`, `on_leave`, `suspended`, `graduated` or `withdrawn`.
    #[serde(default)]
    #[param(pattern = "^(enrolled|on_leave|suspended|graduated|withdrawn)$")]
    pub status: String,
    /// A program's code.
    #[serde(default)]
    pub program: String,
    /// Year of study.
    #[param(minimum = 1, maximum = 10)]
    pub year: Option<i16>,
    /// 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[serde(default)]
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: i64,
}

/// The students page's filters as its address carries them: every value text, so one
/// that does not parse comes back with its message rather than as a refused address.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListFilter {
    /// Words of a name, number or email.
    pub q: String,
    /// One of `STATUSES`, or empty for any.
    pub status: String,
    /// A program's code, or empty for any.
    pub program: String,
    /// A year of study, 1 to 10, or empty for any.
    pub year: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct StudentLine {
    pub id: Uuid,
    pub student_number: String,
    pub name: String,
    pub program: String,
    pub year_of_study: i16,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = StudentSearchPage)]
pub struct SearchPage {
    pub students: Vec<StudentLine>,
    /// The offset of the next page, when there is one.
    pub next_offset: Option<i64>,
}

/// The words of a search, as student terms are kept: lower case, split at anything that
/// is not a letter or a digit, at most eight. Each is matched as the start of a word, so
/// nothing the user types is ever read as query syntax.
pub fn search_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.sort();
    words.dedup();
    // A word that starts another adds nothing ("ada" is implied by "adam").
    let all = words.clone();
    words.retain(|w| !all.iter().any(|o| o != w && o.starts_with(w.as_str())));
    words.truncate(8);
    words
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct StatusChange {
    pub from_status: String,
    pub to_status: String,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub effective_on: time::Date,
    pub reason: String,
    pub changed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Guardian {
    pub id: Uuid,
    pub name: String,
    pub relationship: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = StudentProfile)]
pub struct Profile {
    pub id: Uuid,
    pub student_number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    #[serde(serialize_with = "crate::web::json::optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<time::Date>,
    pub program: String,
    pub department: String,
    /// The year admitted (the batch).
    pub batch: i32,
    pub year_of_study: i16,
    pub status: String,
    pub advisor: Option<String>,
    pub guardians: Vec<Guardian>,
    pub history: Vec<StatusChange>,
    /// Changes to the record's details, newest first.
    pub changes: Vec<crate::students::edit::Change>,
}

impl Profile {
    /// What a reader without `students.personal` for this student sees: who the student
    /// is and where they study, not how to reach them or their family.
    pub fn without_personal_details(mut self) -> Profile {
        self.email = None;
        self.phone = None;
        self.address = None;
        self.date_of_birth = None;
        self.guardians.clear();
        self.history.clear();
        self.changes.clear();
        self
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StatusInput {
    /// `enrolled`, `on_leave`, `suspended`, `graduated` or `withdrawn`.
    pub status: String,
    /// e.g. `2026-11-25`; defaults to today.
    #[serde(default)]
    pub effective_on: String,
    /// Why, in 5 to 500 characters.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::search_words;

    #[test]
    fn searches_are_words_never_query_syntax() {
        assert_eq!(search_words("Ada Lovelace"), ["ada", "lovelace"]);
        assert_eq!(search_words("S0001!"), ["s0001"]);
        assert_eq!(search_words("a & b | !c:*"), ["a", "b", "c"]);
        assert!(search_words("  --  ").is_empty());
        assert_eq!(
            search_words("'); DROP TABLE students; --"),
            ["drop", "students", "table"]
        );
        assert_eq!(
            search_words("Ada ADAM ad"),
            ["adam"],
            "prefixes of others add nothing"
        );
        assert_eq!(search_words("Zoë Ñúñez"), ["zoë", "ñúñez"]);
    }
}
