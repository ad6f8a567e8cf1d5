//! The catalog and registration endpoints of the JSON API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::academics::catalog::{self, CourseView, NewCourseInput, NewSectionInput, SectionView};
use crate::academics::registration::{self, EnrollmentView, NewWindowInput, Outcome};
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourseQuery {
    /// Words of the code or title.
    #[serde(default)]
    q: String,
}

/// Searches the catalog by code or title.
#[utoipa::path(get, path = "/api/v1/courses", tag = "catalog", params(CourseQuery), security(("bearer" = [])),
    responses((status = 200, description = "Matching courses", body = [CourseView])))]
pub async fn list_courses(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(q): ApiQuery<CourseQuery>,
) -> AppResult<Json<Vec<CourseView>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let courses = catalog::search(&mut tx, &q.q, 200).await?;
    tx.commit().await?;
    Ok(Json(courses))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CourseDetail {
    #[serde(flatten)]
    pub course: CourseView,
    pub sections: Vec<SectionView>,
}

/// A course with its sections.
#[utoipa::path(get, path = "/api/v1/courses/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id")),
    responses((status = 200, description = "The course", body = CourseDetail),
        (status = 404, description = "No such course", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn get_course(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<CourseDetail>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let course = catalog::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sections = catalog::sections_of(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(CourseDetail { course, sections }))
}

/// Adds a course to the catalog.
#[utoipa::path(post, path = "/api/v1/courses", tag = "catalog", request_body = NewCourseInput, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = CourseView),
        (status = 422, description = "Invalid fields", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn create_course(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<NewCourseInput>,
) -> AppResult<(StatusCode, Json<CourseView>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = catalog::create_course(&mut tx, &context, &input).await?;
    let course = catalog::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(course)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
}

/// Offers a course in a term: a section with its capacity, room and teachers.
#[utoipa::path(post, path = "/api/v1/sections", tag = "catalog", request_body = NewSectionInput, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = Created),
        (status = 422, description = "Invalid fields", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn create_section(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<NewSectionInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = catalog::create_section(&mut tx, &context, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Opens registration for a term, for everyone or one program and year.
#[utoipa::path(post, path = "/api/v1/registration-windows", tag = "registration", request_body = NewWindowInput, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = Created),
        (status = 422, description = "Invalid fields", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn create_window(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<NewWindowInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = registration::create_window(&mut tx, &context, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolAnswer {
    pub outcome: Outcome,
}

/// The caller's own student record, read in the request's transaction.
async fn own_student(conn: &mut sqlx::PgConnection, principal: &Principal) -> AppResult<Uuid> {
    let student = registration::student_of(conn, principal.user_id).await?;
    student.ok_or_else(|| {
        AppError::Validation(vec![FieldError::new(
            "student",
            "your account has no enrolled student record",
        )])
    })
}

/// Enrols the caller (a student) in a section, or puts them on its waitlist when full.
#[utoipa::path(post, path = "/api/v1/sections/{id}/enroll", tag = "registration", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, description = "Enrolled or waitlisted", body = EnrolAnswer),
        (status = 422, description = "Outside a window, missing prerequisites or over the credit limit", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already enrolled or waitlisted", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn enrol(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Json<EnrolAnswer>> {
    // Fixed-shape lookups by key: generic plans (see `begin_for_college_generic`).
    let mut tx = crate::db::begin_for_college_generic(&state.db, principal.college).await?;
    let student = own_student(&mut tx, &principal).await?;
    let outcome = registration::enrol(&mut tx, &context, student, section, None).await?;
    tx.commit().await?;
    Ok(Json(EnrolAnswer { outcome }))
}

/// Drops the caller from a section (a freed seat goes to the waitlist).
#[utoipa::path(post, path = "/api/v1/sections/{id}/drop", tag = "registration", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 204, description = "Dropped"),
        (status = 404, description = "Not enrolled in this section", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn drop(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = own_student(&mut tx, &principal).await?;
    registration::drop(&mut tx, &context, student, section).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OverrideInput {
    pub student_id: Uuid,
    /// Why the usual checks are set aside; recorded in the audit trail.
    pub reason: String,
}

/// A registrar enrols a student past the window, prerequisite and credit checks (never
/// past capacity), with a reason.
#[utoipa::path(post, path = "/api/v1/sections/{id}/override", tag = "registration", request_body = OverrideInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, description = "Enrolled or waitlisted", body = EnrolAnswer),
        (status = 422, description = "No reason given", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn override_enrol(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    ApiJson(input): ApiJson<OverrideInput>,
) -> AppResult<Json<EnrolAnswer>> {
    let reason = input.reason.trim();
    if !(3..=500).contains(&reason.chars().count()) {
        return Err(AppError::Validation(vec![FieldError::new(
            "reason",
            "say why, in 3 to 500 characters",
        )]));
    }
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student: bool = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM students WHERE id = $1) AS \"v!\"",
        input.student_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if !student {
        return Err(AppError::Validation(vec![FieldError::new(
            "student_id",
            "is not a student of this college",
        )]));
    }
    let outcome =
        registration::enrol(&mut tx, &context, input.student_id, section, Some(reason)).await?;
    tx.commit().await?;
    Ok(Json(EnrolAnswer { outcome }))
}

/// The caller's enrolments and waitlist places.
#[utoipa::path(get, path = "/api/v1/me/enrollments", tag = "registration", security(("bearer" = [])),
    responses((status = 200, description = "Enrolments", body = [EnrollmentView])))]
pub async fn my_enrollments(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<EnrollmentView>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = own_student(&mut tx, &principal).await?;
    let list = registration::of_student(&mut tx, student).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Adds a weekly meeting (day, time, room) to a section; a room or teacher booked twice
/// at once is refused with the clash named.
#[utoipa::path(post, path = "/api/v1/sections/{id}/meetings", tag = "catalog", request_body = crate::academics::timetable::NewMeetingInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 201, description = "Added", body = Created),
        (status = 422, description = "Invalid time, or a clash (named)", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_meeting(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    ApiJson(input): ApiJson<crate::academics::timetable::NewMeetingInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = crate::academics::timetable::add_meeting(&mut tx, &context, section, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The caller's week: as a student, the sections they are enrolled in; as a teacher, the
/// sections they teach.
#[utoipa::path(get, path = "/api/v1/me/timetable", tag = "registration", security(("bearer" = [])),
    responses((status = 200, description = "Weekly meetings", body = [crate::academics::timetable::Slot])))]
pub async fn my_timetable(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<crate::academics::timetable::Slot>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let slots = crate::academics::timetable::week_of(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    Ok(Json(slots))
}

/// Adds a class session to a section (teachers: sections they teach).
#[utoipa::path(post, path = "/api/v1/sections/{id}/sessions", tag = "attendance", request_body = crate::academics::attendance::NewSessionInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 201, description = "Added", body = Created),
        (status = 403, description = "Not a section the caller teaches", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_session(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    ApiJson(input): ApiJson<crate::academics::attendance::NewSessionInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    crate::access::reach::authorize_section(&mut tx, &grant, section).await?;
    let id = crate::academics::attendance::add_session(&mut tx, &context, section, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The students of a session with their marks.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/roster", tag = "attendance", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The class session's id")),
    responses((status = 200, description = "The roster", body = [crate::academics::attendance::RosterLine])))]
pub async fn roster(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Vec<crate::academics::attendance::RosterLine>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let session = crate::academics::attendance::session(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::access::reach::authorize_section(&mut tx, &grant, session.section).await?;
    let roster = crate::academics::attendance::roster(&mut tx, id, session.section).await?;
    tx.commit().await?;
    Ok(Json(roster))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MarksInput {
    pub marks: Vec<crate::academics::attendance::Mark>,
}

/// Marks a whole session in one request.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/attendance", tag = "attendance", request_body = MarksInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The class session's id")),
    responses((status = 204, description = "Recorded"),
        (status = 422, description = "A student not in the section, or an unknown status; nothing recorded", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Marking closed for this session", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn mark(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<MarksInput>,
) -> AppResult<StatusCode> {
    let mut tx = crate::db::begin_for_college_generic(&state.db, principal.college).await?;
    crate::academics::attendance::mark(&mut tx, &grant, &context, id, &input.marks).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's attendance per course (students).
#[utoipa::path(get, path = "/api/v1/me/attendance", tag = "attendance", security(("bearer" = [])),
    responses((status = 200, description = "Per course", body = [crate::academics::attendance::CourseAttendance])))]
pub async fn my_attendance(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<crate::academics::attendance::CourseAttendance>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = match registration::student_of(&mut tx, principal.user_id).await? {
        Some(student) => crate::academics::attendance::of_student(&mut tx, student).await?,
        None => Vec::new(),
    };
    tx.commit().await?;
    Ok(Json(list))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Generated {
    pub added: u64,
}

/// Creates the section's class sessions from its timetable between two dates.
#[utoipa::path(post, path = "/api/v1/sections/{id}/sessions/generate", tag = "attendance", request_body = crate::academics::attendance::GenerateInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, description = "Sessions added (existing ones kept)", body = Generated),
        (status = 422, description = "Invalid dates", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn generate_sessions(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    ApiJson(input): ApiJson<crate::academics::attendance::GenerateInput>,
) -> AppResult<Json<Generated>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    crate::access::reach::authorize_section(&mut tx, &grant, section).await?;
    let added = crate::academics::attendance::generate(&mut tx, &context, section, &input).await?;
    tx.commit().await?;
    Ok(Json(Generated { added }))
}

/// A guardian's children and their attendance per course.
#[utoipa::path(get, path = "/api/v1/me/children/attendance", tag = "attendance", security(("bearer" = [])),
    responses((status = 200, description = "Per child and course", body = [crate::academics::attendance::ChildAttendance])))]
pub async fn children_attendance(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<crate::academics::attendance::ChildAttendance>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = crate::academics::attendance::of_guardian_user(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Adds an assessment to a section (teachers: sections they teach).
#[utoipa::path(post, path = "/api/v1/sections/{id}/assessments", tag = "assessment", request_body = crate::academics::assessment::NewAssessmentInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 201, description = "Created", body = Created),
        (status = 422, description = "Invalid fields, or weights over 100%", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn create_assessment(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    ApiJson(input): ApiJson<crate::academics::assessment::NewAssessmentInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id =
        crate::academics::assessment::create(&mut tx, &grant, &context, section, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MarksEntry {
    pub marks: Vec<crate::academics::assessment::MarkInput>,
}

/// Enters an assessment's marks in one request; all valid or nothing recorded.
#[utoipa::path(put, path = "/api/v1/assessments/{id}/marks", tag = "assessment", request_body = MarksEntry, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The assessment's id")),
    responses((status = 204, description = "Recorded"),
        (status = 422, description = "A mark out of range or a student not in the section; nothing recorded", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn enter_marks(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<MarksEntry>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    crate::academics::assessment::enter(&mut tx, &grant, &context, id, &input.marks).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's marks (students).
#[utoipa::path(get, path = "/api/v1/me/marks", tag = "assessment", security(("bearer" = [])),
    responses((status = 200, description = "Marks by assessment", body = [crate::academics::assessment::CourseMarks])))]
pub async fn my_marks(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<crate::academics::assessment::CourseMarks>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = match registration::student_of(&mut tx, principal.user_id).await? {
        Some(student) => crate::academics::assessment::of_student(&mut tx, student).await?,
        None => Vec::new(),
    };
    tx.commit().await?;
    Ok(Json(list))
}

/// A room's week: meetings of current terms held in it.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/timetable", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The room's id")),
    responses((status = 200, description = "Weekly slots", body = [crate::academics::timetable::Slot])))]
pub async fn room_timetable(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(room): ApiPath<Uuid>,
) -> AppResult<Json<Vec<crate::academics::timetable::Slot>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let exists: bool = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM rooms WHERE id = $1) AS \"v!\"",
        room
    )
    .fetch_one(&mut *tx)
    .await?;
    if !exists {
        return Err(AppError::NotFound);
    }
    let slots = crate::academics::timetable::of_room(&mut tx, room).await?;
    tx.commit().await?;
    Ok(Json(slots))
}
