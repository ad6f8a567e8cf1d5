//! A college's places: campuses, the buildings on them (with their floors) and the rooms
//! in those (kind, capacity, floor, what they are equipped with). The types the pages
//! and the API share, and the rules of each field.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::FieldError;
use crate::institution::setup::rules::{code_problem, name_problem, range_problem};

/// The kinds of room, stored code and words.
pub const ROOM_KINDS: [(&str, &str); 7] = [
    ("classroom", "Classroom"),
    ("lecture_hall", "Lecture hall"),
    ("lab", "Laboratory"),
    ("seminar", "Seminar room"),
    ("office", "Office"),
    ("library", "Library"),
    ("hall", "Hall"),
];

/// What a room may be equipped with, stored code and words.
pub const ROOM_FEATURES: [(&str, &str); 8] = [
    ("projector", "Projector"),
    ("smart_board", "Smart board"),
    ("computers", "Computers"),
    ("lab_benches", "Lab benches"),
    ("wheelchair_access", "Wheelchair access"),
    ("air_conditioning", "Air conditioning"),
    ("audio", "Sound system"),
    ("video_conferencing", "Video conferencing"),
];

// Campuses.

/// A campus of the college.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Campus {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub address: Option<String>,
    /// Buildings on it, retired ones included.
    pub buildings: i64,
    pub retired: bool,
}

/// A campus as it is saved.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CampusInput {
    /// Capital letters, digits and hyphens, e.g. `MAIN`; unique in the college.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")]
    pub code: String,
    #[schema(pattern = "^\\S.{0,198}\\S$")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub address: Option<String>,
}

/// The fields of a campus to change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CampusPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\S.{0,198}\\S$")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 500)]
    pub address: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CampusForm {
    pub code: String,
    pub name: String,
    pub address: String,
}

impl CampusInput {
    pub fn problems(&self) -> Vec<FieldError> {
        let mut found: Vec<FieldError> = [
            code_problem("code", &self.code, 20),
            name_problem("name", &self.name, 2, 200),
        ]
        .into_iter()
        .flatten()
        .collect();
        if self
            .address
            .as_deref()
            .is_some_and(|a| a.chars().count() > 500)
        {
            found.push(FieldError::new("address", "must be at most 500 characters"));
        }
        found
    }
}

// Buildings.

/// A building on a campus.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Building {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub campus_id: Uuid,
    /// The campus's code.
    pub campus: String,
    pub floors: i16,
    /// Rooms in it, retired ones included.
    pub rooms: i64,
    pub retired: bool,
}

/// A building as it is saved.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BuildingInput {
    /// Capital letters, digits and hyphens, e.g. `ENG`; unique in the college.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")]
    pub code: String,
    #[schema(pattern = "^\\S.{0,198}\\S$")]
    pub name: String,
    /// The campus it stands on, by code.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")]
    pub campus: String,
    /// Floors above ground, 1 to 200.
    #[schema(minimum = 1, maximum = 200)]
    pub floors: i16,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct BuildingPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\S.{0,198}\\S$")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")]
    pub campus: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 200)]
    pub floors: Option<i16>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BuildingForm {
    pub code: String,
    pub name: String,
    pub campus: String,
    pub floors: String,
}

impl BuildingInput {
    pub fn problems(&self) -> Vec<FieldError> {
        [
            code_problem("code", &self.code, 20),
            name_problem("name", &self.name, 2, 200),
            self.campus
                .trim()
                .is_empty()
                .then(|| FieldError::new("campus", "is required")),
            range_problem("floors", self.floors.into(), 1, 200),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

// Rooms.

/// A room in a building.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Room {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub building_id: Uuid,
    /// The building's code.
    pub building: String,
    /// `classroom`, `lecture_hall`, `lab`, `seminar`, `office`, `library` or `hall`.
    pub kind: String,
    pub floor: i16,
    pub capacity: i32,
    /// What it is equipped with (`projector`, `wheelchair_access`, ...).
    pub features: Vec<String>,
    pub retired: bool,
}

/// A room as it is saved.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoomInput {
    /// Capital letters, digits and hyphens, e.g. `ENG-101`; unique in its building.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")]
    pub code: String,
    #[schema(pattern = "^\\S(.{0,198}\\S)?$")]
    pub name: String,
    /// The building it is in, by code.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")]
    pub building: String,
    #[schema(pattern = "^(classroom|lecture_hall|lab|seminar|office|library|hall)$")]
    pub kind: String,
    /// The floor, from -5 (basements) to 200; 0 is the ground floor.
    #[serde(default)]
    #[schema(minimum = -5, maximum = 200)]
    pub floor: i16,
    /// Seats, 1 to 10,000.
    #[schema(minimum = 1, maximum = 10000)]
    pub capacity: i32,
    /// Any of `projector`, `smart_board`, `computers`, `lab_benches`,
    /// `wheelchair_access`, `air_conditioning`, `audio`, `video_conferencing`.
    #[serde(default)]
    pub features: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RoomPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\S(.{0,198}\\S)?$")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")]
    pub building: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^(classroom|lecture_hall|lab|seminar|office|library|hall)$")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = -5, maximum = 200)]
    pub floor: Option<i16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 10000)]
    pub capacity: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RoomForm {
    pub code: String,
    pub name: String,
    pub building: String,
    pub kind: String,
    pub floor: String,
    pub capacity: String,
    pub features: Vec<String>,
}

impl RoomInput {
    pub fn problems(&self) -> Vec<FieldError> {
        let mut found: Vec<FieldError> = [
            code_problem("code", &self.code, 20),
            name_problem("name", &self.name, 1, 200),
            self.building
                .trim()
                .is_empty()
                .then(|| FieldError::new("building", "is required")),
            range_problem("floor", self.floor.into(), -5, 200),
            range_problem("capacity", self.capacity.into(), 1, 10_000),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !ROOM_KINDS.iter().any(|(k, _)| *k == self.kind) {
            found.push(FieldError::new(
                "kind",
                "must be one of classroom, lecture_hall, lab, seminar, office, library, hall",
            ));
        }
        if let Some(unknown) = self
            .features
            .iter()
            .find(|f| !ROOM_FEATURES.iter().any(|(k, _)| k == f))
        {
            found.push(FieldError::new(
                "features",
                format!("{unknown:?} is not a feature Campus knows"),
            ));
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::institution::setup::rules::code;

    #[test]
    fn codes_are_read_in_capitals_and_checked() {
        assert_eq!(code(" eng-101 "), "ENG-101");
        assert!(code_problem("code", "eng-101", 20).is_none());
        assert!(code_problem("code", "-X", 20).is_some());
        assert!(code_problem("code", "A B", 20).is_some());
        assert!(code_problem("code", &"A".repeat(21), 20).is_some());
        assert_eq!(
            code_problem("code", " ", 20).map(|e| e.message),
            Some("is required".to_string())
        );
    }

    #[test]
    fn a_room_names_each_wrong_field() {
        let room = RoomInput {
            code: "R 1".into(),
            name: "".into(),
            building: "ENG".into(),
            kind: "ballroom".into(),
            floor: 0,
            capacity: 0,
            features: vec!["projector".into(), "jacuzzi".into()],
        };
        let fields: Vec<String> = room.problems().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["code", "name", "capacity", "kind", "features"]);
    }
}
