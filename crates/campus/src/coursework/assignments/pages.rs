//! Assignment pages: posting one on a section's page (with files), and an assignment's
//! page: hand in for a student; hand-ins and grading for a teacher.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::coursework::assignments::model::{
    AssignmentView, GradeInput, NewAssignmentInput, SubmissionView,
};
use crate::coursework::assignments::queries;
use crate::coursework::model::Member;
use crate::coursework::pages::refused_on_section;
use crate::coursework::queries as coursework;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::files::uploads::{self, FileView};
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::layout::{Chrome, render};

pub async fn add_assignment(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<Response> {
    let form = match uploads::read_form(multipart, state.config.upload_limit_bytes).await {
        Ok(form) => form,
        Err(e) => return refused_on_section(&state, &principal, jar, section, e).await,
    };
    let number = |name: &str| form.text(name).trim().parse::<f64>().unwrap_or(-1.0);
    let input = NewAssignmentInput {
        title: form.text("title"),
        instructions: form.text("instructions"),
        due_at: form.text("due_at"),
        max_marks: number("max_marks"),
        weight: number("weight"),
        accept_late: !form.text("accept_late").is_empty(),
    };
    let kinds = match uploads::check_all(&form.files) {
        Ok(kinds) => kinds,
        Err(e) => return refused_on_section(&state, &principal, jar, section, e).await,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    coursework::teacher(&mut tx, &principal, section).await?;
    let created = async {
        let id = queries::create(&mut tx, &grant, &context, section, &input).await?;
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
        if !files.is_empty() {
            queries::attach(&mut tx, &context, id, &files).await?;
        }
        Ok::<_, AppError>(id)
    }
    .await;
    match created {
        Ok(id) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/assignments/{id}")).into_response())
        }
        Err(e) => {
            tx.rollback().await?;
            refused_on_section(&state, &principal, jar, section, e).await
        }
    }
}

#[derive(Template)]
#[template(path = "coursework/assignment.html")]
struct AssignmentPage {
    chrome: Chrome,
    csrf: String,
    assignment: AssignmentView,
    files: Vec<FileView>,
    teacher: bool,
    submissions: Vec<SubmissionView>,
    upload_limit: String,
    saved: bool,
    errors: Vec<FieldError>,
}

impl AssignmentPage {
    fn mine(&self) -> Option<&SubmissionView> {
        if self.teacher {
            None
        } else {
            self.submissions.first()
        }
    }
}

async fn render_assignment(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    status: StatusCode,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let section = queries::section_of(&mut tx, id).await?;
    let member = coursework::member(&mut tx, principal, section).await?;
    let student = match member {
        Member::Teacher => None,
        Member::Student(s) => Some(s),
    };
    let assignment = queries::find(&mut tx, id, student)
        .await?
        .ok_or(AppError::NotFound)?;
    let files = queries::files_of(&mut tx, id).await?;
    let submissions = match member {
        Member::Teacher => queries::submissions(&mut tx, id, None).await?,
        Member::Student(s) => queries::submissions(&mut tx, id, Some(s)).await?,
    };
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = AssignmentPage {
        chrome: Chrome::signed_in(
            assignment.title.clone(),
            principal,
            csrf.clone(),
            "/dashboard",
        ),
        csrf,
        assignment,
        files,
        teacher: member == Member::Teacher,
        submissions,
        upload_limit: format!("{} MB", state.config.upload_limit_bytes / (1024 * 1024)),
        saved: status == StatusCode::CREATED,
        errors,
    };
    let status = if status == StatusCode::CREATED {
        StatusCode::OK
    } else {
        status
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn assignment_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_assignment(&state, &principal, jar, id, StatusCode::OK, Vec::new()).await
}

async fn refused_on_assignment(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    error: AppError,
) -> AppResult<Response> {
    match error {
        AppError::Validation(errors) => {
            render_assignment(
                state,
                principal,
                jar,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
            )
            .await
        }
        AppError::Conflict(message) => {
            render_assignment(
                state,
                principal,
                jar,
                id,
                StatusCode::CONFLICT,
                vec![FieldError::new("form", message)],
            )
            .await
        }
        other => Err(other),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<Response> {
    let form = match uploads::read_form(multipart, state.config.upload_limit_bytes).await {
        Ok(form) => form,
        Err(e) => return refused_on_assignment(&state, &principal, jar, id, e).await,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let section = queries::section_of(&mut tx, id).await?;
    let Member::Student(student) = coursework::member(&mut tx, &principal, section).await? else {
        return Err(AppError::Forbidden);
    };
    let done = queries::submit(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        student,
        id,
        &form.text("body"),
        &form.files,
    )
    .await;
    match done {
        Ok(_) => {
            tx.commit().await?;
            render_assignment(&state, &principal, jar, id, StatusCode::CREATED, Vec::new()).await
        }
        Err(e) => {
            tx.rollback().await?;
            refused_on_assignment(&state, &principal, jar, id, e).await
        }
    }
}

/// The grading form of one hand-in.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct GradeForm {
    score: String,
    feedback: String,
}

pub async fn grade(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(submission): ApiPath<Uuid>,
    Form(form): Form<GradeForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let assignment = queries::assignment_of_submission(&mut tx, submission).await?;
    let assignment = assignment.ok_or(AppError::NotFound)?;
    let score = form.score.trim().parse::<f64>();
    let Ok(score) = score else {
        tx.rollback().await?;
        let errors = vec![FieldError::new("score", "must be a number")];
        return refused_on_assignment(
            &state,
            &principal,
            jar,
            assignment,
            AppError::Validation(errors),
        )
        .await;
    };
    let input = GradeInput {
        score,
        feedback: form.feedback,
    };
    match queries::grade(&mut tx, &grant, &context, submission, &input).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/assignments/{assignment}")).into_response())
        }
        Err(e) => {
            tx.rollback().await?;
            refused_on_assignment(&state, &principal, jar, assignment, e).await
        }
    }
}
