//! A section as the registrar keeps it: its page (course, term, seats, usual room,
//! teachers, weekly meetings), edited (seats, room, teachers: a teacher who would be
//! in two places at once is refused, named), closed to new enrolment and reopened, and
//! deleted while nothing was recorded in it. In the UI and the API.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::{CookieJar, Form};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::academics::timetable::clashes::day;
use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::institution::setup::pages::FormPage;
use crate::institution::setup::view::{Field, Kind};
use crate::web::clock::show_time;
use crate::web::confirm::Confirm;
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

/// A teacher of a section.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SectionTeacher)]
pub struct Teacher {
    pub id: Uuid,
    pub name: String,
}

/// A weekly meeting of a section.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SectionMeeting)]
pub struct Meeting {
    pub id: Uuid,
    /// 1 = Monday … 7 = Sunday.
    pub weekday: i16,
    /// e.g. `09:00`, the college's local time.
    pub starts: String,
    pub ends: String,
    pub room_id: Option<Uuid>,
    pub room: Option<String>,
}

impl Meeting {
    pub fn day(&self) -> &'static str {
        day(self.weekday)
    }
}

/// A section with everything about it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SectionDetail)]
pub struct Section {
    pub id: Uuid,
    pub course_id: Uuid,
    pub course_code: String,
    pub course_title: String,
    pub code: String,
    pub term_id: Uuid,
    pub term: String,
    pub capacity: i32,
    pub enrolled: i32,
    pub waitlisted: i64,
    /// The usual room.
    pub room_id: Option<Uuid>,
    pub room: Option<String>,
    pub teachers: Vec<Teacher>,
    /// Closed to new enrolment (its students and records stay).
    pub closed: bool,
    pub meetings: Vec<Meeting>,
}

impl Section {
    pub fn label(&self) -> String {
        format!("{} {}", self.course_code, self.code)
    }

