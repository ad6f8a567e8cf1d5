//! Attendance pages: a session's roster marked in one form, the live updates that keep
//! every page following the session showing the saved marks, and today's session made
//! from the timetable in one click (the dashboard's "Take attendance").

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::academics::attendance::model::{Mark, NewSessionInput, RosterLine};
use crate::academics::attendance::{queries, service};
use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};

/// The choices of each student's row: the stored code and its one-letter key.
const CHOICES: [(&str, &str); 4] = [
    ("present", "P"),
    ("absent", "A"),
    ("late", "L"),
    ("excused", "E"),
];

#[derive(Template)]
#[template(path = "academics/mark.html")]
struct MarkPage {
    chrome: Chrome,
    csrf: String,
    label: String,
    session: Uuid,
    roster: Vec<RosterLine>,
    choices: [(&'static str, &'static str); 4],
    errors: Errors,
}

impl MarkPage {
    /// Whether `line`'s row has `status` chosen: the typed or saved mark, else present.
    fn chosen(&self, line: &RosterLine, status: &str) -> bool {
        line.status.as_deref().unwrap_or("present") == status
    }

    fn field(&self, line: &RosterLine) -> String {
        field_of(line.student_id)
    }
}

/// The field of a student's row (the handler reads `status_<student id>`).
fn field_of(student: Uuid) -> String {
    format!("status_{student}")
}

/// `grant` is the attendance.mark grant of the route (every caller's route declares it).
/// `typed` are the marks as the form sent them, shown again when they were refused.
async fn render_mark(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    jar: CookieJar,
    session: Uuid,
    typed: Option<HashMap<Uuid, String>>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = queries::session(&mut tx, session)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::access::reach::authorize_section(&mut tx, grant, found.section).await?;
    let mut roster = queries::roster(&mut tx, session, found.section).await?;
    tx.commit().await?;
    if let Some(typed) = typed {
        for line in &mut roster {
            if let Some(status) = typed.get(&line.student_id) {
                line.status = Some(status.clone());
            }
        }
    }
    // A row's message names its student, so the summary at the top reads on its own.
    let errors: Vec<FieldError> = errors
        .into_iter()
        .map(|mut e| {
            if let Some(line) = roster.iter().find(|l| field_of(l.student_id) == e.field) {
                e.message = format!("{}: {}", line.name, e.message);
            }
            e
        })
        .collect();
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = MarkPage {
        chrome: Chrome::signed_in("Attendance", principal, csrf.clone(), "/timetable"),
        csrf,
        label: found.label,
        session,
        roster,
        choices: CHOICES,
        errors: errors.into(),
    };
    Ok((jar, render(&page)?).into_response())
}

pub async fn mark_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(session): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_mark(&state, &principal, &grant, jar, session, None, Vec::new()).await
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
    let mut unreadable = Vec::new();
    for (key, value) in &body {
        if let Some(id) = key.strip_prefix("status_") {
            match Uuid::parse_str(id) {
                Ok(student_id) => marks.push(Mark {
                    student_id,
                    status: value.clone(),
                }),
                Err(_) => unreadable.push(FieldError::new(
                    "roster",
                    "the form names a student this page does not know; load the page again",
                )),
            }
        }
    }
    let typed: HashMap<Uuid, String> = marks
        .iter()
        .map(|m| (m.student_id, m.status.clone()))
        .collect();
    let mut tx = crate::db::begin_for_college_generic(&state.db, principal.college).await?;
    let result = if unreadable.is_empty() {
        service::mark(&mut tx, &grant, &context, session, &marks)
            .await
            .map_err(|e| match e {
                // The service names a mark by its place in the list; the page by its row.
                AppError::Validation(errors) => AppError::Validation(
                    errors
                        .into_iter()
                        .map(|mut e| {
                            let place = e
                                .field
                                .strip_prefix("marks[")
                                .and_then(|rest| rest.split(']').next())
                                .and_then(|i| i.parse::<usize>().ok());
                            if let Some(m) = place.and_then(|i| marks.get(i)) {
                                e.field = field_of(m.student_id);
                            }
                            e
                        })
                        .collect(),
                ),
                other => other,
            })
    } else {
        Err(AppError::Validation(unreadable))
    };
    form::settle(&state, tx, result)
        .conflict_on("roster")
        .done(|saved| {
            let students = if saved == 1 { "student" } else { "students" };
            Done::to(format!("/sessions/{session}/mark"))
                .message(format!("Attendance saved for {saved} {students}"))
        })
        .again(async |errors| {
            render_mark(
                &state,
                &principal,
                &grant,
                jar,
                session,
                Some(typed),
                errors,
            )
            .await
        })
        .await
}

/// The dashboard's "Take attendance" button of a class of today: names the meeting.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TodayForm {
    meeting: String,
}

/// Makes today's session of a timetabled meeting (or finds it, when it was made already)
/// and goes to its marking page.
pub async fn start_today(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    Form(typed): Form<TodayForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    crate::access::reach::authorize_section(&mut tx, &grant, section).await?;
    // A meeting that is not this section's, or not held today, is not found.
    let meeting = Uuid::parse_str(typed.meeting.trim()).map_err(|_| AppError::NotFound)?;
    let found = queries::meeting_today(&mut tx, section, meeting)
        .await?
        .ok_or(AppError::NotFound)?;
    let result = match found.session {
        Some(session) => Ok((session, false)),
        None => {
            let input = NewSessionInput {
                held_on: found.today.to_string(),
                starts: crate::academics::timetable::model::show_time(found.start_minute),
                ends: crate::academics::timetable::model::show_time(found.end_minute),
            };
            queries::add_session(&mut tx, &context, section, &input)
                .await
                .map(|session| (session, true))
        }
    };
    let label = found.label;
    form::settle(&state, tx, result)
        .done(|(session, created)| {
            let said = if created {
                format!("Today's session of {label} is ready: mark who is here.")
            } else {
                format!("Today's session of {label}.")
            };
            Done::to(format!("/sessions/{session}/mark")).message(said)
        })
        // Nothing typed to show again: a refusal (a session made meanwhile at that
        // time) is the error page's to explain.
        .again(async |errors| Err::<Response, _>(AppError::Validation(errors)))
        .await
}

/// The marks of a session and who saved them last, sent to pages following it.
async fn session_snapshot(
    state: &AppState,
    college: crate::db::CollegeId,
    zone: &str,
    session: Uuid,
) -> Result<axum::response::sse::Event, AppError> {
    let mut tx = begin_for_college(&state.db, college).await?;
    let marks = queries::session_marks(&mut tx, session).await?;
    let last = queries::last_marked(&mut tx, session).await?;
    tx.commit().await?;
    let note = last.map_or_else(String::new, |(who, at)| {
        format!(
            "Updated by {who} at {}; this page now shows the saved marks.",
            crate::web::time::local_time(at, zone)
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
    let zone = principal.timezone.clone();
    let make: crate::live::MakeEvent = Box::new(move || {
        let state = snapshot_state.clone();
        let zone = zone.clone();
        Box::pin(async move { session_snapshot(&state, college, &zone, session).await.ok() })
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
