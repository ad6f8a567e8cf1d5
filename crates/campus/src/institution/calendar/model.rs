//! The college's calendar: academic years and their terms (one of each current), the
//! holidays, exam periods and events of the year, and the bell schedule. The types the
//! pages and the API share, and their rules.

use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::FieldError;
use crate::institution::setup::rules::name_problem;
use crate::web::clock::{parse_date, parse_time};

/// The kinds of calendar entry, stored code and words.
pub const KINDS: [(&str, &str); 3] = [
    ("holiday", "Holiday"),
    ("exam_period", "Exam period"),
    ("event", "Event"),
];

/// The longest academic year, in days (two calendar years: some colleges run 18 months).
const LONGEST_YEAR: i64 = 731;
/// The longest calendar entry, in days.
const LONGEST_ENTRY: i64 = 366;

/// The dates of a span typed as text: each read or named, then the end checked against
/// the start (strictly after unless `same_day`), then the length.
pub fn span_problems(
    starts: &str,
    ends: &str,
    same_day: bool,
    longest: i64,
) -> (Option<(Date, Date)>, Vec<FieldError>) {
    let start = parse_date("starts_on", starts);
    let end = parse_date("ends_on", ends);
    match (start, end) {
        (Ok(start), Ok(end)) => {
            let days = (end - start).whole_days();
            let problem = if days < 0 || (days == 0 && !same_day) {
                Some(if same_day {
                    "must be on or after the first day".to_string()
                } else {
                    "must be after the first day".to_string()
                })
            } else if days > longest {
                Some(format!(
                    "must be at most {longest} days after the first day"
                ))
            } else {
                None
            };
            match problem {
                Some(message) => (None, vec![FieldError::new("ends_on", message)]),
                None => (Some((start, end)), Vec::new()),
            }
        }
        (start, end) => (
            None,
            [start.err(), end.err()].into_iter().flatten().collect(),
        ),
    }
}

/// An academic year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AcademicYear {
    pub id: Uuid,
    pub name: String,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub starts_on: Date,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub ends_on: Date,
    /// The college's current year: exactly one is, once any exists.
    pub current: bool,
    /// Its terms.
    pub terms: i64,
}

/// An academic year as it is saved; also its form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AcademicYearInput {
    /// e.g. `2026–27`; unique in the college.
    #[schema(pattern = "^\\S.{0,58}\\S$")]
    pub name: String,
    #[schema(format = Date)]
    pub starts_on: String,
    /// After the first day, at most two years later; years do not overlap.
    #[schema(format = Date)]
    pub ends_on: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct AcademicYearPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\S.{0,58}\\S$")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub starts_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub ends_on: Option<String>,
}

impl AcademicYearInput {
    pub fn problems(&self) -> Vec<FieldError> {
        let mut found: Vec<FieldError> = name_problem("name", &self.name, 2, 60)
            .into_iter()
            .collect();
        found.extend(span_problems(&self.starts_on, &self.ends_on, false, LONGEST_YEAR).1);
        found
    }

    /// The dates, once `problems` found none.
    pub fn span(&self) -> Option<(Date, Date)> {
        span_problems(&self.starts_on, &self.ends_on, false, LONGEST_YEAR).0
    }
}

/// A term of an academic year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Term {
    pub id: Uuid,
    pub name: String,
    pub academic_year_id: Uuid,
    /// The academic year's name.
    pub academic_year: String,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub starts_on: Date,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub ends_on: Date,
    /// The college's current term, one of the current year's.
    pub current: bool,
    /// Sections offered in it.
    pub sections: i64,
}

/// A term as it is saved; also its form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TermInput {
    /// e.g. `Odd semester`; unique in its year.
    #[schema(pattern = "^\\S.{0,58}\\S$")]
    pub name: String,
    /// The academic year it lies in, by name.
    #[schema(pattern = "^\\S.{0,58}\\S$")]
    pub academic_year: String,
    /// Within the year; terms do not overlap.
    #[schema(format = Date)]
    pub starts_on: String,
    #[schema(format = Date)]
    pub ends_on: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct TermPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\S.{0,58}\\S$")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\S.{0,58}\\S$")]
    pub academic_year: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub starts_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub ends_on: Option<String>,
}

impl TermInput {
    pub fn problems(&self) -> Vec<FieldError> {
        let mut found: Vec<FieldError> = [
            name_problem("name", &self.name, 2, 60),
            self.academic_year
                .trim()
                .is_empty()
                .then(|| FieldError::new("academic_year", "is required")),
        ]
        .into_iter()
        .flatten()
        .collect();
        found.extend(span_problems(&self.starts_on, &self.ends_on, false, LONGEST_YEAR).1);
        found
    }

    pub fn span(&self) -> Option<(Date, Date)> {
        span_problems(&self.starts_on, &self.ends_on, false, LONGEST_YEAR).0
    }
}

/// A holiday, an exam period or an event of the college's calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarEntry {
    pub id: Uuid,
    /// `holiday`, `exam_period` or `event`.
    pub kind: String,
    pub name: String,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub starts_on: Date,
    /// The last day, included.
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub ends_on: Date,
    pub notes: String,
    /// An event for one department: its staff and its programs' students.
    pub department_id: Option<Uuid>,
    pub department: Option<String>,
    /// An event for one section: its students and teachers.
    pub section_id: Option<Uuid>,
    pub section: Option<String>,
}

impl CalendarEntry {
    /// Who it is for, in words.
    pub fn for_whom(&self) -> String {
        match (&self.department, &self.section) {
            (Some(d), _) => d.clone(),
            (_, Some(s)) => s.clone(),
            _ => "The whole college".to_string(),
        }
    }
}