    fn teacher_names(&self) -> String {
        self.teachers
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A section and its meetings, or `None`.
pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Option<Section>, sqlx::Error> {
    let Some(s) = sqlx::query!(
        r#"SELECT s.id, s.course_id, c.code AS course_code, c.title AS course_title, s.code, s.term_id,
                  t.name AS term, s.capacity, s.enrolled,
                  (SELECT count(*) FROM enrollments e WHERE e.college_id = s.college_id AND e.section_id = s.id
                     AND e.status = 'waitlisted') AS "waitlisted!",
                  s.room_id, r.code AS "room?", s.closed_at IS NOT NULL AS "closed!"
           FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id
           LEFT JOIN rooms r ON r.college_id = s.college_id AND r.id = s.room_id
           WHERE s.id = $1"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let teachers = sqlx::query!(
        r#"SELECT st.id, st.first_name || ' ' || st.last_name AS "name!" FROM section_teachers x
           JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id
           WHERE x.section_id = $1 ORDER BY st.last_name, st.first_name"#,
        id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| Teacher {
        id: r.id,
        name: r.name,
    })
    .collect();
    let meetings = sqlx::query!(
        r#"SELECT m.id, m.weekday, m.start_minute, m.end_minute, m.room_id, r.code AS "room?"
           FROM section_meetings m LEFT JOIN rooms r ON r.college_id = m.college_id AND r.id = m.room_id
           WHERE m.section_id = $1 ORDER BY m.weekday, m.start_minute"#,
        id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|m| Meeting {
        id: m.id,
        weekday: m.weekday,
        starts: show_time(m.start_minute),
        ends: show_time(m.end_minute),
        room_id: m.room_id,
        room: m.room,
    })
    .collect();
    Ok(Some(Section {
        id: s.id,
        course_id: s.course_id,
        course_code: s.course_code,
        course_title: s.course_title,
        code: s.code,
        term_id: s.term_id,
        term: s.term,
        capacity: s.capacity,
        enrolled: s.enrolled,
        waitlisted: s.waitlisted,
        room_id: s.room_id,
        room: s.room,
        teachers,
        closed: s.closed,
        meetings,
    }))
}

/// A section's editable fields as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SectionForm {
    pub capacity: String,
    /// The usual room's id, or empty for none.
    pub room_id: String,
    /// Staff ids of the teachers.
    pub teachers: Vec<String>,
}

/// The fields of a section to change; the others stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = SectionPatch)]
#[serde(default)]
pub struct Patch {
    #[schema(minimum = 1, maximum = 5000)]
    pub capacity: Option<i32>,
    /// The usual room; `null` leaves it, use `clear_room` to take it off.
    pub room_id: Option<Uuid>,
    /// Take the usual room off.
    pub clear_room: bool,
    /// Staff ids of the teachers (replacing the list).
    pub teachers: Option<Vec<Uuid>>,
}

fn form_of(section: &Section) -> SectionForm {
    SectionForm {
        capacity: section.capacity.to_string(),
        room_id: section.room_id.map(|r| r.to_string()).unwrap_or_default(),
        teachers: section.teachers.iter().map(|t| t.id.to_string()).collect(),
    }
}

impl Patch {
    fn over(self, mut form: SectionForm) -> SectionForm {
        if let Some(v) = self.capacity {
            form.capacity = v.to_string();
        }
        if let Some(v) = self.room_id {
            form.room_id = v.to_string();
        }
        if self.clear_room {
            form.room_id = String::new();
        }
        if let Some(v) = self.teachers {
            form.teachers = v.iter().map(Uuid::to_string).collect();
        }
        form
    }
}

/// Saves a section's seats, usual room and teachers; refused by field, nothing written,
/// when a value is wrong, the room too small or retired, fewer seats than students
/// enrolled, or a new teacher already teaches at one of the section's meetings.
async fn save(
    conn: &mut PgConnection,
    context: &AuditContext,
    id: Uuid,
    typed: &SectionForm,
) -> Result<Section, AppError> {
    sqlx::query!("SELECT id FROM sections WHERE id = $1 FOR UPDATE", id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = find(conn, id).await?.ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    let capacity = match typed.capacity.trim().parse::<i32>() {
        Ok(c) if (1..=5000).contains(&c) => Some(c),
        _ => {
            errors.push(FieldError::new(
                "capacity",
                "must be a whole number from 1 to 5,000",
            ));
            None
        }
    };
    if let Some(c) = capacity
        && c < before.enrolled
    {
        errors.push(FieldError::new(
            "capacity",
            format!(
                "{} students are enrolled: the section cannot seat fewer",
                before.enrolled
            ),
        ));
    }
    let room = match typed.room_id.trim() {
        "" => None,
        text => match Uuid::parse_str(text) {
            Ok(room) => Some(room),
            Err(_) => {
                errors.push(FieldError::new("room_id", "is not a room of this college"));
                None
            }
        },
    };
    if let Some(room) = room {
        let found = sqlx::query!(
            r#"SELECT code, capacity, retired_at IS NOT NULL AS "retired!" FROM rooms WHERE id = $1"#,
            room
        )
        .fetch_optional(&mut *conn)
        .await?;
        match found {
            None => errors.push(FieldError::new("room_id", "is not a room of this college")),
            Some(r) => {
                if r.retired && before.room_id != Some(room) {
                    errors.push(FieldError::new(
                        "room_id",
                        format!("room {} is retired", r.code),
                    ));
                }
                if let Some(c) = capacity
                    && r.capacity < c
                {
                    errors.push(FieldError::new(
                        "room_id",
                        format!(
                            "room {} seats {}, fewer than the section's {c}",
                            r.code, r.capacity
                        ),
                    ));
                }
            }
        }
    }
    let mut teachers = Vec::new();
    for text in &typed.teachers {
        match Uuid::parse_str(text.trim()) {
            Ok(t) if !teachers.contains(&t) => teachers.push(t),
            Ok(_) => {}
            Err(_) => errors.push(FieldError::new(
                "teachers",
                "is not a staff member of this college",
            )),
        }
    }
    let staff = sqlx::query!(
        r#"SELECT id, first_name || ' ' || last_name AS "name!", status FROM staff WHERE id = ANY($1)"#,
        &teachers
    )
    .fetch_all(&mut *conn)
    .await?;
    for t in &teachers {
        match staff.iter().find(|s| s.id == *t) {
            None => errors.push(FieldError::new(
                "teachers",
                "is not a staff member of this college",
            )),
            Some(s) if s.status == "left" && !before.teachers.iter().any(|b| b.id == *t) => errors
                .push(FieldError::new(
                    "teachers",
                    format!("{} has left the college", s.name),
                )),
            Some(_) => {}
        }
    }
    let added: Vec<Uuid> = teachers
        .iter()
        .copied()
        .filter(|t| !before.teachers.iter().any(|b| b.id == *t))
        .collect();
    // A new teacher must be free at every meeting of the section.
    let busy = sqlx::query!(
        r#"SELECT st.first_name || ' ' || st.last_name AS "name!", c.code AS course, s.code AS section,
                  b.weekday, b.start_minute, b.end_minute
           FROM section_meetings mine
           JOIN teacher_bookings b ON b.college_id = mine.college_id AND b.term_id = mine.term_id
             AND b.weekday = mine.weekday AND b.staff_id = ANY($2)
             AND int4range(b.start_minute, b.end_minute) && int4range(mine.start_minute, mine.end_minute)
           JOIN section_meetings m ON m.college_id = b.college_id AND m.id = b.meeting_id AND m.section_id <> $1
           JOIN sections s ON s.college_id = m.college_id AND s.id = m.section_id
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           JOIN staff st ON st.college_id = b.college_id AND st.id = b.staff_id
           WHERE mine.section_id = $1 ORDER BY 1, b.weekday, b.start_minute"#,
        id,
        &added
    )
    .fetch_all(&mut *conn)
    .await?;
    for b in busy {
        errors.push(FieldError::new(
            "teachers",
            format!(
                "{} teaches {} {} on {} {}–{}, when this section meets",
                b.name,
                b.course,
                b.section,
                day(b.weekday),
                show_time(b.start_minute),
                show_time(b.end_minute)
            ),
        ));
    }
    let Some(capacity) = capacity else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    sqlx::query!(
        "UPDATE sections SET capacity = $2, room_id = $3 WHERE id = $1",
        id,
        capacity,
        room
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM teacher_bookings b USING section_meetings m \
         WHERE m.college_id = b.college_id AND m.id = b.meeting_id AND m.section_id = $1 \
           AND NOT (b.staff_id = ANY($2))",
        id,
        &teachers
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM section_teachers WHERE section_id = $1 AND NOT (staff_id = ANY($2))",
        id,
        &teachers
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO section_teachers (college_id, section_id, staff_id) \
         SELECT app_current_college(), $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
        id,
        &teachers
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO teacher_bookings (college_id, meeting_id, staff_id, term_id, weekday, start_minute, end_minute) \
         SELECT m.college_id, m.id, t.staff_id, m.term_id, m.weekday, m.start_minute, m.end_minute \
         FROM section_meetings m CROSS JOIN unnest($2::uuid[]) AS t(staff_id) \
         WHERE m.section_id = $1 ON CONFLICT DO NOTHING",
        id,
        &added
    )
    .execute(&mut *conn)
    .await?;
    let after = find(conn, id).await?.ok_or(AppError::NotFound)?;
    audit::record(
        conn,
        context,
        Entry::new("catalog.section_changed")
            .object("section", id)
            .before(serde_json::to_value(form_of(&before)).unwrap_or_default())
            .after(serde_json::to_value(form_of(&after)).unwrap_or_default()),
    )
    .await?;
    Ok(after)
}

/// Closes a section to new enrolment or reopens it.
async fn set_closed(
    conn: &mut PgConnection,
    context: &AuditContext,
    id: Uuid,
    closed: bool,
) -> Result<Section, AppError> {
    let changed = sqlx::query!(
        "UPDATE sections SET closed_at = CASE WHEN $2 THEN now() END \
         WHERE id = $1 AND (closed_at IS NOT NULL) <> $2 RETURNING id",
        id,
        closed
    )
    .fetch_optional(&mut *conn)
    .await?;
    let after = find(conn, id).await?.ok_or(AppError::NotFound)?;
    if changed.is_some() {
        audit::record(
            conn,
            context,
            Entry::new(if closed {
                "catalog.section_closed"
            } else {
                "catalog.section_reopened"
            })
            .object("section", id),
        )
        .await?;
    }
    Ok(after)
}

/// Deletes a section nothing was recorded in (no student ever enrolled or waiting, no
/// class session, assessment, assignment or material); otherwise refuses, naming them.
async fn delete(conn: &mut PgConnection, context: &AuditContext, id: Uuid) -> Result<(), AppError> {
    sqlx::query!("SELECT id FROM sections WHERE id = $1 FOR UPDATE", id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let found = find(conn, id).await?.ok_or(AppError::NotFound)?;
    let uses = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM enrollments WHERE section_id = $1) AS "enrolments!",
                  (SELECT count(*) FROM class_sessions WHERE section_id = $1) AS "sessions!",
                  (SELECT count(*) FROM assessments WHERE section_id = $1) AS "assessments!",
                  (SELECT count(*) FROM assignments WHERE section_id = $1) AS "assignments!",
                  (SELECT count(*) FROM materials WHERE section_id = $1) AS "materials!""#,
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    let named: Vec<String> = [
        (uses.enrolments, "enrolment", "enrolments"),
        (uses.sessions, "class session", "class sessions"),
        (uses.assessments, "assessment", "assessments"),
        (uses.assignments, "assignment", "assignments"),
        (uses.materials, "material", "materials"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
    .collect();
    if !named.is_empty() {
        return Err(AppError::Conflict(format!(
            "{} has {}, so it cannot be deleted. Close it instead: it keeps its records and takes no new students.",
            found.label(),
            named.join(", ")
        )));
    }
    sqlx::query!("DELETE FROM sections WHERE id = $1", id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        context,
        Entry::new("catalog.section_deleted")
            .object("section", id)
            .before(serde_json::json!({
                "course": found.course_code, "code": found.code, "term": found.term,
                "capacity": found.capacity,
            })),
    )
    .await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "academics/section.html")]
struct SectionPage {
    chrome: Chrome,
    csrf: String,
    section: Section,
    can_manage: bool,
}

impl SectionPage {
    fn teachers(&self) -> String {
        self.section.teacher_names()
    }
}

/// The section's page.
pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let section = find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = SectionPage {
        chrome: Chrome::signed_in(section.label(), &principal, csrf.clone(), "/catalog"),
        csrf,
        can_manage: principal.can(Permission::CatalogManage),
        section,
    };
    Ok((jar, render(&page)?).into_response())
}

async fn render_edit(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    section: &Section,
    typed: &SectionForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mut rooms = vec![(String::new(), "No usual room".to_string())];
    rooms.extend(
        sqlx::query!(
            r#"SELECT r.id, r.code || ' (' || b.code || ', ' || r.capacity || ' seats)' AS "label!"
               FROM rooms r JOIN buildings b ON b.college_id = r.college_id AND b.id = r.building_id
               WHERE r.retired_at IS NULL OR r.id = $1 ORDER BY r.code, b.code"#,
            section.room_id
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.id.to_string(), r.label)),
    );
    let staff: Vec<(String, String)> = sqlx::query!(
        r#"SELECT id, last_name || ', ' || first_name || coalesce(' · ' || title, '') AS "label!" FROM staff
           WHERE status <> 'left' OR id = ANY($1) ORDER BY last_name, first_name"#,
        &section.teachers.iter().map(|t| t.id).collect::<Vec<_>>()
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.id.to_string(), r.label))
    .collect();
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let heading = format!("Edit {}", section.label());
    let fields = vec![
        Field::new("capacity", "Seats", Kind::Number, &typed.capacity)
            .hint("No fewer than the students enrolled, no more than the room seats"),
        Field::new("room_id", "Usual room", Kind::Select, typed.room_id.trim()).options(rooms),
        Field::new("teachers", "Teachers", Kind::Ticks, "")
            .options(staff)
            .ticked(&typed.teachers),
    ];
    let page = FormPage {
        chrome: Chrome::signed_in(heading.clone(), principal, csrf.clone(), "/catalog"),
        csrf,
        area: ("Catalog", "/catalog"),
        title: "Sections",
        list_href: "/catalog",
        heading,
        what: "The section".to_string(),
        action: format!("/catalog/sections/{}/edit", section.id),
        button: "Save the changes".to_string(),
        back: format!("/catalog/sections/{}", section.id),
        fields,
        errors: errors.into(),
    };
    page.respond(jar)
}

