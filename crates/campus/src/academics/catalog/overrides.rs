//! Registrar overrides as a page: a student (by number) enrolled in a section past the
//! window, prerequisite and credit checks, never past its seats, with the reason kept in
//! the audit trail; and the term's overrides so far, who made them and why.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::{CookieJar, Form};
use serde::Deserialize;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::academics::catalog::model::Outcome;
use crate::academics::catalog::service;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};

/// The form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OverrideForm {
    pub student_number: String,
    pub section_id: String,
    pub reason: String,
}

/// An override made, as the page lists it.
pub struct OverrideLine {
    pub at: OffsetDateTime,
    pub by: String,
    pub student: String,
    pub section: String,
    pub status: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "academics/overrides.html")]
struct OverridesPage {
    chrome: Chrome,
    csrf: String,
    sections: Vec<(Uuid, String)>,
    recent: Vec<OverrideLine>,
    typed: OverrideForm,
    errors: Errors,
}

impl OverridesPage {
    fn chosen(&self, id: &Uuid) -> bool {
        self.typed.section_id.trim() == id.to_string()
    }
}

/// Sections of terms not over, with their seats: what an override may enrol in.
async fn sections(conn: &mut PgConnection) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT s.id, c.code || ' ' || s.code || ' · ' || c.title || ' (' || t.name || ', ' || s.enrolled || ' of ' || s.capacity || ' seats)' AS "label!"
           FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id
           WHERE t.ends_on >= current_date AND s.closed_at IS NULL ORDER BY t.starts_on, c.code, s.code"#
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.id, r.label))
    .collect())
}

/// The latest overrides, from the audit trail (where the reason is kept).
async fn recent(conn: &mut PgConnection) -> Result<Vec<OverrideLine>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT a.at, coalesce(u.display_name, 'someone since removed') AS "by!",
                  coalesce(st.student_number || ' ' || st.first_name || ' ' || st.last_name, '–') AS "student!",
                  coalesce(c.code || ' ' || s.code, '–') AS "section!",
                  coalesce(a.after->>'status', '') AS "status!", coalesce(a.after->>'reason', '') AS "reason!"
           FROM audit_log a
           LEFT JOIN users u ON u.college_id = a.college_id AND u.id = a.actor_user_id
           LEFT JOIN students st ON st.college_id = a.college_id AND st.id::text = a.after->>'student_id'
           LEFT JOIN sections s ON s.college_id = a.college_id AND s.id::text = a.object_id
           LEFT JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           WHERE a.action = 'registration.override' ORDER BY a.seq DESC LIMIT 50"#
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| OverrideLine {
        at: r.at,
        by: r.by,
        student: r.student,
        section: r.section,
        status: r.status,
        reason: r.reason,
    })
    .collect())
}

async fn render_page(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    typed: OverrideForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let sections = sections(&mut tx).await?;
    let recent = recent(&mut tx).await?;
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = OverridesPage {
        chrome: Chrome::signed_in(
            "Registration overrides",
            principal,
            csrf.clone(),
            "/registration/windows",
        ),
        csrf,
        sections,
        recent,
        typed,
        errors: errors.into(),
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_page(&state, &principal, jar, OverrideForm::default(), Vec::new()).await
}

/// Reads the form: the student by number, the section, the reason.
async fn enrol(
    conn: &mut PgConnection,
    context: &AuditContext,
    typed: &OverrideForm,
) -> Result<(String, Outcome), AppError> {
    let mut errors = Vec::new();
    let number = typed.student_number.trim().to_uppercase();
    let student = sqlx::query!(
        r#"SELECT id, first_name || ' ' || last_name AS "name!" FROM students WHERE student_number = $1"#,
        number
    )
    .fetch_optional(&mut *conn)
    .await?;
    if student.is_none() {
        errors.push(FieldError::new(
            "student_number",
            if number.is_empty() {
                "type the student's number".to_string()
            } else {
                format!("no student has the number {number}")
            },
        ));
    }
    let section = Uuid::parse_str(typed.section_id.trim()).ok();
    if section.is_none() {
        errors.push(FieldError::new("section_id", "choose a section"));
    }
    let reason = typed.reason.trim();
    if !(3..=500).contains(&reason.chars().count()) {
        errors.push(FieldError::new("reason", "say why, in 3 to 500 characters"));
    }
    let (Some(student), Some(section), true) = (student, section, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let outcome = service::enrol(conn, context, student.id, section, Some(reason))
        .await
        .map_err(|e| match e {
            AppError::Validation(errors) => AppError::Validation(
                errors
                    .into_iter()
                    .map(|e| FieldError::new("section_id", e.message))
                    .collect(),
            ),
            AppError::Conflict(message) => {
                AppError::Validation(vec![FieldError::new("section_id", message)])
            }
            AppError::NotFound => {
                AppError::Validation(vec![FieldError::new("section_id", "choose a section")])
            }
            other => other,
        })?;
    Ok((student.name, outcome))
}

pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(typed): Form<OverrideForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = enrol(&mut tx, &context, &typed).await;
    form::settle(&state, tx, result)
        .done(|(name, outcome)| {
            Done::to("/registration/overrides").message(match outcome {
                Outcome::Enrolled => format!("{name} enrolled"),
                Outcome::Waitlisted => format!("The section is full: {name} is on its waitlist"),
            })
        })
        .again(async |errors| render_page(&state, &principal, jar, typed.clone(), errors).await)
        .await
}
