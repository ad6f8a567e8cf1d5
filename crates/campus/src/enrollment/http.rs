//! Enrollment progress in pages and the JSON API.

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::achievements::model::student_of_user;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::enrollment::progress::{self, MoveInput, Progress, Step, StepInput};
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

/// A student's enrollment progress: the college's steps, the current one, the history.
#[utoipa::path(get, path = "/api/v1/students/{id}/enrollment", tag = "enrollment", params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 200, description = "Steps and history", body = Progress),
        (status = 403, description = "Not a student this account may see", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn get_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Json<Progress>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let progress = progress::of_student(&mut tx, student).await?;
    tx.commit().await?;
    Ok(Json(progress))
}

/// Moves a student's enrollment to a step, with a remark; the student sees it at once.
#[utoipa::path(post, path = "/api/v1/students/{id}/enrollment", tag = "enrollment", request_body = MoveInput, params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 204, description = "Recorded"),
        (status = 422, description = "Not one of the college's steps, or a remark too long", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn move_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
    ApiJson(input): ApiJson<MoveInput>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    progress::record(&mut tx, &context, student, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The college's enrollment steps in order.
#[utoipa::path(get, path = "/api/v1/enrollment-steps", tag = "enrollment", security(("bearer" = [])),
    responses((status = 200, description = "In order", body = [Step])))]
pub async fn steps_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Step>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let steps = progress::steps(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(steps))
}

/// Replaces the college's steps (in order); steps left out are retired.
#[utoipa::path(put, path = "/api/v1/enrollment-steps", tag = "enrollment", request_body = [StepInput], security(("bearer" = [])),
    responses((status = 204, description = "Saved"),
        (status = 422, description = "No steps, too many, a name twice or of a bad length", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn set_steps_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(steps): ApiJson<Vec<StepInput>>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    progress::set_steps(&mut tx, &context, &steps).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Template)]
#[template(path = "enrollment/progress.html")]
struct ProgressView {
    chrome: Chrome,
    csrf: String,
    name: String,
    progress: Progress,
    /// The student's own page follows changes live.
    live: bool,
    can_move: bool,
    errors: Vec<FieldError>,
}

async fn render_progress(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    student: Uuid,
    live: bool,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    if !live {
        let grant = principal
            .grant(Permission::StudentsRead)
            .ok_or(AppError::Forbidden)?;
        authorize_student(&mut tx, &grant, student).await?;
    }
    let progress = progress::of_student(&mut tx, student).await?;
    let name: String = sqlx::query_scalar!(
        "SELECT first_name || ' ' || last_name AS \"v!\" FROM students WHERE id = $1",
        student
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = ProgressView {
        chrome: Chrome::signed_in(
            "Enrollment progress",
            principal,
            csrf.clone(),
            if live { "/enrollment" } else { "/students" },
        ),
        csrf,
        name,
        progress,
        live,
        can_move: !live && principal.can(Permission::EnrollmentProgress),
        errors,
    };
    Ok((status, jar, render(&view)?).into_response())
}

/// The signed-in student's own progress, kept current live.
pub async fn mine(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = student_of_user(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    render_progress(&state, &principal, jar, student, true, Vec::new()).await
}

/// Server-sent events telling the student's page that their progress changed.
pub async fn events(State(state): State<AppState>, principal: Principal) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = student_of_user(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    let recheck = crate::identity::signin::authenticate::recheck(
        &state,
        &principal,
        move |state, now| async move {
            let mut tx = begin_for_college(&state.db, now.college).await?;
            let still = student_of_user(&mut tx, now.user_id).await?;
            tx.commit().await?;
            Ok(still == student)
        },
    );
    Ok(crate::live::changes(
        &state,
        principal.college,
        progress::topic(student),
        recheck,
    ))
}

pub async fn of_student(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_progress(&state, &principal, jar, student, false, Vec::new()).await
}

/// The "record an enrollment step" form: the step reached and a remark.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct MoveForm {
    step_id: String,
    remark: String,
}

pub async fn move_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    let Ok(step_id) = Uuid::parse_str(form.step_id.trim()) else {
        let errors = vec![FieldError::new("step_id", "choose a step")];
        return render_progress(&state, &principal, jar, student, false, errors).await;
    };
    let input = MoveInput {
        step_id,
        remark: form.remark,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let result = progress::record(&mut tx, &context, student, &input).await;
    form::settle(&state, tx, result)
        .done(|()| {
            Done::to(format!("/students/{student}/enrollment")).message("Enrollment step recorded.")
        })
        .again(async |errors| {
            render_progress(&state, &principal, jar, student, false, errors).await
        })
        .await
}

#[derive(Template)]
#[template(path = "enrollment/steps.html")]
struct StepsView {
    chrome: Chrome,
    csrf: String,
    lines: String,
    errors: Vec<FieldError>,
}

async fn render_steps(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    lines: Option<String>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let lines = match lines {
        Some(lines) => lines,
        None => {
            let mut tx = begin_for_college(&state.db, principal.college).await?;
            let steps = progress::steps(&mut tx).await?;
            tx.commit().await?;
            steps
                .iter()
                .map(|s| {
                    if s.description.is_empty() {
                        s.name.clone()
                    } else {
                        format!("{} | {}", s.name, s.description)
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = StepsView {
        chrome: Chrome::signed_in("Enrollment steps", principal, csrf.clone(), "/students"),
        csrf,
        lines,
        errors,
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn steps_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_steps(&state, &principal, jar, None, Vec::new()).await
}

/// The enrollment steps form: one textarea, one step per line.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct StepsForm {
    steps: String,
}

/// One step per line: `Name` or `Name | description`.
pub async fn save_steps_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<StepsForm>,
) -> AppResult<Response> {
    let text = form.steps;
    let steps: Vec<StepInput> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| match line.split_once('|') {
            Some((name, description)) => StepInput {
                name: name.trim().to_string(),
                description: description.trim().to_string(),
            },
            None => StepInput {
                name: line.trim().to_string(),
                description: String::new(),
            },
        })
        .collect();
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = progress::set_steps(&mut tx, &context, &steps).await;
    form::settle(&state, tx, result)
        .done(|()| Done::to("/enrollment/steps").message("Enrollment steps saved."))
        .again(async |errors| render_steps(&state, &principal, jar, Some(text), errors).await)
        .await
}