pub async fn edit_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    render_edit(
        &state,
        &principal,
        jar,
        &found,
        &form_of(&found),
        Vec::new(),
    )
    .await
}

pub async fn edit(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(typed): Form<SectionForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let result = save(&mut tx, &context, id, &typed).await;
    form::settle(&state, tx, result)
        .done(|s| {
            Done::to(format!("/catalog/sections/{id}")).message(format!("{} saved", s.label()))
        })
        .again(async |errors| render_edit(&state, &principal, jar, &found, &typed, errors).await)
        .await
}

async fn closed_page(
    state: &AppState,
    principal: &Principal,
    context: &AuditContext,
    id: Uuid,
    closed: bool,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let s = set_closed(&mut tx, context, id, closed).await?;
    tx.commit().await?;
    let said = if closed {
        format!("{} closed: it takes no new students", s.label())
    } else {
        format!("{} is open again", s.label())
    };
    Ok(Done::to(format!("/catalog/sections/{id}"))
        .message(said)
        .respond(state))
}

pub async fn close_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    closed_page(&state, &principal, &context, id, true).await
}

pub async fn reopen_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    closed_page(&state, &principal, &context, id, false).await
}

/// The confirmation before deleting a section.
pub async fn delete_confirm(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let heading = format!("Delete {}?", found.label());
    let confirm = Confirm::new(
        Chrome::signed_in(heading.clone(), &principal, csrf.clone(), "/catalog"),
        csrf,
        heading,
        format!("/catalog/sections/{id}/delete"),
    )
    .consequence(format!(
        "{} of {} is removed with its {} weekly meeting{}.",
        found.code,
        found.course_code,
        found.meetings.len(),
        if found.meetings.len() == 1 { "" } else { "s" }
    ))
    .consequence("A section with students or records is not deleted: close it instead.")
    .button("Delete the section")
    .back(format!("/catalog/sections/{id}"));
    Ok((jar, confirm.respond()?).into_response())
}

