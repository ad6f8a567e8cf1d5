//! The timetable builder: a week grid (days × bell periods) of a term for a program
//! year, a room or a teacher, where the coordinator places a section's weekly meeting
//! in a period, sees the rooms free then that seat the section (of the kind wanted),
//! and is told every clash before anything is saved. A program year's grid is drawn
//! from its curriculum (the courses that year takes), edited on the same page.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::{CookieJar, Form};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::academics::timetable::clashes::{self, Clash, FreeRoom, Proposal};
use crate::academics::timetable::model::{NewMeetingInput, WEEKDAYS, show_time};
use crate::academics::timetable::{curriculum, queries};
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::{Done, Errors};
use crate::web::layout::{Chrome, render};
use crate::web::list::encode;

/// The builder's address: the term and whose week (a program year, a room or a
/// teacher), and the placement being prepared (a section, a day, a period, a room kind).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BuilderQuery {
    pub term: String,
    pub program: String,
    pub year: String,
    pub room: String,
    pub teacher: String,
    pub section: String,
    pub weekday: String,
    pub period: String,
    pub kind: String,
}

/// Whose week the grid shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    ProgramYear(Uuid, i16),
    Room(Uuid),
    Teacher(Uuid),
}

fn uuid(text: &str) -> Option<Uuid> {
    Uuid::parse_str(text.trim()).ok()
}

impl BuilderQuery {
    pub fn view(&self) -> Option<View> {
        if let Some(room) = uuid(&self.room) {
            return Some(View::Room(room));
        }
        if let Some(teacher) = uuid(&self.teacher) {
            return Some(View::Teacher(teacher));
        }
        let year = self.year.trim().parse::<i16>().ok()?;
        uuid(&self.program).map(|p| View::ProgramYear(p, year))
    }

    /// The builder's address for the same term and view (the placement left out).
    pub fn href(&self) -> String {
        let mut pairs = vec![("term", self.term.trim())];
        match self.view() {
            Some(View::ProgramYear(..)) => {
                pairs.push(("program", self.program.trim()));
                pairs.push(("year", self.year.trim()));
            }
            Some(View::Room(_)) => pairs.push(("room", self.room.trim())),
            Some(View::Teacher(_)) => pairs.push(("teacher", self.teacher.trim())),
            None => {}
        }
        let query = pairs
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        format!("/timetable/builder?{query}")
    }
}

/// A meeting on the grid.
#[derive(Debug, Clone)]
pub struct GridMeeting {
    pub id: Uuid,
    pub section_id: Uuid,
    pub course_id: Uuid,
    pub label: String,
    pub weekday: i16,
    pub start_minute: i32,
    pub end_minute: i32,
    pub room: Option<String>,
    pub teachers: String,
    /// What is wrong with it, in words (an overlap in the program year, a small room).
    pub problems: Vec<String>,
}

impl GridMeeting {
    pub fn hours(&self) -> String {
        format!(
            "{}–{}",
            show_time(self.start_minute),
            show_time(self.end_minute)
        )
    }

    pub fn day(&self) -> &'static str {
        clashes::day(self.weekday)
    }
}

/// A row of the grid: a bell period and, per day shown, the meetings in it.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    pub hours: String,
    pub is_break: bool,
    pub cells: Vec<Vec<GridMeeting>>,
}

/// A section the view may place, with what it has so far.
#[derive(Debug, Clone)]
pub struct Placeable {
    pub id: Uuid,
    pub label: String,
    pub capacity: i32,
    pub meetings: i64,
    pub teachers: String,
}

/// The grid of a view: the days shown, a row per bell period, meetings at other times,
/// and how many meetings have a problem.
pub struct Grid {
    pub days: Vec<i16>,
    pub rows: Vec<Row>,
    pub elsewhere: Vec<GridMeeting>,
    pub problems: usize,
}

