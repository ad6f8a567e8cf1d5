//! Departments (head, building) and the programs they offer (level, years, intake), each
//! a register of the setup pages and the API.

pub mod api;
pub mod model;
pub mod queries;

use crate::access::routes::Routes;
use crate::institution::setup::page_routes;

pub fn routes() -> Routes {
    page_routes::<queries::Departments>()
        .merge(page_routes::<queries::Programs>())
        .merge(api::departments::api_routes())
        .merge(api::programs::api_routes())
}
