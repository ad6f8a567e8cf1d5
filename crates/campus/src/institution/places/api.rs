//! Campuses, buildings and rooms in the JSON API.

pub mod campuses {
    use crate::institution::places::model::{Campus, CampusInput, CampusPatch};
    use crate::institution::places::queries::Campuses;

    crate::institution::setup::api::register_api! {
        register: Campuses,
        tag: "institution",
        list: "/api/v1/campuses",
        one: "/api/v1/campuses/{id}",
        retire: "/api/v1/campuses/{id}/retire",
        restore: "/api/v1/campuses/{id}/restore",
        row: Campus,
        input: CampusInput,
        patch: CampusPatch,
    }
}

pub mod buildings {
    use crate::institution::places::model::{Building, BuildingInput, BuildingPatch};
    use crate::institution::places::queries::Buildings;

    crate::institution::setup::api::register_api! {
        register: Buildings,
        tag: "institution",
        list: "/api/v1/buildings",
        one: "/api/v1/buildings/{id}",
        retire: "/api/v1/buildings/{id}/retire",
        restore: "/api/v1/buildings/{id}/restore",
        row: Building,
        input: BuildingInput,
        patch: BuildingPatch,
    }
}

pub mod rooms {
    use crate::institution::places::model::{Room, RoomInput, RoomPatch};
    use crate::institution::places::queries::Rooms;

    crate::institution::setup::api::register_api! {
        register: Rooms,
        tag: "institution",
        list: "/api/v1/rooms",
        one: "/api/v1/rooms/{id}",
        retire: "/api/v1/rooms/{id}/retire",
        restore: "/api/v1/rooms/{id}/restore",
        import: "/api/v1/rooms/import",
        row: Room,
        input: RoomInput,
        patch: RoomPatch,
    }
}
