//! Departments and programs in the JSON API.

pub mod departments {
    use crate::institution::departments::model::{Department, DepartmentInput, DepartmentPatch};
    use crate::institution::departments::queries::Departments;

    crate::institution::setup::api::register_api! {
        register: Departments,
        tag: "institution",
        list: "/api/v1/departments",
        one: "/api/v1/departments/{id}",
        retire: "/api/v1/departments/{id}/retire",
        restore: "/api/v1/departments/{id}/restore",
        import: "/api/v1/departments/import",
        row: Department,
        input: DepartmentInput,
        patch: DepartmentPatch,
    }
}

pub mod programs {
    use crate::institution::departments::model::{Program, ProgramInput, ProgramPatch};
    use crate::institution::departments::queries::Programs;

    crate::institution::setup::api::register_api! {
        register: Programs,
        tag: "institution",
        list: "/api/v1/programs",
        one: "/api/v1/programs/{id}",
        retire: "/api/v1/programs/{id}/retire",
        restore: "/api/v1/programs/{id}/restore",
        import: "/api/v1/programs/import",
        row: Program,
        input: ProgramInput,
        patch: ProgramPatch,
    }
}
