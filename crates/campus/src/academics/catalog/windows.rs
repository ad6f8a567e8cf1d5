//! Registration windows as a page for the registrar: the windows of terms that have not
//! ended, opened for everyone or for one program and year, and closed early when
//! needed. The dates typed are days in the college's time zone: a window opens at the
//! start of its first day and closes at the end of its last.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::{CookieJar, Form};
use serde::Deserialize;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::academics::catalog::model::NewWindowInput;
use crate::academics::catalog::queries;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::clock::parse_date;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};
use crate::web::time::start_of;

/// A window as the page lists it.
pub struct WindowLine {
    pub id: Uuid,
    pub term: String,
    pub program: Option<String>,
    pub year_of_study: Option<i16>,
    pub opens_at: OffsetDateTime,
    pub closes_at: OffsetDateTime,
    pub max_credits: f64,
    /// `open`, `upcoming` or `closed`.
    pub state: String,
}

async fn lines(conn: &mut PgConnection) -> Result<Vec<WindowLine>, sqlx::Error> {
    sqlx::query_as!(
        WindowLine,
        r#"SELECT w.id, t.name AS term, p.code AS "program?", w.year_of_study, w.opens_at, w.closes_at,
                  w.max_credits::float8 AS "max_credits!",
                  CASE WHEN now() < w.opens_at THEN 'upcoming' WHEN now() < w.closes_at THEN 'open' ELSE 'closed' END AS "state!"
           FROM registration_windows w JOIN terms t ON t.college_id = w.college_id AND t.id = w.term_id
           LEFT JOIN programs p ON p.college_id = w.college_id AND p.id = w.program_id
           WHERE t.ends_on >= current_date
           ORDER BY t.starts_on, w.opens_at, p.code NULLS FIRST"#
    )
    .fetch_all(conn)
    .await
}

/// The form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WindowForm {
    pub term_id: String,
    pub program: String,
    pub year_of_study: String,
    pub opens_on: String,
    pub closes_on: String,
    pub max_credits: String,
}

#[derive(Template)]
#[template(path = "academics/windows.html")]
struct WindowsPage {
    chrome: Chrome,
    csrf: String,
    windows: Vec<WindowLine>,
    terms: Vec<(Uuid, String)>,
    programs: Vec<(String, String)>,
    typed: WindowForm,
    errors: Errors,
}

impl WindowsPage {
    fn is_term(&self, id: &Uuid) -> bool {
        self.typed.term_id == id.to_string()
    }
}

async fn render_page(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    typed: WindowForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let windows = lines(&mut tx).await?;
    let terms = queries::current_terms(&mut tx).await?;
    let programs =
        sqlx::query!("SELECT code, name FROM programs WHERE retired_at IS NULL ORDER BY code")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|p| (p.code.clone(), format!("{} — {}", p.code, p.name)))
            .collect();
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = WindowsPage {
        chrome: Chrome::signed_in(
            "Registration windows",
            principal,
            csrf.clone(),
            "/registration/windows",
        ),
        csrf,
        windows,
        terms,
        programs,
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
    render_page(&state, &principal, jar, WindowForm::default(), Vec::new()).await
}

/// The form read into the API's input: days in the college's zone, a program by code.
async fn read(
    conn: &mut PgConnection,
    typed: &WindowForm,
    zone: &str,
) -> Result<NewWindowInput, AppError> {
    let mut errors = Vec::new();
    let term_id = Uuid::parse_str(typed.term_id.trim())
        .map_err(|_| errors.push(FieldError::new("term_id", "choose a term")))
        .ok();
    let mut day = |field: &str, text: &str, minute: i32| {
        parse_date(field, text)
            .map_err(|e| errors.push(e))
            .ok()
            .and_then(|d| start_of(d, minute, zone))
    };
    let opens_at = day("opens_on", &typed.opens_on, 0);
    let closes_at = day("closes_on", &typed.closes_on, 24 * 60);
    let year_of_study = match typed.year_of_study.trim() {
        "" => None,
        text => match text.parse::<i16>() {
            Ok(year) => Some(year),
            Err(_) => {
                errors.push(FieldError::new(
                    "year_of_study",
                    "must be a whole number from 1 to 10",
                ));
                None
            }
        },
    };
    let max_credits = match typed.max_credits.trim() {
        "" => None,
        text => match text.parse::<f64>() {
            Ok(credits) => Some(credits),
            Err(_) => {
                errors.push(FieldError::new(
                    "max_credits",
                    "must be a number such as 24",
                ));
                None
            }
        },
    };
    let program_id = match typed.program.trim() {
        "" => None,
        code => {
            let found = sqlx::query_scalar!(
                "SELECT id FROM programs WHERE code = $1",
                code.to_uppercase()
            )
            .fetch_optional(&mut *conn)
            .await?;
            if found.is_none() {
                errors.push(FieldError::new(
                    "program",
                    format!("no program has the code {code}"),
                ));
            }
            found
        }
    };
    match (term_id, opens_at, closes_at) {
        (Some(term_id), Some(opens_at), Some(closes_at)) if errors.is_empty() => {
            Ok(NewWindowInput {
                term_id,
                opens_at,
                closes_at,
                program_id,
                year_of_study,
                max_credits,
            })
        }
        _ => Err(AppError::Validation(errors)),
    }
}

pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(typed): Form<WindowForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = match read(&mut tx, &typed, &principal.timezone).await {
        Ok(input) => queries::create_window(&mut tx, &context, &input)
            .await
            .map_err(|e| match e {
                // The form names its fields by what is typed in them.
                AppError::Validation(errors) => AppError::Validation(
                    errors
                        .into_iter()
                        .map(|e| match e.field.as_str() {
                            "closes_at" => {
                                FieldError::new("closes_on", "must be on or after the first day")
                            }
                            "program_id" => FieldError::new("program", e.message),
                            _ => e,
                        })
                        .collect(),
                ),
                other => other,
            }),
        Err(e) => Err(e),
    };
    form::settle(&state, tx, result)
        .done(|_| Done::to("/registration/windows").message("Registration window opened"))
        .again(async |errors| render_page(&state, &principal, jar, typed.clone(), errors).await)
        .await
}

/// Closes an open or upcoming window now.
pub async fn close(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(window): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    crate::academics::catalog::windows_api::close_window(&mut tx, &context, window).await?;
    tx.commit().await?;
    Ok(Done::to("/registration/windows")
        .message("Registration window closed")
        .respond(&state))
}