/// The meetings of a view in a term, each with its problems found.
pub async fn view_meetings(
    conn: &mut PgConnection,
    term: Uuid,
    view: View,
) -> Result<Vec<GridMeeting>, sqlx::Error> {
    let (program, year, room, teacher) = match view {
        View::ProgramYear(p, y) => (Some(p), Some(y), None, None),
        View::Room(r) => (None, None, Some(r), None),
        View::Teacher(t) => (None, None, None, Some(t)),
    };
    let rows = sqlx::query!(
        r#"SELECT m.id, m.section_id, s.course_id, c.code || ' ' || s.code AS "label!", m.weekday,
                  m.start_minute, m.end_minute, r.code AS "room?", r.capacity AS "room_seats?", s.capacity,
                  coalesce((SELECT string_agg(st.first_name || ' ' || st.last_name, ', ' ORDER BY st.last_name)
                     FROM section_teachers x JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id
                     WHERE x.college_id = s.college_id AND x.section_id = s.id), '') AS "teachers!"
           FROM section_meetings m
           JOIN sections s ON s.college_id = m.college_id AND s.id = m.section_id
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           LEFT JOIN rooms r ON r.college_id = m.college_id AND r.id = m.room_id
           WHERE m.term_id = $1
             AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM program_courses pc WHERE pc.college_id = s.college_id
                   AND pc.program_id = $2 AND pc.year_of_study = $3 AND pc.course_id = s.course_id))
             AND ($4::uuid IS NULL OR m.room_id = $4)
             AND ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM teacher_bookings b WHERE b.college_id = m.college_id
                   AND b.meeting_id = m.id AND b.staff_id = $5))
           ORDER BY m.weekday, m.start_minute, 4"#,
        term,
        program,
        year,
        room,
        teacher
    )
    .fetch_all(conn)
    .await?;
    let mut meetings: Vec<GridMeeting> = rows
        .into_iter()
        .map(|r| {
            let mut problems = Vec::new();
            if let (Some(code), Some(seats)) = (&r.room, r.room_seats)
                && seats < r.capacity
            {
                problems.push(format!(
                    "room {code} seats {seats}, fewer than the section's {}",
                    r.capacity
                ));
            }
            GridMeeting {
                id: r.id,
                section_id: r.section_id,
                course_id: r.course_id,
                label: r.label,
                weekday: r.weekday,
                start_minute: r.start_minute,
                end_minute: r.end_minute,
                room: r.room,
                teachers: r.teachers,
                problems,
            }
        })
        .collect();
    // In a program year, two courses at once is an overlap its students cannot attend
    // (unless split into parallel groups); the same course twice is parallel sections.
    if matches!(view, View::ProgramYear(..)) {
        let found: Vec<(usize, String)> = overlaps(&meetings);
        for (index, message) in found {
            meetings[index].problems.push(message);
        }
    }
    Ok(meetings)
}

/// For each meeting, the meetings of other courses it overlaps (sorted by day and
/// start, so only the following ones of the same day need comparing).
fn overlaps(meetings: &[GridMeeting]) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (i, a) in meetings.iter().enumerate() {
        for (j, b) in meetings.iter().enumerate().skip(i + 1) {
            if b.weekday != a.weekday || b.start_minute >= a.end_minute {
                break;
            }
            if a.course_id != b.course_id {
                found.push((i, format!("at the same time as {}", b.label)));
                found.push((j, format!("at the same time as {}", a.label)));
            }
        }
    }
    found
}

/// Lays meetings out by bell period: a meeting appears in every period it overlaps;
/// those overlapping none are listed apart. Monday to Friday are always shown, the
/// weekend when something meets then.
pub fn grid(periods: &[(String, i32, i32, bool)], meetings: Vec<GridMeeting>) -> Grid {
    let mut days: BTreeSet<i16> = (1..=5).collect();
    days.extend(meetings.iter().map(|m| m.weekday));
    let days: Vec<i16> = days.into_iter().filter(|d| (1..=7).contains(d)).collect();
    let mut rows: Vec<Row> = periods
        .iter()
        .map(|(name, start, end, is_break)| Row {
            name: name.clone(),
            hours: format!("{}–{}", show_time(*start), show_time(*end)),
            is_break: *is_break,
            cells: vec![Vec::new(); days.len()],
        })
        .collect();
    let mut elsewhere = Vec::new();
    let problems = meetings.iter().filter(|m| !m.problems.is_empty()).count();
    for meeting in meetings {
        let column = days.iter().position(|d| *d == meeting.weekday);
        let mut placed = false;
        for (row, (_, start, end, _)) in rows.iter_mut().zip(periods) {
            if meeting.start_minute < *end
                && *start < meeting.end_minute
                && let Some(column) = column
            {
                row.cells[column].push(meeting.clone());
                placed = true;
            }
        }
        if !placed {
            elsewhere.push(meeting);
        }
    }
    Grid {
        days,
        rows,
        elsewhere,
        problems,
    }
}

