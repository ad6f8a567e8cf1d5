//! Requests: leave with an approval chain (leave/), and support and maintenance tickets
//! whose requesters follow them live (tickets/), on one requests page.

pub mod leave;
pub mod pages;
pub mod panels;
pub mod tickets;

use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/requests", Access::SignedIn, pages::requests_page)
        .merge(leave::routes())
        .merge(tickets::routes())
}
