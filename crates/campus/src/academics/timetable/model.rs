//! Timetable types: the days of the week, times of day as minutes after midnight, a
//! weekly meeting as entered, and a slot of someone's week.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::FieldError;

pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// "09:30" into minutes after midnight. A browser's time field may add seconds
/// ("09:30:00"), which are accepted and left out.
pub fn parse_time(field: &str, text: &str) -> Result<i32, FieldError> {
    let bad = || FieldError::new(field, "must be a time such as 09:30");
    let (h, rest) = text.trim().split_once(':').ok_or_else(bad)?;
    // Seconds past the minute, when given, must be a valid two-digit count.
    let (m, past_the_minute) = match rest.split_once(':') {
        Some((m, seconds)) => {
            let seconds: u8 = match seconds.len() {
                2 => seconds.parse().map_err(|_| bad())?,
                _ => return Err(bad()),
            };
            if seconds >= 60 {
                return Err(bad());
            }
            (m, seconds > 0)
        }
        None => (rest, false),
    };
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..=24).contains(&h)
        || !(0..60).contains(&m)
        || h * 60 + m > 1440
        || (h * 60 + m == 1440 && past_the_minute)
    {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

pub fn show_time(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = ClassMeetingInput)]
pub struct NewMeetingInput {
    /// 1 = Monday ... 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub weekday: i16,
    /// e.g. `09:00`.
    pub starts: String,
    /// e.g. `10:30`.
    pub ends: String,
    pub room_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Slot {
    /// The section met, for the pages' links; not part of the API's slot.
    #[serde(skip)]
    pub section_id: Uuid,
    pub weekday: i16,
    pub start_minute: i32,
    pub end_minute: i32,
    pub course_code: String,
    pub section: String,
    pub room: Option<String>,
}

impl Slot {
    pub fn day(&self) -> &'static str {
        WEEKDAYS
            .get(self.weekday as usize - 1)
            .copied()
            .unwrap_or("?")
    }

    pub fn hours(&self) -> String {
        format!(
            "{}–{}",
            show_time(self.start_minute),
            show_time(self.end_minute)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_and_show() {
        assert_eq!(parse_time("t", "09:30"), Ok(570));
        assert_eq!(parse_time("t", "24:00"), Ok(1440));
        assert!(parse_time("t", "24:01").is_err());
        assert!(parse_time("t", "9.30").is_err());
        assert!(parse_time("t", "12:60").is_err());
        assert_eq!(parse_time("t", "09:30:00"), Ok(570));
        assert!(parse_time("t", "09:30:75").is_err());
        assert_eq!(show_time(570), "09:30");
    }
}
