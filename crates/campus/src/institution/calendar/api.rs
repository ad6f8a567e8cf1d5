//! Academic years, terms, calendar entries and bell periods in the JSON API.

pub mod years {
    use crate::institution::calendar::model::{AcademicYear, AcademicYearInput, AcademicYearPatch};
    use crate::institution::calendar::years::Years;

    crate::institution::setup::api::register_api! {
        register: Years,
        tag: "institution",
        list: "/api/v1/academic-years",
        one: "/api/v1/academic-years/{id}",
        current: "/api/v1/academic-years/{id}/make-current",
        row: AcademicYear,
        input: AcademicYearInput,
        patch: AcademicYearPatch,
    }
}

pub mod terms {
    use crate::institution::calendar::model::{Term, TermInput, TermPatch};
    use crate::institution::calendar::terms::Terms;

    crate::institution::setup::api::register_api! {
        register: Terms,
        tag: "institution",
        list: "/api/v1/terms",
        one: "/api/v1/terms/{id}",
        current: "/api/v1/terms/{id}/make-current",
        row: Term,
        input: TermInput,
        patch: TermPatch,
    }
}

pub mod entries {
    use crate::institution::calendar::entries::Entries;
    use crate::institution::calendar::model::{
        CalendarEntry, CalendarEntryInput, CalendarEntryPatch,
    };

    crate::institution::setup::api::register_api! {
        register: Entries,
        tag: "institution",
        list: "/api/v1/calendar",
        one: "/api/v1/calendar/{id}",
        row: CalendarEntry,
        input: CalendarEntryInput,
        patch: CalendarEntryPatch,
    }
}

pub mod periods {
    use crate::institution::calendar::model::{BellPeriod, BellPeriodInput, BellPeriodPatch};
    use crate::institution::calendar::periods::Periods;

    crate::institution::setup::api::register_api! {
        register: Periods,
        tag: "institution",
        list: "/api/v1/bell-periods",
        one: "/api/v1/bell-periods/{id}",
        row: BellPeriod,
        input: BellPeriodInput,
        patch: BellPeriodPatch,
    }
}
