//! A college's places: campuses, buildings with their floors, and rooms (kind, seats,
//! floor, equipment), each a register of the setup pages and the API.

pub mod api;
pub mod model;
pub mod queries;

use crate::access::routes::Routes;
use crate::institution::setup::page_routes;

pub fn routes() -> Routes {
    page_routes::<queries::Campuses>()
        .merge(page_routes::<queries::Buildings>())
        .merge(page_routes::<queries::Rooms>())
        .merge(api::campuses::api_routes())
        .merge(api::buildings::api_routes())
        .merge(api::rooms::api_routes())
}
