//! Enrollment progress pages: the student's own progress (kept current live), a
//! student's progress with the registrar's "record a step" form, and the college's steps.
//! Each form done goes back to its page saying what happened; a refused one comes back
//! (422) with its messages by field and what was typed.

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
use crate::web::form::{self, Done, Errors};
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
    /// What was typed in the "move to a step" form: the step chosen and the remark.
    step_id: String,
    remark: String,
    errors: Errors,
}

/// The "move to a step" form as typed: (step, remark).
type Moved = (String, String);

async fn render_progress(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    student: Uuid,
    live: bool,
    again: Option<(Moved, Vec<FieldError>)>,
) -> AppResult<Response> {
    let ((step_id, remark), errors) = again.unwrap_or_default();
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
        step_id,
        remark,
        errors: errors.into(),
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
    render_progress(&state, &principal, jar, student, true, None).await
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
    render_progress(&state, &principal, jar, student, false, None).await
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
    Form(sent): Form<MoveForm>,
) -> AppResult<Response> {
    let typed = (sent.step_id, sent.remark);
    let Ok(step_id) = Uuid::parse_str(typed.0.trim()) else {
        let errors = vec![FieldError::new("step_id", "choose a step")];
        let again = Some((typed, errors));
        return render_progress(&state, &principal, jar, student, false, again).await;
    };
    let input = MoveInput {
        step_id,
        remark: typed.1.clone(),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let result = queries::record(&mut tx, &context, student, &input).await;
    form::settle(&state, tx, result)
        .done(|()| {
            Done::to(format!("/students/{student}/enrollment")).message("Enrollment step recorded.")
        })
        .again(async |errors| {
            render_progress(
                &state,
                &principal,
                jar,
                student,
                false,
                Some((typed, errors)),
            )
            .await
        })
        .await
}

#[derive(Template)]
#[template(path = "enrollment/steps.html")]
struct StepsView {
    chrome: Chrome,
    csrf: String,
    lines: String,
    errors: Errors,
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
        errors: errors.into(),
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
    Form(sent): Form<StepsForm>,
) -> AppResult<Response> {
    let text = sent.steps;
    // The line (1-based) of each step, for the messages.
    let numbers: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, _)| i + 1)
        .collect();
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
        .again(async |errors| {
            let errors = on_lines(errors, &numbers);
            render_steps(&state, &principal, jar, Some(text), errors).await
        })
        .await
}

/// The steps list's errors (`steps[2].name`) as messages of its one box, each naming the
/// line it is about (`line 3: must be 2 to 100 characters`).
fn on_lines(errors: Vec<FieldError>, numbers: &[usize]) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| {
            let line = e
                .field
                .strip_prefix("steps[")
                .and_then(|rest| rest.split(']').next())
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| numbers.get(i));
            let message = match line {
                Some(line) => format!("line {line}: {}", e.message),
                None => e.message,
            };
            FieldError::new("steps", message)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::on_lines;
    use crate::error::FieldError;

    #[test]
    fn step_errors_name_their_line() {
        let errors = vec![
            FieldError::new("steps[1].name", "must be 2 to 100 characters"),
            FieldError::new("steps", "give 1 to 20 steps"),
        ];
        let shown = on_lines(errors, &[1, 3]);
        assert_eq!(shown[0].field, "steps");
        assert_eq!(shown[0].message, "line 3: must be 2 to 100 characters");
        assert_eq!(shown[1].message, "give 1 to 20 steps");
    }
}
