//! Timetable types: the days of the week, times of day as minutes after midnight, a
//! weekly meeting as entered, and a slot of someone's week.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub use crate::web::clock::{parse_time, show_time};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = ClassMeetingInput)]
pub struct NewMeetingInput {
    /// 1 = Monday ... 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub weekday: i16,
    /// e.g. `09:00`; may be left out when a bell period is named.
    #[serde(default)]
    pub starts: String,
    /// e.g. `10:30`.
    #[serde(default)]
    pub ends: String,
    /// A period of the bell schedule, by name: the meeting takes its times.
    #[serde(default)]
    pub period: Option<String>,
    pub room_id: Option<Uuid>,
    /// Place it although another course of a program year that takes this one meets
    /// then (parallel groups); every other clash is refused whatever this says.
    #[serde(default)]
    pub accept_overlaps: bool,
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
