//! A teacher's page for one section: its sessions (to mark) and assessments (to enter
//! marks), with forms to add either; and the marks-entry grid of an assessment.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::academics::assessment::model::{
    AssessmentLine, GridLine, MarkInput, NewAssessmentInput,
};
use crate::academics::assessment::queries;
use crate::academics::attendance;
use crate::academics::attendance::model::{NewSessionInput, SessionAttendance, SessionLine};
use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};
use crate::web::{chart, csrf};

/// The kinds of assessment, as stored.
const KINDS: [&str; 4] = ["exam", "quiz", "assignment", "practical"];

/// The "add a session" form, as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct SessionForm {
    held_on: String,
    starts: String,
    ends: String,
}

/// The "add an assessment" form, as typed.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default)]
pub struct AssessmentForm {
    name: String,
    kind: String,
    weight: String,
    max_marks: String,
}

impl Default for AssessmentForm {
    fn default() -> AssessmentForm {
        AssessmentForm {
            name: String::new(),
            kind: "exam".into(),
            weight: String::new(),
            max_marks: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "academics/teach.html")]
struct TeachPage {
    chrome: Chrome,
    csrf: String,
    section: Uuid,
    title: String,
    sessions: Vec<SessionLine>,
    /// The section's attendance per session against the college's minimum; `None`
    /// before any session is marked.
    attendance_chart: Option<String>,
    assessments: Vec<AssessmentLine>,
    kinds: [&'static str; 4],
    session: SessionForm,
    session_errors: Errors,
    assessment: AssessmentForm,
    assessment_errors: Errors,
}

/// The teaching page's two forms as typed, and the errors of the one that was sent.
#[derive(Default)]
struct TeachForms {
    session: SessionForm,
    session_errors: Vec<FieldError>,
    assessment: AssessmentForm,
    assessment_errors: Vec<FieldError>,
}

/// The section's attendance per marked session as columns over the term, with the
/// college's minimum drawn across.
fn session_chart(sessions: &[SessionAttendance], threshold: i16) -> String {
    let columns: Vec<chart::Column> = sessions
        .iter()
        .map(|s| {
            let month = s.held_on.month().to_string();
            chart::Column {
                label: format!("{} {}", s.held_on.day(), month.get(..3).unwrap_or(&month)),
                percent: s.percent(),
                note: format!(
                    "{}, {}% present or late ({} of {})",
                    crate::academics::timetable::model::show_time(s.start_minute),
                    s.percent(),
                    s.attended,
                    s.marked
                ),
            }
        })
        .collect();
    chart::percent_columns(
        "Attendance per session",
        &columns,
        Some(f64::from(threshold)),
    )
}

async fn render_page(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    section: Uuid,
    forms: TeachForms,
) -> AppResult<Response> {
    let grant = principal
        .grant(Permission::AttendanceMark)
        .ok_or(AppError::Forbidden)?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    crate::access::reach::authorize_section(&mut tx, &grant, section).await?;
    let title = queries::section_title(&mut tx, section).await?;
    let sessions = attendance::queries::sessions_of_section(&mut tx, section).await?;
    let by_session = attendance::queries::attendance_by_session(&mut tx, section).await?;
    let attendance_chart = if by_session.is_empty() {
        None
    } else {
        let threshold = attendance::panels::threshold(&mut tx).await?;
        Some(session_chart(&by_session, threshold))
    };
    let assessments = queries::assessments_of_section(&mut tx, section).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = TeachPage {
        chrome: Chrome::signed_in(title.clone(), principal, csrf.clone(), "/dashboard"),
        csrf,
        section,
        title,
        sessions,
        attendance_chart,
        assessments,
        kinds: KINDS,
        session: forms.session,
        session_errors: forms.session_errors.into(),
        assessment: forms.assessment,
        assessment_errors: forms.assessment_errors.into(),
    };
    Ok((jar, render(&page)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_page(&state, &principal, jar, section, TeachForms::default()).await
}

/// `2026-12-07` as `7 Dec 2026`, or as typed when it is not a date.
fn day_in_words(typed: &str) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(typed.trim(), &format)
        .map_or_else(|_| typed.trim().to_string(), crate::web::time::day)
}

pub async fn add_session(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
    Form(typed): Form<SessionForm>,
) -> AppResult<Response> {
    let input = NewSessionInput {
        held_on: typed.held_on.clone(),
        starts: typed.starts.clone(),
        ends: typed.ends.clone(),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    crate::access::reach::authorize_section(&mut tx, &grant, section).await?;
    let result = attendance::queries::add_session(&mut tx, &context, section, &input).await;
    let said = format!(
        "Session added on {}, {}–{}",
        day_in_words(&input.held_on),
        input.starts.trim(),
        input.ends.trim()
    );
    form::settle(&state, tx, result)
        .done(|_| Done::to(format!("/sections/{section}/teach")).message(said))
        .again(async |errors| {
            let forms = TeachForms {
                session: typed,
                session_errors: errors,
                ..TeachForms::default()
            };
            render_page(&state, &principal, jar, section, forms).await
        })
        .await
}

pub async fn add_assessment(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
    Form(typed): Form<AssessmentForm>,
) -> AppResult<Response> {
    // A number that cannot be read is named as such, and not again by the range checks.
    let mut unreadable = Vec::new();
    let mut number = |field: &'static str, value: &str| {
        value.trim().parse::<f64>().unwrap_or_else(|_| {
            unreadable.push(FieldError::new(
                field,
                "must be a number such as 10 or 12.5",
            ));
            -1.0
        })
    };
    let input = NewAssessmentInput {
        name: typed.name.clone(),
        kind: typed.kind.clone(),
        weight: number("weight", &typed.weight),
        max_marks: number("max_marks", &typed.max_marks),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let created = queries::create(&mut tx, &grant, &context, section, &input).await;
    let result = match (created, unreadable.is_empty()) {
        (Ok(id), true) => Ok(id),
        (Ok(_), false) => Err(AppError::Validation(unreadable)),
        (Err(AppError::Validation(errors)), _) => {
            let named: Vec<String> = unreadable.iter().map(|e| e.field.clone()).collect();
            Err(AppError::Validation(
                unreadable
                    .into_iter()
                    .chain(errors.into_iter().filter(|e| !named.contains(&e.field)))
                    .collect(),
            ))
        }
        (Err(other), _) => Err(other),
    };
    let said = format!(
        "Assessment {} added: {}% of the grade, out of {}",
        input.name.trim(),
        input.weight,
        input.max_marks
    );
    form::settle(&state, tx, result)
        .conflict_on("assessments")
        .done(|_| Done::to(format!("/sections/{section}/teach")).message(said))
        .again(async |errors| {
            let forms = TeachForms {
                assessment: typed,
                assessment_errors: errors,
                ..TeachForms::default()
            };
            render_page(&state, &principal, jar, section, forms).await
        })
        .await
}

#[derive(Template)]
#[template(path = "academics/marks.html")]
struct MarksPage {
    chrome: Chrome,
    csrf: String,
    assessment: Uuid,
    section: Uuid,
    title: String,
    max_marks: f64,
    lines: Vec<GridLine>,
    /// The grid as typed, when it was refused: every cell comes back as it was.
    typed: HashMap<Uuid, String>,
    errors: Errors,
}

impl MarksPage {
    /// What a student's cell shows: what was typed, else the saved mark.
    fn value_of(&self, line: &GridLine) -> String {
        match self.typed.get(&line.student_id) {
            Some(typed) => typed.clone(),
            None => line.score.map(|s| s.to_string()).unwrap_or_default(),
        }
    }
}

/// `grant` is the marks.enter grant of the route (every caller's route declares it).
async fn render_grid(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    jar: CookieJar,
    id: Uuid,
    typed: HashMap<Uuid, String>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let row = queries::assessment_info(&mut tx, id).await?;
    let (section, name, max_marks) = row.ok_or(AppError::NotFound)?;
    crate::access::reach::authorize_section(&mut tx, grant, section).await?;
    let lines = queries::mark_grid(&mut tx, id, section).await?;
    tx.commit().await?;
    // A cell's message names its student, so the summary at the top reads on its own.
    let errors: Vec<FieldError> = errors
        .into_iter()
        .map(|mut e| {
            if let Some(line) = lines.iter().find(|l| l.field() == e.field) {
                e.message = format!("{}: {}", line.name, e.message);
            }
            e
        })
        .collect();
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = MarksPage {
        chrome: Chrome::signed_in(name.clone(), principal, csrf.clone(), "/dashboard"),
        csrf,
        assessment: id,
        section,
        title: name,
        max_marks,
        lines,
        typed,
        errors: errors.into(),
    };
    Ok((jar, render(&page)?).into_response())
}

pub async fn marks_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_grid(
        &state,
        &principal,
        &grant,
        jar,
        id,
        HashMap::new(),
        Vec::new(),
    )
    .await
}

/// The grid's `score_<student id>` fields; empty ones are left as they are. Every cell
/// is checked: when any is refused, nothing is saved and the grid comes back as typed,
/// each refused cell marked with its student's name and what is wrong.
pub async fn save_marks(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut typed = HashMap::new();
    let mut marks = Vec::new();
    let mut errors = Vec::new();
    for (key, value) in &body {
        let Some(student) = key.strip_prefix("score_") else {
            continue;
        };
        let Ok(student_id) = Uuid::parse_str(student) else {
            errors.push(FieldError::new(
                "marks",
                "the grid names a student this page does not know; load the page again",
            ));
            continue;
        };
        typed.insert(student_id, value.clone());
        if value.trim().is_empty() {
            continue;
        }
        match value.trim().parse::<f64>() {
            Ok(score) => marks.push(MarkInput { student_id, score }),
            Err(_) => errors.push(FieldError::new(
                key.clone(),
                "must be a number such as 7 or 7.5",
            )),
        }
    }
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let name = queries::assessment_info(&mut tx, id)
        .await?
        .map(|(_, name, _)| name)
        .ok_or(AppError::NotFound)?;
    // The readable marks are checked too, so every refused cell is named at once; the
    // transaction is rolled back unless all were accepted.
    let entered = queries::enter(&mut tx, &grant, &context, id, &marks).await;
    let result = match entered {
        Ok(saved) if errors.is_empty() => Ok(saved),
        Ok(_) => Err(AppError::Validation(errors)),
        Err(AppError::Validation(refused)) => {
            // The entry names a mark by its place in the list; the grid by its cell.
            errors.extend(refused.into_iter().map(|mut e| {
                let place = e
                    .field
                    .strip_prefix("marks[")
                    .and_then(|rest| rest.split(']').next())
                    .and_then(|i| i.parse::<usize>().ok());
                if let Some(m) = place.and_then(|i| marks.get(i)) {
                    e.field = format!("score_{}", m.student_id);
                }
                e
            }));
            // In the grid's order, top to bottom.
            let order = |field: &str| body.iter().position(|(k, _)| k == field);
            errors.sort_by_key(|e| order(&e.field));
            Err(AppError::Validation(errors))
        }
        Err(other) => Err(other),
    };
    form::settle(&state, tx, result)
        .conflict_on("marks")
        .done(|_| {
            Done::to(format!("/assessments/{id}/marks")).message(format!("Marks saved for {name}"))
        })
        .again(async |errors| render_grid(&state, &principal, &grant, jar, id, typed, errors).await)
        .await
}
