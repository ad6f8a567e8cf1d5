//! Staff records written through the JSON API (reading them is `api.rs`'s search and
//! profile).

use crate::staff::record::{Staff, StaffInput, StaffPatch, StaffRow};

crate::institution::setup::api::register_api! {
    register: Staff,
    tag: "staff",
    list: "/api/v1/staff",
    one: "/api/v1/staff/{id}",
    retire: "/api/v1/staff/{id}/left",
    restore: "/api/v1/staff/{id}/returned",
    import: "/api/v1/staff/import",
    row: StaffRow,
    input: StaffInput,
    patch: StaffPatch,
}
