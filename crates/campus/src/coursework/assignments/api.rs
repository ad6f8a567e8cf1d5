//! The assignment endpoints of the JSON API: assignments and their files, hand-ins and
//! grades. Uploads are `multipart/form-data`.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::coursework::assignments::model::{
    AssignmentView, GradeInput, NewAssignmentInput, SubmissionView,
};
use crate::coursework::assignments::queries;
use crate::coursework::model::{Member, UploadForm};
use crate::coursework::queries as coursework;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::files::uploads;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

/// Posts an assignment to a section; it becomes an assessment of kind `assignment`.
#[utoipa::path(post, path = "/api/v1/sections/{id}/assignments", tag = "coursework", request_body = NewAssignmentInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 201, description = "Created", body = Created),
        (status = 403, description = "Not a teacher of this section", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Bad fields, or weights over 100%", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn create_assignment(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewAssignmentInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    coursework::teacher(&mut tx, &principal, section).await?;
    let id = queries::create(&mut tx, &grant, &context, section, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A section's assignments; for a student, with their own hand-in.
#[utoipa::path(get, path = "/api/v1/sections/{id}/assignments", tag = "coursework", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, description = "Assignments, soonest due first", body = [AssignmentView])))]
pub async fn list_assignments(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Json<Vec<AssignmentView>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = match coursework::member(&mut tx, &principal, section).await? {
        Member::Teacher => None,
        Member::Student(s) => Some(s),
    };
    let list = queries::of_section(&mut tx, section, student).await?;
    tx.commit().await?;
    Ok(Json(list))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FilesAdded {
    pub files: Vec<Uuid>,
}

/// Attaches files to an assignment (multipart, field `file`).
#[utoipa::path(post, path = "/api/v1/assignments/{id}/files", tag = "coursework", request_body(content = UploadForm, content_type = "multipart/form-data"), security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The assignment's id")),
    responses((status = 201, description = "Attached", body = FilesAdded),
        (status = 422, description = "A refused type, a file not what its name says, or over the size limit", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_assignment_files(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(assignment): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<(StatusCode, Json<FilesAdded>)> {
    let form = uploads::read_form(multipart, state.config.upload_limit_bytes).await?;
    if form.files.is_empty() {
        return Err(AppError::Validation(vec![crate::error::FieldError::new(
            "file",
            "attach at least one file",
        )]));
    }
    let kinds = uploads::check_all(&form.files)?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let section = queries::section_of(&mut tx, assignment).await?;
    coursework::teacher(&mut tx, &principal, section).await?;
    let mut files = Vec::new();
    for (upload, kind) in form.files.iter().zip(kinds) {
        files.push(
            uploads::store(
                &mut tx,
                &state.files,
                principal.college,
                Some(principal.user_id),
                upload,
                kind,
            )
            .await?,
        );
    }
    queries::attach(&mut tx, &context, assignment, &files).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(FilesAdded { files })))
}

/// An assignment's hand-ins: all of them for its teachers, the caller's own for a student.
#[utoipa::path(get, path = "/api/v1/assignments/{id}/submissions", tag = "coursework", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The assignment's id")),
    responses((status = 200, description = "Submissions with their files", body = [SubmissionView])))]
pub async fn list_submissions(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(assignment): ApiPath<Uuid>,
) -> AppResult<Json<Vec<SubmissionView>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let section = queries::section_of(&mut tx, assignment).await?;
    let only = match coursework::member(&mut tx, &principal, section).await? {
        Member::Teacher => None,
        Member::Student(s) => Some(s),
    };
    let list = queries::submissions(&mut tx, assignment, only).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Hands work in: the answer as field `body` and files as `file` (multipart). Again
/// replaces the earlier hand-in until it is graded.
#[utoipa::path(put, path = "/api/v1/assignments/{id}/submission", tag = "coursework", request_body(content = UploadForm, content_type = "multipart/form-data"), security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The assignment's id")),
    responses((status = 201, description = "Handed in", body = Created),
        (status = 409, description = "Already graded", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Empty, late when late work is refused, or a refused file", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(assignment): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<(StatusCode, Json<Created>)> {
    let form = uploads::read_form(multipart, state.config.upload_limit_bytes).await?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let section = queries::section_of(&mut tx, assignment).await?;
    let Member::Student(student) = coursework::member(&mut tx, &principal, section).await? else {
        return Err(AppError::Forbidden);
    };
    let id = queries::submit(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        student,
        assignment,
        &form.text("body"),
        &form.files,
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Grades a hand-in with feedback; the score becomes the student's mark.
#[utoipa::path(put, path = "/api/v1/submissions/{id}/grade", tag = "coursework", request_body = GradeInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    responses((status = 204, description = "Graded"),
        (status = 409, description = "The section's results are submitted or published", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A score out of range", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn grade(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(submission): ApiPath<Uuid>,
    ApiJson(input): ApiJson<GradeInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::grade(&mut tx, &grant, &context, submission, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