/// The sections a view may place: a program year's curriculum courses' sections, a
/// teacher's sections, or every open section of the term for a room.
async fn placeable(
    conn: &mut PgConnection,
    term: Uuid,
    view: View,
) -> Result<Vec<Placeable>, sqlx::Error> {
    let (program, year, teacher) = match view {
        View::ProgramYear(p, y) => (Some(p), Some(y), None),
        View::Room(_) => (None, None, None),
        View::Teacher(t) => (None, None, Some(t)),
    };
    let rows = sqlx::query!(
        r#"SELECT s.id, c.code || ' ' || s.code AS "label!", s.capacity,
                  (SELECT count(*) FROM section_meetings m WHERE m.college_id = s.college_id AND m.section_id = s.id) AS "meetings!",
                  coalesce((SELECT string_agg(st.first_name || ' ' || st.last_name, ', ' ORDER BY st.last_name)
                     FROM section_teachers x JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id
                     WHERE x.college_id = s.college_id AND x.section_id = s.id), '') AS "teachers!"
           FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           WHERE s.term_id = $1 AND s.closed_at IS NULL
             AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM program_courses pc WHERE pc.college_id = s.college_id
                   AND pc.program_id = $2 AND pc.year_of_study = $3 AND pc.course_id = s.course_id))
             AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM section_teachers x WHERE x.college_id = s.college_id
                   AND x.section_id = s.id AND x.staff_id = $4))
           ORDER BY 2"#,
        term,
        program,
        year,
        teacher
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Placeable {
            id: r.id,
            label: r.label,
            capacity: r.capacity,
            meetings: r.meetings,
            teachers: r.teachers,
        })
        .collect())
}

/// The term the builder shows: the one asked for, else the current one, else the first
/// that has not ended.
async fn chosen_term(
    conn: &mut PgConnection,
    asked: &str,
    terms: &[(Uuid, String)],
) -> Result<Option<Uuid>, sqlx::Error> {
    if let Some(term) = uuid(asked).filter(|t| terms.iter().any(|(id, _)| id == t)) {
        return Ok(Some(term));
    }
    let current: Option<Uuid> =
        sqlx::query_scalar!("SELECT id FROM terms WHERE is_current ORDER BY starts_on LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    Ok(current
        .filter(|c| terms.iter().any(|(id, _)| id == c))
        .or_else(|| terms.first().map(|(id, _)| *id)))
}

/// A view that holds `section` (reached from a section's page): a program year that
/// takes its course, else its first teacher's week, else its usual room's.
async fn view_of_section(
    conn: &mut PgConnection,
    section: Uuid,
    query: &mut BuilderQuery,
) -> Result<(), sqlx::Error> {
    let found = sqlx::query!(
        "SELECT s.term_id, s.room_id, \
           (SELECT pc.program_id FROM program_courses pc WHERE pc.college_id = s.college_id AND pc.course_id = s.course_id \
              ORDER BY pc.year_of_study LIMIT 1) AS program, \
           (SELECT pc.year_of_study FROM program_courses pc WHERE pc.college_id = s.college_id AND pc.course_id = s.course_id \
              ORDER BY pc.year_of_study LIMIT 1) AS year, \
           (SELECT x.staff_id FROM section_teachers x WHERE x.college_id = s.college_id AND x.section_id = s.id LIMIT 1) AS teacher \
         FROM sections s WHERE s.id = $1",
        section
    )
    .fetch_optional(conn)
    .await?;
    let Some(found) = found else {
        return Ok(());
    };
    query.term = found.term_id.to_string();
    if let (Some(program), Some(year)) = (found.program, found.year) {
        query.program = program.to_string();
        query.year = year.to_string();
    } else if let Some(teacher) = found.teacher {
        query.teacher = teacher.to_string();
    } else if let Some(room) = found.room_id {
        query.room = room.to_string();
    }
    Ok(())
}

