//! The API's description: the OpenAPI 3 document generated from the handlers' annotations,
//! served at /api/openapi.json, and a browsable page drawn from it on the server (no
//! script, so it works under the strict CSP and offline).

mod contract;
mod docs;

use axum::Json;
use utoipa::OpenApi;

use crate::access::routes::{Access, Routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Campus API",
        description = "The JSON API of Campus, an open-source college management system. \
            Errors are problem details (RFC 9457, application/problem+json) carrying a \
            request_id; validation problems list per-field errors.",
        license(name = "AGPL-3.0-or-later"),
    ),
    paths(
        crate::ops::healthz,
        crate::ops::readyz,
        crate::ops::metrics,
        crate::institution::api::list_colleges,
        crate::institution::api::get_college,
        crate::institution::settings::get_api,
        crate::institution::settings::put_api,
        crate::institution::places::api::campuses::list,
        crate::institution::places::api::campuses::get,
        crate::institution::places::api::campuses::create,
        crate::institution::places::api::campuses::patch,
        crate::institution::places::api::campuses::delete,
        crate::institution::places::api::campuses::retire,
        crate::institution::places::api::campuses::restore,
        crate::institution::places::api::buildings::list,
        crate::institution::places::api::buildings::get,
        crate::institution::places::api::buildings::create,
        crate::institution::places::api::buildings::patch,
        crate::institution::places::api::buildings::delete,
        crate::institution::places::api::buildings::retire,
        crate::institution::places::api::buildings::restore,
        crate::institution::places::api::rooms::list,
        crate::institution::places::api::rooms::get,
        crate::institution::places::api::rooms::create,
        crate::institution::places::api::rooms::patch,
        crate::institution::places::api::rooms::delete,
        crate::institution::places::api::rooms::retire,
        crate::institution::places::api::rooms::restore,
        crate::institution::places::api::rooms::import,
        crate::institution::departments::api::departments::list,
        crate::institution::departments::api::departments::get,
        crate::institution::departments::api::departments::create,
        crate::institution::departments::api::departments::patch,
        crate::institution::departments::api::departments::delete,
        crate::institution::departments::api::departments::retire,
        crate::institution::departments::api::departments::restore,
        crate::institution::departments::api::departments::import,
        crate::institution::departments::api::programs::list,
        crate::institution::departments::api::programs::get,
        crate::institution::departments::api::programs::create,
        crate::institution::departments::api::programs::patch,
        crate::institution::departments::api::programs::delete,
        crate::institution::departments::api::programs::retire,
        crate::institution::departments::api::programs::restore,
        crate::institution::departments::api::programs::import,
        crate::institution::calendar::api::years::list,
        crate::institution::calendar::api::years::get,
        crate::institution::calendar::api::years::create,
        crate::institution::calendar::api::years::patch,
        crate::institution::calendar::api::years::delete,
        crate::institution::calendar::api::years::make_current,
        crate::institution::calendar::api::terms::list,
        crate::institution::calendar::api::terms::get,
        crate::institution::calendar::api::terms::create,
        crate::institution::calendar::api::terms::patch,
        crate::institution::calendar::api::terms::delete,
        crate::institution::calendar::api::terms::make_current,
        crate::institution::calendar::api::entries::list,
        crate::institution::calendar::api::entries::get,
        crate::institution::calendar::api::entries::create,
        crate::institution::calendar::api::entries::patch,
        crate::institution::calendar::api::entries::delete,
        crate::institution::calendar::api::periods::list,
        crate::institution::calendar::api::periods::get,
        crate::institution::calendar::api::periods::create,
        crate::institution::calendar::api::periods::patch,
        crate::institution::calendar::api::periods::delete,
        crate::identity::tokens::api::login,
        crate::identity::tokens::api::refresh,
        crate::identity::tokens::api::logout,
        crate::identity::account::api::me,
        crate::people::contact::get_api,
        crate::people::contact::patch_api,
        crate::people::contact::photo_api,
        crate::users::api::list,
        crate::users::api::create,
        crate::users::api::get,
        crate::users::api::update,
        crate::users::api::set_roles,
        crate::users::api::invite,
        crate::users::api::reset_mfa,
        crate::users::api::import,
        crate::users::api::roles,
        crate::users::api::create_role,
        crate::academics::catalog::api::list_courses,
        crate::academics::catalog::api::get_course,
        crate::academics::catalog::api::create_course,
        crate::academics::catalog::api::create_section,
        crate::academics::catalog::api::create_window,
        crate::academics::catalog::api::enrol,
        crate::academics::catalog::api::drop,
        crate::academics::catalog::api::override_enrol,
        crate::academics::catalog::api::my_enrollments,
        crate::academics::timetable::api::add_meeting,
        crate::academics::timetable::api::my_timetable,
        crate::academics::attendance::api::add_session,
        crate::academics::attendance::api::generate_sessions,
        crate::academics::attendance::api::roster,
        crate::academics::attendance::api::mark,
        crate::academics::attendance::api::my_attendance,
        crate::academics::attendance::api::children_attendance,
        crate::academics::assessment::api::create_assessment,
        crate::academics::assessment::api::enter_marks,
        crate::academics::assessment::api::my_marks,
        crate::academics::timetable::api::room_timetable,
        crate::academics::assessment::api::get_scale,
        crate::academics::assessment::api::put_scale,
        crate::academics::assessment::api::section_results,
        crate::academics::assessment::api::submit,
        crate::academics::assessment::api::publish,
        crate::academics::assessment::api::return_to_draft,
        crate::academics::assessment::api::amend,
        crate::academics::assessment::api::student_record,
        crate::academics::assessment::api::my_record,
        crate::academics::rollover::api::preview,
        crate::academics::rollover::api::run,
        crate::documents::issue::api::report_card,
        crate::documents::issue::api::transcript,
        crate::documents::issue::api::marksheet,
        crate::documents::jobs::api::create_api,
        crate::documents::jobs::api::show_api,
        crate::documents::jobs::api::download,
        crate::coursework::assignments::api::create_assignment,
        crate::coursework::assignments::api::list_assignments,
        crate::coursework::assignments::api::add_assignment_files,
        crate::coursework::assignments::api::list_submissions,
        crate::coursework::assignments::api::submit,
        crate::coursework::assignments::api::grade,
        crate::coursework::content::api::add_material,
        crate::coursework::content::api::list_materials,
        crate::coursework::content::api::add_meeting,
        crate::coursework::content::api::my_meetings,
        crate::downloads::download,
        crate::students::api::search,
        crate::students::api::profile,
        crate::students::edit::patch,
        crate::students::api::change_status,
        crate::students::import::api::import,
        crate::privacy::api::export,
        crate::staff::api::search_api,
        crate::staff::api::profile_api,
        crate::staff::record_api::create,
        crate::staff::record_api::patch,
        crate::staff::record_api::delete,
        crate::staff::record_api::retire,
        crate::staff::record_api::restore,
        crate::staff::record_api::import,
        crate::oneroster::http::import,
        crate::oneroster::http::export,
        crate::documents::id_cards::api::download,
        crate::documents::id_cards::api::add_photo,
        crate::privacy::api::erase,
        crate::achievements::api::record,
        crate::achievements::api::of_student,
        crate::achievements::api::queue,
        crate::achievements::api::decide,
        crate::achievements::api::portfolio_pdf,
        crate::achievements::api::rules,
        crate::achievements::api::set_rules,
        crate::achievements::api::organizers,
        crate::achievements::api::set_organizer,
        crate::guardians::api::portal_api,
        crate::guardians::api::request_api,
        crate::guardians::api::my_requests_api,
        crate::guardians::api::pending_api,
        crate::guardians::api::decide_api,
        crate::guardians::api::link_api,
        crate::guardians::api::unlink_api,
        crate::notices::api::list,
        crate::guidance::api::list,
        crate::enrollment::api::get_api,
        crate::admissions::intakes::api::open_intakes,
        crate::admissions::signup::api::sign_up,
        crate::admissions::applications::api::mine,
        crate::admissions::applications::api::start,
        crate::admissions::applications::api::details,
        crate::admissions::applications::api::save,
        crate::admissions::applications::api::attach,
        crate::admissions::payments::api::pay,
        crate::admissions::applications::api::submit,
        crate::admissions::applications::api::withdraw,
        crate::admissions::payments::api::callback,
        crate::admissions::payments::api::fee_received,
        crate::documents::lifecycle::api::list_api,
        crate::documents::lifecycle::api::revoke_api,
        crate::admissions::intakes::api::list_intakes,
        crate::admissions::intakes::api::create_intake,
        crate::admissions::intakes::api::merit_list,
        crate::admissions::intakes::api::of_intake,
        crate::admissions::intakes::api::allocate,
        crate::admissions::applications::api::decide,
        crate::requests::leave::api::submit_leave_api,
        crate::requests::leave::api::my_leave_api,
        crate::requests::leave::api::cancel_leave_api,
        crate::requests::leave::api::waiting_api,
        crate::requests::leave::api::decide_leave_api,
        crate::requests::tickets::api::open_ticket_api,
        crate::requests::tickets::api::tickets_api,
        crate::requests::tickets::api::ticket_api,
        crate::requests::tickets::api::comment_api,
        crate::requests::tickets::api::update_api,
        crate::enrollment::api::move_api,
        crate::enrollment::api::steps_api,
        crate::enrollment::api::set_steps_api,
        crate::guidance::api::add,
        crate::notices::api::post,
        crate::notices::api::withdraw,
        crate::platform::pages::list_api,
        crate::platform::pages::create_api,
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::web::errors::ProblemDocument, crate::error::FieldError)),
    tags(
        (name = "operations", description = "Health, readiness and metrics for operators"),
        (name = "colleges", description = "The public directory and profiles of colleges"),
        (name = "identity", description = "Sign-in with tokens, refresh, sign-out, the caller"),
        (name = "users", description = "User administration: accounts, roles, invitations, CSV import"),
        (name = "catalog", description = "Courses, prerequisites and sections"),
        (name = "registration", description = "Registration windows, enrolment, waitlists"),
        (name = "attendance", description = "Class sessions and attendance marks"),
        (name = "assessment", description = "Assessments, weights and marks"),
        (name = "results", description = "Grading scale, the results workflow, records and GPA"),
        (name = "coursework", description = "Assignments, hand-ins and grades, materials, meetings and files"),
        (name = "students", description = "Student records: search, profiles, status history"),
        (name = "achievements", description = "Achievements, reviews, activity points and the verified portfolio"),
        (name = "guardians", description = "Parent links confirmed by the college, and the parent portal"),
        (name = "notices", description = "Notices to everyone, students, parents, staff or applicants"),
        (name = "guidance", description = "Counselors' guidance notes, encrypted, every reading audited"),
        (name = "enrollment", description = "Enrollment steps and each student's progress through them"),
        (name = "requests", description = "Leave with an approval chain; support and maintenance tickets"),
        (name = "admissions", description = "Intakes, applications, fees, merit lists and seat allocation"),
        (name = "privacy", description = "A student's data as a ZIP, and erasure after the retention period"),
        (name = "interop", description = "OneRoster 1.1 and 1.2 bulk import and export"),
        (name = "staff", description = "Staff records: search and profiles"),
        (name = "documents", description = "Report cards, transcripts, mark sheets and bulk printing"),
        (name = "platform", description = "The installation's operators: colleges and their figures"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer access tokens the API takes.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/openapi.json", Access::Public, openapi_json)
        .get("/api/docs", Access::Public, docs::page)
}

/// The OpenAPI document as served: the handlers' annotations, then what every operation
/// shares (see `contract`). Made once.
pub fn document() -> &'static serde_json::Value {
    static DOCUMENT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut doc = ApiDoc::openapi();
        doc.info.version = env!("CARGO_PKG_VERSION").to_string();
        let mut value = serde_json::to_value(doc).unwrap_or_default();
        contract::finish(&mut value);
        value
    })
}

async fn openapi_json() -> Json<&'static serde_json::Value> {
    Json(document())
}
