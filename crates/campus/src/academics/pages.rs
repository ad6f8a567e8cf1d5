//! Catalog and registration pages: everyone browses; registrars and coordinators add
//! courses and sections; students enrol and drop.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use uuid::Uuid;

use crate::academics::catalog::{self, CourseView, NewCourseInput, NewSectionInput, SectionView};
use crate::academics::registration::{self, EnrollmentView};
use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

#[derive(Debug, Deserialize, Default)]
pub struct CatalogQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "academics/catalog.html")]
struct CatalogPage {
    chrome: Chrome,
    csrf: String,
    q: String,
    courses: Vec<CourseView>,
    can_manage: bool,
    input: NewCourseInput,
    errors: Vec<FieldError>,
}

async fn render_catalog(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    q: String,
    input: NewCourseInput,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let courses = catalog::search(&mut tx, &q, 200).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CatalogPage {
        chrome: Chrome::signed_in("Catalog", principal, csrf.clone(), "/catalog"),
        csrf,
        q,
        courses,
        can_manage: principal.can(Permission::CatalogManage),
        input,
        errors,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn catalog(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(q): ApiQuery<CatalogQuery>,
) -> AppResult<Response> {
    render_catalog(
        &state,
        &principal,
        jar,
        q.q,
        NewCourseInput::default(),
        Vec::new(),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct CourseForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    credits: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    prerequisites: String,
    #[serde(default)]
    description: String,
}

pub async fn create_course(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<CourseForm>,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let credits = form.credits.trim().parse::<f64>().unwrap_or_else(|_| {
        errors.push(FieldError::new(
            "credits",
            "must be a number such as 3 or 4.5",
        ));
        0.0
    });
    let input = NewCourseInput {
        code: form.code,
        title: form.title,
        credits,
        department: form.department,
        description: Some(form.description),
        prerequisites: form
            .prerequisites
            .split([',', ' '])
            .map(str::to_string)
            .filter(|s| !s.is_empty())
            .collect(),
    };
    if !errors.is_empty() {
        return render_catalog(&state, &principal, jar, String::new(), input, errors).await;
    }
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = catalog::create_course(&mut tx, &context, &input).await;
    form::settle(&state, tx, result)
        .done(|id| Done::to(format!("/catalog/courses/{id}")).message("Course created."))
        .again(async |errors| {
            render_catalog(&state, &principal, jar, String::new(), input, errors).await
        })
        .await
}

#[derive(Template)]
#[template(path = "academics/course.html")]
struct CoursePage {
    chrome: Chrome,
    csrf: String,
    course: CourseView,
    sections: Vec<SectionView>,
    terms: Vec<(Uuid, String)>,
    can_manage: bool,
    can_enrol: bool,
    errors: Vec<FieldError>,
    notice: Option<String>,
}

async fn render_course(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let course = catalog::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sections = catalog::sections_of(&mut tx, id).await?;
    let terms: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT id, name FROM terms WHERE ends_on >= current_date ORDER BY starts_on",
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CoursePage {
        chrome: Chrome::signed_in(course.code.clone(), principal, csrf.clone(), "/catalog"),
        csrf,
        course,
        sections,
        terms,
        can_manage: principal.can(Permission::CatalogManage),
        can_enrol: principal.can(Permission::RegistrationEnrol),
        errors,
        notice,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn course(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_course(&state, &principal, jar, id, Vec::new(), None).await
}

#[derive(Debug, Deserialize)]
pub struct SectionForm {
    #[serde(default)]
    term_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    capacity: String,
}

pub async fn create_section(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(course): ApiPath<Uuid>,
    Form(form): Form<SectionForm>,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let term_id = Uuid::parse_str(form.term_id.trim()).unwrap_or_else(|_| {
        errors.push(FieldError::new("term_id", "choose a term"));
        Uuid::nil()
    });
    let capacity = form.capacity.trim().parse::<i32>().unwrap_or_else(|_| {
        errors.push(FieldError::new("capacity", "must be a whole number"));
        0
    });
    if !errors.is_empty() {
        return render_course(&state, &principal, jar, course, errors, None).await;
    }
    let input = NewSectionInput {
        course_id: course,
        term_id,
        code: form.code,
        capacity,
        room_id: None,
        teachers: Vec::new(),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = catalog::create_section(&mut tx, &context, &input).await;
    form::settle(&state, tx, result)
        .done(|_| Done::to(format!("/catalog/courses/{course}")).message("Section added."))
        .again(async |errors| render_course(&state, &principal, jar, course, errors, None).await)
        .await
}

#[derive(Template)]
#[template(path = "academics/registration.html")]
struct RegistrationPage {
    chrome: Chrome,
    csrf: String,
    enrollments: Vec<EnrollmentView>,
}

pub async fn registration(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let enrollments = match registration::student_of(&mut tx, principal.user_id).await? {
        Some(student) => registration::of_student(&mut tx, student).await?,
        None => Vec::new(),
    };
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = RegistrationPage {
        chrome: Chrome::signed_in(
            "Your registration",
            &principal,
            csrf.clone(),
            "/registration",
        ),
        csrf,
        enrollments,
    };
    Ok((jar, render(&page)?).into_response())
}

async fn course_of(state: &AppState, principal: &Principal, section: Uuid) -> AppResult<Uuid> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let course: Option<Uuid> =
        sqlx::query_scalar!("SELECT course_id FROM sections WHERE id = $1", section)
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    course.ok_or(AppError::NotFound)
}

pub async fn enrol(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    let course = course_of(&state, &principal, section).await?;
    let mut tx = crate::db::begin_for_college_generic(&state.db, principal.college).await?;
    let Some(student) = registration::student_of(&mut tx, principal.user_id).await? else {
        return Err(AppError::Conflict(
            "Your account has no enrolled student record to register with.".into(),
        ));
    };
    match registration::enrol(&mut tx, &context, student, section, None).await {
        Ok(outcome) => {
            tx.commit().await?;
            let notice = match outcome {
                registration::Outcome::Enrolled => "You are enrolled.",
                registration::Outcome::Waitlisted => {
                    "The section is full: you are on its waitlist and will be mailed if a seat frees."
                }
            };
            render_course(
                &state,
                &principal,
                jar,
                course,
                Vec::new(),
                Some(notice.into()),
            )
            .await
        }
        Err(AppError::Validation(errors)) => {
            tx.rollback().await?;
            render_course(&state, &principal, jar, course, errors, None).await
        }
        Err(AppError::Conflict(message)) => {
            tx.rollback().await?;
            render_course(
                &state,
                &principal,
                jar,
                course,
                vec![FieldError::new("section", message)],
                None,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

pub async fn drop(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let Some(student) = registration::student_of(&mut tx, principal.user_id).await? else {
        return Err(AppError::Conflict(
            "Your account has no enrolled student record to register with.".into(),
        ));
    };
    registration::drop(&mut tx, &context, student, section).await?;
    tx.commit().await?;
    Ok(Redirect::to("/registration").into_response())
}

#[derive(Template)]
#[template(path = "academics/timetable.html")]
struct TimetablePage {
    chrome: Chrome,
    /// Whose week: `Your week`, a room or a teacher.
    heading: String,
    slots: Vec<crate::academics::timetable::Slot>,
    meetings: Vec<crate::coursework::content::MeetingView>,
    rooms: Vec<(Uuid, String)>,
    teachers: Vec<(Uuid, String)>,
}

/// Rooms for everyone; teachers for staff who may read staff records.
async fn timetable_choices(
    conn: &mut sqlx::PgConnection,
    principal: &Principal,
) -> Result<(Vec<(Uuid, String)>, Vec<(Uuid, String)>), sqlx::Error> {
    let rooms = sqlx::query_as("SELECT id, code || ' ' || name FROM rooms ORDER BY code")
        .fetch_all(&mut *conn)
        .await?;
    let teachers = match principal.grant(Permission::StaffRead) {
        Some(grant) => crate::staff::records::teachers_within(conn, &grant).await?,
        None => Vec::new(),
    };
    Ok((rooms, teachers))
}

/// Someone else's week (a room's, a teacher's) with the choosers.
async fn render_week(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    mut tx: sqlx::Transaction<'static, sqlx::Postgres>,
    heading: String,
    slots: Vec<crate::academics::timetable::Slot>,
) -> AppResult<Response> {
    let (rooms, teachers) = timetable_choices(&mut tx, principal).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = TimetablePage {
        chrome: Chrome::signed_in(heading.clone(), principal, csrf, "/timetable"),
        heading,
        slots,
        meetings: Vec::new(),
        rooms,
        teachers,
    };
    Ok((jar, render(&page)?).into_response())
}

/// A room's week (everyone may see when a room is used).
pub async fn room_timetable(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(room): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let name: Option<String> = sqlx::query_scalar!(
        "SELECT code || ' ' || name AS \"v!\" FROM rooms WHERE id = $1",
        room
    )
    .fetch_optional(&mut *tx)
    .await?;
    let name = name.ok_or(AppError::NotFound)?;
    let slots = crate::academics::timetable::of_room(&mut tx, room).await?;
    render_week(&state, &principal, jar, tx, format!("Room {name}"), slots).await
}

/// A teacher's week, for staff who may read staff records.
pub async fn teacher_timetable(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(staff): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    // A teacher sees the weeks of their own department's staff only, as their profiles.
    crate::access::reach::authorize_staff(&mut tx, &grant, staff).await?;
    let name: Option<String> = sqlx::query_scalar!(
        "SELECT first_name || ' ' || last_name AS \"v!\" FROM staff WHERE id = $1",
        staff
    )
    .fetch_optional(&mut *tx)
    .await?;
    let name = name.ok_or(AppError::NotFound)?;
    let slots = crate::academics::timetable::of_teacher(&mut tx, staff).await?;
    render_week(&state, &principal, jar, tx, format!("{name}'s week"), slots).await
}

pub async fn timetable(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let slots = crate::academics::timetable::week_of(&mut tx, principal.user_id).await?;
    let meetings =
        crate::coursework::content::upcoming_for_user(&mut tx, principal.user_id).await?;
    let (rooms, teachers) = timetable_choices(&mut tx, &principal).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = TimetablePage {
        chrome: Chrome::signed_in("Timetable", &principal, csrf, "/timetable"),
        heading: "Your week".into(),
        slots,
        meetings,
        rooms,
        teachers,
    };
    Ok((jar, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "academics/mark.html")]
struct MarkPage {
    chrome: Chrome,
    csrf: String,
    label: String,
    session: Uuid,
    roster: Vec<crate::academics::attendance::RosterLine>,
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
    let found = crate::academics::attendance::session(&mut tx, session)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::access::reach::authorize_section(&mut tx, grant, found.section).await?;
    let roster = crate::academics::attendance::roster(&mut tx, session, found.section).await?;
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
            marks.push(crate::academics::attendance::Mark {
                student_id,
                status: value.clone(),
            });
        }
    }
    let mut tx = crate::db::begin_for_college_generic(&state.db, principal.college).await?;
    match crate::academics::attendance::mark(&mut tx, &grant, &context, session, &marks).await {
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
    let marks: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT student_id, status FROM attendance WHERE session_id = $1")
            .bind(session)
            .fetch_all(&mut *tx)
            .await?;
    let last: Option<(String, time::OffsetDateTime)> = sqlx::query_as(
        "SELECT coalesce(u.display_name, 'someone'), a.marked_at FROM attendance a \
         LEFT JOIN users u ON u.college_id = a.college_id AND u.id = a.marked_by \
         WHERE a.session_id = $1 ORDER BY a.marked_at DESC LIMIT 1",
    )
    .bind(session)
    .fetch_optional(&mut *tx)
    .await?;
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
    let found = crate::academics::attendance::session(&mut tx, session)
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

#[derive(serde::Deserialize)]
pub struct GoQuery {
    #[serde(default)]
    room: String,
    #[serde(default)]
    teacher: String,
}

/// The timetable chooser's form: to the room's or the teacher's week.
pub async fn timetable_go(
    crate::web::extract::ApiQuery(query): crate::web::extract::ApiQuery<GoQuery>,
) -> AppResult<Response> {
    if let Ok(room) = Uuid::parse_str(query.room.trim()) {
        return Ok(Redirect::to(&format!("/timetable/rooms/{room}")).into_response());
    }
    if let Ok(teacher) = Uuid::parse_str(query.teacher.trim()) {
        return Ok(Redirect::to(&format!("/timetable/teachers/{teacher}")).into_response());
    }
    Ok(Redirect::to("/timetable").into_response())
}