/// The placement form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PlaceForm {
    pub term: String,
    pub program: String,
    pub year: String,
    pub room: String,
    pub teacher: String,
    pub section: String,
    pub weekday: String,
    pub period: String,
    pub kind: String,
    pub room_id: String,
    pub accept: String,
}

impl PlaceForm {
    fn query(&self) -> BuilderQuery {
        BuilderQuery {
            term: self.term.clone(),
            program: self.program.clone(),
            year: self.year.clone(),
            room: self.room.clone(),
            teacher: self.teacher.clone(),
            section: self.section.clone(),
            weekday: self.weekday.clone(),
            period: self.period.clone(),
            kind: self.kind.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "academics/builder.html")]
struct BuilderPage {
    chrome: Chrome,
    csrf: String,
    query: BuilderQuery,
    back: String,
    terms: Vec<(Uuid, String)>,
    term: Option<Uuid>,
    programs: Vec<(Uuid, String, i16)>,
    rooms: Vec<(Uuid, String)>,
    teachers: Vec<(Uuid, String)>,
    view: Option<View>,
    heading: String,
    periods: Vec<(String, i32, i32, bool)>,
    grid: Option<Grid>,
    sections: Vec<Placeable>,
    curriculum: Vec<(Uuid, String, String)>,
    /// Clashes of the placement being prepared (before a room is chosen).
    clashes: Vec<Clash>,
    free_rooms: Vec<FreeRoom>,
    /// Whether a section, a day and a period are chosen, so rooms were looked for.
    prepared: bool,
    room_id: String,
    errors: Errors,
}

impl BuilderPage {
    fn day_name(&self, day: &i16) -> &'static str {
        clashes::day(*day)
    }

    fn is(&self, value: &str, chosen: &str) -> bool {
        value == chosen.trim()
    }

    fn term_is(&self, term: &Uuid) -> bool {
        self.term == Some(*term)
    }

    fn period_label(period: &(String, i32, i32, bool)) -> String {
        format!(
            "{} ({}–{})",
            period.0,
            show_time(period.1),
            show_time(period.2)
        )
    }

    fn place_href(&self, day: &i16, period: &str) -> String {
        let mut href = format!("{}&weekday={day}&period={}", self.back, encode(period));
        if !self.query.section.trim().is_empty() {
            href.push_str(&format!("&section={}", encode(self.query.section.trim())));
        }
        href.push_str("#place");
        href
    }
}

const ROOM_KINDS: [(&str, &str); 7] = [
    ("classroom", "Classroom"),
    ("lecture_hall", "Lecture hall"),
    ("lab", "Lab"),
    ("seminar", "Seminar room"),
    ("hall", "Hall"),
    ("library", "Library"),
    ("office", "Office"),
];

