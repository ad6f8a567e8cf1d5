//! Academics: the catalog and registration, the timetable, exams, attendance,
//! assessment and results, and the year-end rollover, each area in its own folder.

pub mod assessment;
pub mod attendance;
pub mod catalog;
pub mod exams;
pub mod rollover;
pub mod timetable;

use crate::access::routes::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .merge(catalog::routes())
        .merge(timetable::routes())
        .merge(exams::routes())
        .merge(attendance::routes())
        .merge(assessment::routes())
        .merge(rollover::routes())
}