/// Deletes the section from its page; a refusal comes back as the page's message.
pub async fn delete_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    match delete(&mut tx, &context, id).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Done::to(format!("/catalog/courses/{}", found.course_id))
                .message(format!("{} deleted", found.label()))
                .respond(&state))
        }
        Err(AppError::Conflict(message)) => Ok(Done::to(format!("/catalog/sections/{id}"))
            .message(message)
            .respond(&state)),
        Err(other) => Err(other),
    }
}

/// Which sections to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SectionQuery {
    /// Only this term's.
    #[param(value_type = Option<String>, pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$")]
    pub term: Option<Uuid>,
    /// Only this course's.
    #[param(value_type = Option<String>, pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$")]
    pub course: Option<Uuid>,
}

/// Sections, by term and course, each with its meetings.
#[utoipa::path(get, path = "/api/v1/sections", tag = "catalog", security(("bearer" = [])),
    params(SectionQuery),
    responses((status = 200, description = "The sections", body = [Section])))]
pub async fn list_api(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<SectionQuery>,
) -> AppResult<Json<Vec<Section>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let ids: Vec<Uuid> = sqlx::query_scalar!(
        "SELECT s.id FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id \
         WHERE ($1::uuid IS NULL OR s.term_id = $1) AND ($2::uuid IS NULL OR s.course_id = $2) \
         ORDER BY t.starts_on, c.code, s.code LIMIT 2000",
        query.term,
        query.course
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut sections = Vec::with_capacity(ids.len());
    for id in ids {
        sections.extend(find(&mut tx, id).await?);
    }
    tx.commit().await?;
    Ok(Json(sections))
}

