//! The catalog and registration endpoints of the JSON API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::academics::catalog::model::{
    CourseView, EnrollmentView, NewCourseInput, NewSectionInput, NewWindowInput, Outcome,
    SectionView,
};
use crate::academics::catalog::queries::{self, own_student};
use crate::academics::catalog::service;
use crate::access::principal::Principal;
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
    let courses = queries::search(&mut tx, &q.q, 200).await?;
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
    let course = queries::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sections = queries::sections_of(&mut tx, id).await?;
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
    let id = queries::create_course(&mut tx, &context, &input).await?;
    let course = queries::find(&mut tx, id)
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
    let id = queries::create_section(&mut tx, &context, &input).await?;
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
    let id = queries::create_window(&mut tx, &context, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolAnswer {
    pub outcome: Outcome,
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
    let outcome = service::enrol(&mut tx, &context, student, section, None).await?;
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
    service::drop(&mut tx, &context, student, section).await?;
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
    let student = queries::student_exists(&mut tx, input.student_id).await?;
    if !student {
        return Err(AppError::Validation(vec![FieldError::new(
            "student_id",
            "is not a student of this college",
        )]));
    }
    let outcome =
        service::enrol(&mut tx, &context, input.student_id, section, Some(reason)).await?;
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
    let list = queries::of_student(&mut tx, student).await?;
    tx.commit().await?;
    Ok(Json(list))
}
