//! Enrollment progress pages: the student's own progress (kept current live), a
//! student's progress with the registrar's "record a step" form, and the college's steps.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::achievements::queries::student_of_user;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::enrollment::model::{MoveInput, Progress, StepInput, topic};
use crate::enrollment::queries;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

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
    let progress = queries::of_student(&mut tx, student).await?;
    let name = queries::student_name(&mut tx, student).await?;
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
        topic(student),
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
    let result = queries::record(&mut tx, &context, student, &input).await;
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
            let steps = queries::steps(&mut tx).await?;
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
    let result = queries::set_steps(&mut tx, &context, &steps).await;
    form::settle(&state, tx, result)
        .done(|()| Done::to("/enrollment/steps").message("Enrollment steps saved."))
        .again(async |errors| render_steps(&state, &principal, jar, Some(text), errors).await)
        .await
}