/// A section with its teachers and weekly meetings.
#[utoipa::path(get, path = "/api/v1/sections/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, description = "The section", body = Section),
        (status = 404, description = "No such section", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn get_api(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Section>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(found))
}

/// Changes a section's seats, usual room or teachers.
#[utoipa::path(patch, path = "/api/v1/sections/{id}", tag = "catalog", request_body = Patch, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, description = "Saved", body = Section),
        (status = 404, description = "No such section", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong or a teacher is busy then (named)", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn patch_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<Patch>,
) -> AppResult<Json<Section>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let saved = save(&mut tx, &context, id, &patch.over(form_of(&found))).await?;
    tx.commit().await?;
    Ok(Json(saved))
}

async fn closed_api(
    state: &AppState,
    principal: &Principal,
    context: &AuditContext,
    id: Uuid,
    closed: bool,
) -> AppResult<Json<Section>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let s = set_closed(&mut tx, context, id, closed).await?;
    tx.commit().await?;
    Ok(Json(s))
}

/// Closes a section to new enrolment; its students and records stay.
#[utoipa::path(post, path = "/api/v1/sections/{id}/close", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, description = "Closed", body = Section),
        (status = 404, description = "No such section", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn close_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Section>> {
    closed_api(&state, &principal, &context, id, true).await
}

/// Opens a closed section to enrolment again.
#[utoipa::path(post, path = "/api/v1/sections/{id}/reopen", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, description = "Open again", body = Section),
        (status = 404, description = "No such section", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn reopen_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Section>> {
    closed_api(&state, &principal, &context, id, false).await
}

/// Deletes a section nothing was recorded in; otherwise 409, naming what it has.
#[utoipa::path(delete, path = "/api/v1/sections/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 204, description = "Deleted"),
        (status = 404, description = "No such section", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "It has records", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn delete_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    delete(&mut tx, &context, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