pub(super) async fn render_builder(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    query: BuilderQuery,
    room_id: String,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let terms = crate::academics::catalog::queries::current_terms(&mut tx).await?;
    let term = chosen_term(&mut tx, &query.term, &terms).await?;
    let mut query = query;
    if let Some(term) = term {
        query.term = term.to_string();
    }
    let programs = sqlx::query!(
        "SELECT id, code || ' · ' || name AS \"label!\", duration_years FROM programs \
         WHERE retired_at IS NULL ORDER BY code"
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.label, r.duration_years))
    .collect();
    let rooms = queries::room_choices(&mut tx).await?;
    let teachers = sqlx::query!(
        "SELECT id, first_name || ' ' || last_name AS \"name!\" FROM staff st \
         WHERE status <> 'left' AND EXISTS (SELECT 1 FROM section_teachers x \
           WHERE x.college_id = st.college_id AND x.staff_id = st.id) \
         ORDER BY last_name, first_name"
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.name))
    .collect();
    let periods = crate::institution::calendar::periods::schedule(&mut tx).await?;
    if query.view().is_none()
        && let Some(section) = uuid(&query.section)
    {
        view_of_section(&mut tx, section, &mut query).await?;
    }
    let view = query.view();
    let heading = match view {
        Some(View::ProgramYear(p, y)) => {
            let code: Option<String> =
                sqlx::query_scalar!("SELECT code FROM programs WHERE id = $1", p)
                    .fetch_optional(&mut *tx)
                    .await?;
            format!("{} year {y}", code.ok_or(AppError::NotFound)?)
        }
        Some(View::Room(r)) => format!(
            "Room {}",
            queries::room_name(&mut tx, r)
                .await?
                .ok_or(AppError::NotFound)?
        ),
        Some(View::Teacher(t)) => queries::teacher_name(&mut tx, t)
            .await?
            .ok_or(AppError::NotFound)?,
        None => "Timetable builder".to_string(),
    };
    let (grid_of, sections, curriculum) = match (term, view) {
        (Some(term), Some(view)) => {
            let meetings = view_meetings(&mut tx, term, view).await?;
            let sections = placeable(&mut tx, term, view).await?;
            let curriculum = match view {
                View::ProgramYear(p, y) => curriculum::courses(&mut tx, p, y).await?,
                _ => Vec::new(),
            };
            (Some(grid(&periods, meetings)), sections, curriculum)
        }
        _ => (None, Vec::new(), Vec::new()),
    };
    // The placement being prepared: its clashes and the rooms free then.
    let mut clashes_found = Vec::new();
    let mut free_rooms = Vec::new();
    let section = uuid(&query.section).filter(|s| sections.iter().any(|p| p.id == *s));
    let weekday = query.weekday.trim().parse::<i16>().ok();
    let period = periods
        .iter()
        .find(|(name, _, _, is_break)| !is_break && name == query.period.trim());
    let prepared = section.is_some() && weekday.is_some() && period.is_some();
    if let (Some(section), Some(weekday), Some((_, start, end, _))) = (section, weekday, period) {
        let proposal = Proposal {
            section,
            weekday,
            start: *start,
            end: *end,
            room: None,
            moving: None,
        };
        clashes_found = clashes::check(&mut tx, &proposal).await?;
        let kind = Some(query.kind.trim()).filter(|k| !k.is_empty());
        free_rooms = clashes::free_rooms(&mut tx, &proposal, kind, 30).await?;
    }
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = BuilderPage {
        chrome: Chrome::signed_in(heading.clone(), principal, csrf.clone(), "/timetable"),
        csrf,
        back: query.href(),
        query,
        terms,
        term,
        programs,
        rooms,
        teachers,
        view,
        heading,
        periods,
        grid: grid_of,
        sections,
        curriculum,
        clashes: clashes_found,
        free_rooms,
        prepared,
        room_id,
        errors: errors.into(),
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<BuilderQuery>,
) -> AppResult<Response> {
    render_builder(&state, &principal, jar, query, String::new(), Vec::new()).await
}

/// Places a section's meeting in a period: refused, nothing saved and every clash named,
/// unless the only clashes are program-year overlaps the coordinator accepted.
pub async fn place(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(typed): Form<PlaceForm>,
) -> AppResult<Response> {
    let query = typed.query();
    let mut unreadable = Vec::new();
    let section = uuid(&typed.section);
    if section.is_none() {
        unreadable.push(FieldError::new("section", "choose a section"));
    }
    let weekday = typed.weekday.trim().parse::<i16>().unwrap_or(0);
    if typed.period.trim().is_empty() {
        unreadable.push(FieldError::new("period", "choose a period"));
    }
    let room = match typed.room_id.trim() {
        "" => None,
        text => match Uuid::parse_str(text) {
            Ok(room) => Some(room),
            Err(_) => {
                unreadable.push(FieldError::new("room_id", "choose a room"));
                None
            }
        },
    };
    let (Some(section), true) = (section, unreadable.is_empty()) else {
        return render_builder(&state, &principal, jar, query, typed.room_id, unreadable).await;
    };
    let input = NewMeetingInput {
        weekday,
        starts: String::new(),
        ends: String::new(),
        period: Some(typed.period.trim().to_string()),
        room_id: room,
        accept_overlaps: !typed.accept.trim().is_empty(),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let label: Option<String> = sqlx::query_scalar!(
        "SELECT c.code || ' ' || s.code FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id WHERE s.id = $1",
        section
    )
    .fetch_optional(&mut *tx)
    .await?
    .flatten();
    let result = queries::add_meeting(&mut tx, &context, section, &input).await;
    match result {
        Ok(_) => {
            tx.commit().await?;
            let day = WEEKDAYS
                .get((weekday as usize).wrapping_sub(1))
                .copied()
                .unwrap_or("");
            Ok(Done::to(query.href())
                .message(format!(
                    "{} placed on {day}, {}",
                    label.unwrap_or_default(),
                    typed.period.trim()
                ))
                .respond(&state))
        }
        Err(AppError::Validation(errors)) => {
            drop(tx);
            render_builder(&state, &principal, jar, query, typed.room_id, errors).await
        }
        Err(other) => Err(other),
    }
}

/// Where to go back to after a change on the builder: its own address only.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BackForm {
    pub back: String,
}

