//! The attendance endpoints of the JSON API: class sessions, rosters and marks, and
//! attendance per course for students and for guardians' children.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::academics::attendance::model::{
    ChildAttendance, CourseAttendance, GenerateInput, Mark, NewSessionInput, RosterLine,
};
use crate::academics::attendance::{queries, service};
use crate::academics::catalog::api::Created;
use crate::academics::catalog::queries::student_of;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

/// Adds a class session to a section (teachers: sections they teach).
#[utoipa::path(post, path = "/api/v1/sections/{id}/sessions", tag = "attendance", request_body = NewSessionInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 201, description = "Added", body = Created),
        (status = 403, description = "Not a section the caller teaches", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_session(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewSessionInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    crate::access::reach::authorize_section(&mut tx, &grant, section).await?;
    let id = queries::add_session(&mut tx, &context, section, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The students of a session with their marks.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/roster", tag = "attendance", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The class session's id")),
    responses((status = 200, description = "The roster", body = [RosterLine])))]
pub async fn roster(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Vec<RosterLine>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let session = queries::session(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::access::reach::authorize_section(&mut tx, &grant, session.section).await?;
    let roster = queries::roster(&mut tx, id, session.section).await?;
    tx.commit().await?;
    Ok(Json(roster))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MarksInput {
    pub marks: Vec<Mark>,
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
    service::mark(&mut tx, &grant, &context, id, &input.marks).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's attendance per course (students).
#[utoipa::path(get, path = "/api/v1/me/attendance", tag = "attendance", security(("bearer" = [])),
    responses((status = 200, description = "Per course", body = [CourseAttendance])))]
pub async fn my_attendance(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<CourseAttendance>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = match student_of(&mut tx, principal.user_id).await? {
        Some(student) => queries::of_student(&mut tx, student).await?,
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
#[utoipa::path(post, path = "/api/v1/sections/{id}/sessions/generate", tag = "attendance", request_body = GenerateInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, description = "Sessions added (existing ones kept)", body = Generated),
        (status = 422, description = "Invalid dates", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn generate_sessions(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    ApiJson(input): ApiJson<GenerateInput>,
) -> AppResult<Json<Generated>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    crate::access::reach::authorize_section(&mut tx, &grant, section).await?;
    let added = queries::generate(&mut tx, &context, section, &input).await?;
    tx.commit().await?;
    Ok(Json(Generated { added }))
}

/// A guardian's children and their attendance per course.
#[utoipa::path(get, path = "/api/v1/me/children/attendance", tag = "attendance", security(("bearer" = [])),
    responses((status = 200, description = "Per child and course", body = [ChildAttendance])))]
pub async fn children_attendance(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<ChildAttendance>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = queries::of_guardian_user(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    Ok(Json(list))
}
