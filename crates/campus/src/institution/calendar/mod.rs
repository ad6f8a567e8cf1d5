//! The college's calendar: academic years and terms (one of each current), holidays,
//! exam periods and events, and the bell schedule, each a register of the setup pages
//! and the API. Attendance and the timetable ask `entries::suspended` whether classes
//! are held on a day.

pub mod api;
pub mod entries;
pub mod model;
pub mod periods;
pub mod terms;
pub mod years;

use crate::access::routes::Routes;
use crate::institution::setup::page_routes;

pub fn routes() -> Routes {
    page_routes::<years::Years>()
        .merge(page_routes::<terms::Terms>())
        .merge(page_routes::<entries::Entries>())
        .merge(page_routes::<periods::Periods>())
        .merge(api::years::api_routes())
        .merge(api::terms::api_routes())
        .merge(api::entries::api_routes())
        .merge(api::periods::api_routes())
}