fn back_to(back: &str) -> String {
    let own = back.starts_with("/timetable/builder") || back.starts_with("/catalog/sections/");
    if own && !back.contains("//") && !back.contains('\\') {
        back.to_string()
    } else {
        "/timetable/builder".to_string()
    }
}

/// Takes a meeting off the grid (it can be placed again).
pub async fn remove(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(meeting): ApiPath<Uuid>,
    Form(form): Form<BackForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = sqlx::query!(
        "SELECT m.section_id, c.code || ' ' || s.code AS \"label!\" FROM section_meetings m \
         JOIN sections s ON s.college_id = m.college_id AND s.id = m.section_id \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id WHERE m.id = $1",
        meeting
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    queries::remove_meeting(&mut tx, &context, found.section_id, meeting).await?;
    tx.commit().await?;
    Ok(Done::to(back_to(&form.back))
        .message(format!("A meeting of {} removed", found.label))
        .respond(&state))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting(label: &str, course: u128, weekday: i16, start: i32, end: i32) -> GridMeeting {
        GridMeeting {
            id: Uuid::new_v4(),
            section_id: Uuid::new_v4(),
            course_id: Uuid::from_u128(course),
            label: label.into(),
            weekday,
            start_minute: start,
            end_minute: end,
            room: None,
            teachers: String::new(),
            problems: Vec::new(),
        }
    }

    #[test]
    fn overlapping_courses_are_named_and_parallel_sections_are_not() {
        let meetings = vec![
            meeting("CS201 A", 1, 1, 540, 600),
            meeting("CS201 B", 1, 1, 540, 600),
            meeting("MA201 A", 2, 1, 570, 630),
            meeting("PH201 A", 3, 1, 630, 690),
            meeting("PH201 A", 3, 2, 540, 600),
        ];
        let found = overlaps(&meetings);
        let named: Vec<(usize, &str)> = found.iter().map(|(i, m)| (*i, m.as_str())).collect();
        assert!(named.contains(&(0, "at the same time as MA201 A")));
        assert!(named.contains(&(1, "at the same time as MA201 A")));
        assert!(named.contains(&(2, "at the same time as CS201 A")));
        assert!(!named.iter().any(|(i, _)| *i == 3 || *i == 4));
        assert!(!named.contains(&(0, "at the same time as CS201 B")));
        assert!(!named.contains(&(1, "at the same time as CS201 A")));
    }

    #[test]
    fn meetings_sit_in_every_period_they_overlap_and_others_apart() {
        let periods = vec![
            ("P1".to_string(), 540, 600, false),
            ("Lunch".to_string(), 600, 630, true),
            ("P2".to_string(), 630, 690, false),
        ];
        let grid = grid(
            &periods,
            vec![
                meeting("CS201 A", 1, 1, 540, 690),
                meeting("MA201 A", 2, 6, 420, 480),
            ],
        );
        assert_eq!(grid.days, vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(grid.rows[0].cells[0].len(), 1);
        assert_eq!(grid.rows[2].cells[0].len(), 1);
        assert_eq!(grid.elsewhere.len(), 1);
    }
}
