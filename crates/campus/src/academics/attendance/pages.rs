//! Attendance pages: a session's roster marked in one form, and the live updates that
//! keep every page following the session showing the saved marks.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::academics::attendance::model::{Mark, RosterLine};
use crate::academics::attendance::{queries, service};
use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "academics/mark.html")]
struct MarkPage {
    chrome: Chrome,
    csrf: String,
    label: String,
    session: Uuid,
    roster: Vec<RosterLine>,
    saved: bool,
    error: Option<String>,
}

/// `grant` is the attendance.mark grant of the route (every caller's route declares it).
async fn render_mark(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    jar: CookieJar,
    session: Uuid,
    saved: bool,
    error: Option<String>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = queries::session(&mut tx, session)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::access::reach::authorize_section(&mut tx, grant, found.section).await?;
    let roster = queries::roster(&mut tx, session, found.section).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = MarkPage {
        chrome: Chrome::signed_in("Attendance", principal, csrf.clone(), "/timetable"),
        csrf,
        label: found.label,
        session,
        roster,
        saved,
        error,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn mark_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(session): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_mark(&state, &principal, &grant, jar, session, false, None).await
}

/// The whole roster in one form: a `status_<student id>` field per student.
pub async fn mark_submit(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(session): ApiPath<Uuid>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut marks = Vec::new();
    for (key, value) in &body {
        if let Some(id) = key.strip_prefix("status_") {
            let Ok(student_id) = Uuid::parse_str(id) else {
                return render_mark(
                    &state,
                    &principal,
                    &grant,
                    jar,
                    session,
                    false,
                    Some("The form names an unknown student.".into()),
                )
                .await;
            };
            marks.push(Mark {
                student_id,
                status: value.clone(),
            });
        }
    }
    let mut tx = crate::db::begin_for_college_generic(&state.db, principal.college).await?;
    match service::mark(&mut tx, &grant, &context, session, &marks).await {
        Ok(_) => {
            tx.commit().await?;
            render_mark(&state, &principal, &grant, jar, session, true, None).await
        }
        Err(AppError::Validation(errors)) => {
            tx.rollback().await?;
            let message = errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            render_mark(
                &state,
                &principal,
                &grant,
                jar,
                session,
                false,
                Some(message),
            )
            .await
        }
        Err(AppError::Conflict(message)) => {
            tx.rollback().await?;
            render_mark(
                &state,
                &principal,
                &grant,
                jar,
                session,
                false,
                Some(message),
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// The marks of a session and who saved them last, sent to pages following it.
async fn session_snapshot(
    state: &AppState,
    college: crate::db::CollegeId,
    session: Uuid,
) -> Result<axum::response::sse::Event, AppError> {
    let mut tx = begin_for_college(&state.db, college).await?;
    let marks = queries::session_marks(&mut tx, session).await?;
    let last = queries::last_marked(&mut tx, session).await?;
    tx.commit().await?;
    let note = last.map_or_else(String::new, |(who, at)| {
        format!(
            "Updated by {who} at {:02}:{:02} UTC; this page now shows the saved marks.",
            at.hour(),
            at.minute()
        )
    });
    let marks: serde_json::Map<String, serde_json::Value> = marks
        .into_iter()
        .map(|(student, status)| (student.to_string(), serde_json::Value::String(status)))
        .collect();
    Ok(axum::response::sse::Event::default()
        .event("marked")
        .data(serde_json::json!({ "marks": marks, "note": note }).to_string()))
}

/// Server-sent events for a session's marking page: a `marked` event whenever the
/// session is marked (from any device), with the saved marks. A stream lasts at most
/// fifteen minutes; browsers reconnect by themselves.
pub async fn session_events(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(session): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = queries::session(&mut tx, session)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::access::reach::authorize_section(&mut tx, &grant, found.section).await?;
    tx.commit().await?;
    let college = principal.college;
    let section = found.section;
    let recheck = crate::identity::signin::authenticate::recheck(
        &state,
        &principal,
        move |state, now| async move {
            let Some(grant) = now.grant(Permission::AttendanceMark) else {
                return Ok(false);
            };
            let mut tx = begin_for_college(&state.db, now.college).await?;
            let allowed =
                match crate::access::reach::authorize_section(&mut tx, &grant, section).await {
                    Ok(_) => true,
                    Err(AppError::NotFound | AppError::Forbidden) => false,
                    Err(other) => return Err(other),
                };
            tx.commit().await?;
            Ok(allowed)
        },
    );
    let snapshot_state = state.clone();
    let make: crate::live::MakeEvent = Box::new(move || {
        let state = snapshot_state.clone();
        Box::pin(async move { session_snapshot(&state, college, session).await.ok() })
    });
    Ok(crate::live::events(
        &state,
        college,
        format!("session:{session}"),
        recheck,
        crate::live::RECHECK_EVERY,
        make,
    ))
}