/// A calendar entry as it is saved; also its form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CalendarEntryInput {
    /// Holidays and exam periods suspend classes; events do not.
    #[schema(pattern = "^(holiday|exam_period|event)$")]
    pub kind: String,
    #[schema(pattern = "^\\S.{0,118}\\S$")]
    pub name: String,
    #[schema(format = Date)]
    pub starts_on: String,
    /// The last day, included: the first day or up to a year later.
    #[schema(format = Date)]
    pub ends_on: String,
    #[schema(max_length = 2000)]
    pub notes: String,
    /// An event's department (its id), or empty for the whole college.
    #[schema(
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub department: String,
    /// An event's section (its id), or empty; not with a department.
    #[schema(
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub section: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CalendarEntryPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^(holiday|exam_period|event)$")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\S.{0,118}\\S$")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub starts_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub ends_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub section: Option<String>,
}

impl CalendarEntryInput {
    /// The department and section ids, when they read as ids.
    pub fn scope(&self) -> (Option<Uuid>, Option<Uuid>) {
        let id = |t: &str| Uuid::parse_str(t.trim()).ok();
        (id(&self.department), id(&self.section))
    }

    pub fn problems(&self) -> Vec<FieldError> {
        let mut found: Vec<FieldError> = name_problem("name", &self.name, 2, 120)
            .into_iter()
            .collect();
        if !KINDS.iter().any(|(k, _)| *k == self.kind) {
            found.push(FieldError::new(
                "kind",
                "must be one of holiday, exam_period, event",
            ));
        }
        if self.notes.chars().count() > 2000 {
            found.push(FieldError::new("notes", "must be at most 2,000 characters"));
        }
        for (field, text, what) in [
            ("department", &self.department, "a department"),
            ("section", &self.section, "a section"),
        ] {
            let text = text.trim();
            if !text.is_empty() && Uuid::parse_str(text).is_err() {
                found.push(FieldError::new(
                    field,
                    format!("must name {what} by its id"),
                ));
            } else if !text.is_empty() && self.kind != "event" {
                found.push(FieldError::new(
                    field,
                    "is for events only: holidays and exam periods are the whole college's",
                ));
            }
        }
        if !self.department.trim().is_empty() && !self.section.trim().is_empty() {
            found.push(FieldError::new(
                "section",
                "an event is for one department or one section, not both",
            ));
        }
        found.extend(span_problems(&self.starts_on, &self.ends_on, true, LONGEST_ENTRY).1);
        found
    }

    pub fn span(&self) -> Option<(Date, Date)> {
        span_problems(&self.starts_on, &self.ends_on, true, LONGEST_ENTRY).0
    }
}

/// A named period of the teaching day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BellPeriod {
    pub id: Uuid,
    pub name: String,
    /// e.g. `09:00`.
    pub starts: String,
    pub ends: String,
    /// Minutes after midnight.
    pub start_minute: i32,
    pub end_minute: i32,
    /// A break (lunch, recess): shown on timetables, no classes placed in it.
    pub is_break: bool,
    /// Weekly section meetings held exactly in this period.
    pub meetings: i64,
}

/// A bell period as it is saved.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct BellPeriodInput {
    /// e.g. `Period 1`, `Lunch`; unique in the college.
    #[schema(pattern = "^\\S.{0,38}\\S$")]
    pub name: String,
    /// e.g. `09:00`; periods do not overlap.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub starts: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub ends: String,
    pub is_break: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct BellPeriodPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\S.{0,38}\\S$")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub starts: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub ends: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_break: Option<bool>,
}

/// A bell period's form: whether it is a break, chosen from two options.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BellPeriodForm {
    pub name: String,
    pub starts: String,
    pub ends: String,
    /// `class` or `break`.
    pub use_for: String,
}

impl BellPeriodInput {
    pub fn problems(&self) -> Vec<FieldError> {
        let mut found: Vec<FieldError> = name_problem("name", &self.name, 1, 40)
            .into_iter()
            .collect();
        match (
            parse_time("starts", &self.starts),
            parse_time("ends", &self.ends),
        ) {
            (Ok(start), Ok(end)) if end <= start => {
                found.push(FieldError::new("ends", "must be after the start"));
            }
            (start, end) => found.extend([start.err(), end.err()].into_iter().flatten()),
        }
        found
    }

    /// The minutes after midnight, once `problems` found none.
    pub fn minutes(&self) -> Option<(i32, i32)> {
        Some((
            parse_time("starts", &self.starts).ok()?,
            parse_time("ends", &self.ends).ok()?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_read_and_checked() {
        let (span, errors) = span_problems("2026-07-01", "2027-06-30", false, LONGEST_YEAR);
        assert!(span.is_some() && errors.is_empty());
        let (_, errors) = span_problems("2026-07-01", "2026-07-01", false, LONGEST_YEAR);
        assert_eq!(errors[0].field, "ends_on");
        let (span, _) = span_problems("2026-12-25", "2026-12-25", true, LONGEST_ENTRY);
        assert!(span.is_some());
        let (_, errors) = span_problems("2026-01-01", "2028-01-03", false, LONGEST_YEAR);
        assert!(errors[0].message.contains("731 days"));
        let (_, errors) = span_problems("2026-13-01", "someday", false, LONGEST_YEAR);
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn a_period_ends_after_it_starts() {
        let period = |starts: &str, ends: &str| BellPeriodInput {
            name: "Period 1".into(),
            starts: starts.into(),
            ends: ends.into(),
            is_break: false,
        };
        assert!(period("09:00", "09:50").problems().is_empty());
        assert_eq!(period("09:50", "09:00").problems()[0].field, "ends");
        assert_eq!(period("9", "09:00").problems()[0].field, "starts");
    }
}
