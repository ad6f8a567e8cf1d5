//! The assessment endpoints of the JSON API: assessments and marks, the grading scale,
//! a section's results and their workflow, and students' records.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::academics::assessment::grading::{Band, Scale};
use crate::academics::assessment::model::{
    AmendmentInput, CourseMarks, MarkInput, NewAssessmentInput, Record, SectionResults,
    StudentResult,
};
use crate::academics::assessment::{queries, results, service};
use crate::academics::catalog::api::Created;
use crate::academics::catalog::queries::student_of;
use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_section;
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

/// Adds an assessment to a section (teachers: sections they teach).
#[utoipa::path(post, path = "/api/v1/sections/{id}/assessments", tag = "assessment", request_body = NewAssessmentInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 201, description = "Created", body = Created),
        (status = 409, description = "The section's results are submitted or published: they are changed by amendment", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or weights over 100%", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn create_assessment(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewAssessmentInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = queries::create(&mut tx, &grant, &context, section, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MarksEntry {
    pub marks: Vec<MarkInput>,
}

/// Enters an assessment's marks in one request; all valid or nothing recorded.
#[utoipa::path(put, path = "/api/v1/assessments/{id}/marks", tag = "assessment", request_body = MarksEntry, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The assessment's id")),
    responses((status = 204, description = "Recorded"),
        (status = 409, description = "The section's results are submitted or published: they are changed by amendment", body = ProblemDocument, content_type = "application/problem+json"),
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
    queries::enter(&mut tx, &grant, &context, id, &input.marks).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's marks (students).
#[utoipa::path(get, path = "/api/v1/me/marks", tag = "assessment", security(("bearer" = [])),
    responses((status = 200, description = "Marks by assessment", body = [CourseMarks])))]
pub async fn my_marks(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<CourseMarks>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = match student_of(&mut tx, principal.user_id).await? {
        Some(student) => queries::of_student(&mut tx, student).await?,
        None => Vec::new(),
    };
    tx.commit().await?;
    Ok(Json(list))
}

/// The college's grading scale (the built-in ten-point scale until it sets its own).
#[utoipa::path(get, path = "/api/v1/grading-scale", tag = "results", security(("bearer" = [])),
    responses((status = 200, description = "Bands, highest first", body = Scale)))]
pub async fn get_scale(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Scale>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let scale = results::scale(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(scale))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ScaleInput {
    pub bands: Vec<Band>,
}

/// Replaces the grading scale. Results already graded keep their grades.
#[utoipa::path(put, path = "/api/v1/grading-scale", tag = "results", request_body = ScaleInput, security(("bearer" = [])),
    responses((status = 200, description = "The new scale", body = Scale),
        (status = 422, description = "Gaps, inversions or bad values, each named", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn put_scale(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<ScaleInput>,
) -> AppResult<Json<Scale>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let scale = results::replace_scale(&mut tx, &context, input.bands).await?;
    tx.commit().await?;
    Ok(Json(scale))
}

/// A section's results: computed from the marks while a draft, as stored once submitted.
#[utoipa::path(get, path = "/api/v1/sections/{id}/results", tag = "results", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, description = "Status, completeness and grades", body = SectionResults)))]
pub async fn section_results(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Json<SectionResults>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_section(&mut tx, &grant, section).await?;
    let results = results::of_section(&mut tx, section).await?;
    tx.commit().await?;
    Ok(Json(results))
}

/// The teacher submits a section's results (assessments weigh 100%, every mark entered).
#[utoipa::path(post, path = "/api/v1/sections/{id}/results/submit", tag = "results", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, description = "Submitted, with the grades", body = SectionResults),
        (status = 409, description = "Already submitted or published", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Weights not 100% or marks missing", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Json<SectionResults>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let results = results::submit(&mut tx, &grant, &context, section).await?;
    tx.commit().await?;
    Ok(Json(results))
}

/// Publishes submitted results; they are locked from then on.
#[utoipa::path(post, path = "/api/v1/sections/{id}/results/publish", tag = "results", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 204, description = "Published"),
        (status = 409, description = "Not submitted", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn publish(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_section(&mut tx, &grant, section).await?;
    results::publish(&mut tx, &context, section).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReasonInput {
    pub reason: String,
}

/// Returns submitted results to the teacher as a draft, with a reason.
#[utoipa::path(post, path = "/api/v1/sections/{id}/results/return", tag = "results", request_body = ReasonInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 204, description = "Back to draft"),
        (status = 409, description = "Not submitted", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn return_to_draft(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_section(&mut tx, &grant, section).await?;
    results::return_to_draft(&mut tx, &context, section, &input.reason).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes one mark of published results, with a reason; the student is regraded and
/// the change audited.
#[utoipa::path(post, path = "/api/v1/sections/{id}/results/amend", tag = "results", request_body = AmendmentInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, description = "The student's new result", body = StudentResult),
        (status = 409, description = "Not published", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No reason, a score out of range, or not the section's", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn amend(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    ApiJson(input): ApiJson<AmendmentInput>,
) -> AppResult<Json<StudentResult>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_section(&mut tx, &grant, section).await?;
    let result = service::amend(&mut tx, &context, section, &input).await?;
    tx.commit().await?;
    Ok(Json(result))
}

/// A student's published record: terms, grades, term and cumulative GPA. Students see
/// their own, guardians their children's, staff as far as their scope reaches.
#[utoipa::path(get, path = "/api/v1/students/{id}/record", tag = "results", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The student's id")),
    responses((status = 200, description = "The record", body = Record),
        (status = 403, description = "Not a student this account may see", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn student_record(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Json<Record>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let record = results::record_of(&mut tx, student).await?;
    tx.commit().await?;
    Ok(Json(record))
}

/// The caller's own published record (students).
#[utoipa::path(get, path = "/api/v1/me/record", tag = "results", security(("bearer" = [])),
    responses((status = 200, description = "The record", body = Record)))]
pub async fn my_record(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Record>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = student_of(&mut tx, principal.user_id)
        .await?
        .ok_or_else(|| {
            AppError::Validation(vec![FieldError::new(
                "student",
                "your account has no student record",
            )])
        })?;
    let record = results::record_of(&mut tx, student).await?;
    tx.commit().await?;
    Ok(Json(record))
}
