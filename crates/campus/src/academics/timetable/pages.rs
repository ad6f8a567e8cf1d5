//! Timetable pages: the signed-in user's week, a room's or a teacher's week with the
//! choosers; and the personal iCalendar feed of a user's week, for their calendar app,
//! behind a secret link they can replace (which revokes the old one).

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::academics::timetable::model::Slot;
use crate::academics::timetable::queries;
use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::identity::signin::session::{new_token, parse_cookie, token_hash};
use crate::identity::tokens::credentials::refresh_value;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::Done;
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "academics/timetable.html")]
struct TimetablePage {
    chrome: Chrome,
    /// Whose week: `Your week`, a room or a teacher.
    heading: String,
    /// The week as a picture (`web::week`), when anything is timetabled.
    week: Option<String>,
    slots: Vec<Slot>,
    meetings: Vec<crate::coursework::content::model::MeetingView>,
    rooms: Vec<(Uuid, String)>,
    teachers: Vec<(Uuid, String)>,
    /// Whether the timetable builder is theirs to use.
    can_build: bool,
}

/// The week drawn as a grid: a block per meeting on its day, from its start to its end,
/// coloured by course and linking to the section; `None` when nothing is timetabled.
fn week_picture(heading: &str, slots: &[Slot]) -> Option<String> {
    if slots.is_empty() {
        return None;
    }
    let blocks: Vec<crate::web::week::Block> = slots
        .iter()
        .map(|s| {
            let mut lines = vec![format!("{} {}", s.course_code, s.section)];
            lines.extend(s.room.clone());
            lines.push(s.hours());
            let room = match &s.room {
                Some(room) => format!("room {room}"),
                None => "no room set".to_string(),
            };
            crate::web::week::Block {
                weekday: s.weekday,
                start_minute: s.start_minute,
                end_minute: s.end_minute,
                key: s.course_code.clone(),
                lines,
                title: format!(
                    "{} {}, {} {}, {room}",
                    s.course_code,
                    s.section,
                    s.day(),
                    s.hours()
                ),
                href: format!("/sections/{}", s.section_id),
            }
        })
        .collect();
    Some(crate::web::week::week(heading, &blocks))
}

/// Rooms for everyone; teachers for staff who may read staff records.
async fn timetable_choices(
    conn: &mut sqlx::PgConnection,
    principal: &Principal,
) -> Result<(Vec<(Uuid, String)>, Vec<(Uuid, String)>), sqlx::Error> {
    let rooms = queries::room_choices(&mut *conn).await?;
    let teachers = match principal.grant(Permission::StaffRead) {
        Some(grant) => crate::staff::queries::teachers_within(conn, &grant).await?,
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
    slots: Vec<Slot>,
) -> AppResult<Response> {
    let (rooms, teachers) = timetable_choices(&mut tx, principal).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = TimetablePage {
        chrome: Chrome::signed_in(heading.clone(), principal, csrf, "/timetable"),
        week: week_picture(&heading, &slots),
        heading,
        slots,
        meetings: Vec::new(),
        rooms,
        teachers,
        can_build: principal.can(Permission::CatalogManage),
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
    let name = queries::room_name(&mut tx, room).await?;
    let name = name.ok_or(AppError::NotFound)?;
    let slots = queries::of_room(&mut tx, room).await?;
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
    let name = queries::teacher_name(&mut tx, staff).await?;
    let name = name.ok_or(AppError::NotFound)?;
    let slots = queries::of_teacher(&mut tx, staff).await?;
    render_week(&state, &principal, jar, tx, format!("{name}'s week"), slots).await
}

pub async fn timetable(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let slots = queries::week_of(&mut tx, principal.user_id).await?;
    let meetings =
        crate::coursework::content::queries::upcoming_for_user(&mut tx, principal.user_id).await?;
    let (rooms, teachers) = timetable_choices(&mut tx, &principal).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = TimetablePage {
        chrome: Chrome::signed_in("Timetable", &principal, csrf, "/timetable"),
        heading: "Your week".into(),
        week: week_picture("Your week", &slots),
        slots,
        meetings,
        rooms,
        teachers,
        can_build: principal.can(Permission::CatalogManage),
    };
    Ok((jar, render(&page)?).into_response())
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

#[derive(Template)]
#[template(path = "academics/calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    csrf: String,
    link: Option<String>,
    has_feed: bool,
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let has_feed = queries::has_calendar_feed(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = CalendarPage {
        chrome: Chrome::signed_in("Calendar feed", &principal, csrf.clone(), "/account"),
        csrf,
        link: None,
        has_feed,
    };
    Ok((jar, render(&page)?).into_response())
}

/// Makes a new secret link; any earlier link stops working. The link is shown once, on
/// the answer to this form itself: unlike other forms' outcomes it is not carried to a
/// page after a redirect, because that would put the secret in a cookie.
pub async fn renew(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
) -> AppResult<Response> {
    let token = new_token();
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::replace_calendar_feed(&mut tx, principal.user_id, token_hash(&token)).await?;
    audit::record(
        &mut tx,
        &context,
        Entry::new("calendar.link_renewed").object("user", principal.user_id),
    )
    .await?;
    tx.commit().await?;
    let link = format!(
        "{}/ical/{}.ics",
        state.config.base_url(),
        refresh_value(principal.college, &token)
    );
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = CalendarPage {
        chrome: Chrome::signed_in("Calendar feed", &principal, csrf.clone(), "/account"),
        csrf,
        link: Some(link),
        has_feed: true,
    };
    Ok((jar, render(&page)?).into_response())
}

pub async fn revoke(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::delete_calendar_feed(&mut tx, principal.user_id).await?;
    audit::record(
        &mut tx,
        &context,
        Entry::new("calendar.link_revoked").object("user", principal.user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(Done::to("/account/calendar")
        .message("The calendar feed is stopped: its link no longer works")
        .respond(&state))
}

/// Text for an iCalendar property value (RFC 5545 escaping).
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// `/ical/{college}.{token}.ics`: the week as weekly repeating events until term end.
pub async fn feed(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> AppResult<Response> {
    let value = name.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let (college, token) = parse_cookie(value).ok_or(AppError::NotFound)?;
    let mut tx = begin_for_college(&state.db, college).await?;
    let user = queries::calendar_feed_user(&mut tx, token_hash(&token)).await?;
    let user = user.ok_or(AppError::NotFound)?;
    let slots = queries::week_of(&mut tx, user).await?;
    let term_end = queries::current_term_end(&mut tx).await?;
    let today = time::OffsetDateTime::now_utc().date();
    let until = term_end.unwrap_or(today + time::Duration::days(120));
    let calendar =
        crate::institution::calendar::entries::between(&mut tx, user, today, until, 1000).await?;
    tx.commit().await?;
    // Days with no classes: each weekly event leaves them out.
    let off: Vec<time::Date> = calendar
        .iter()
        .filter(|e| crate::institution::calendar::entries::suspends_classes(&e.kind))
        .flat_map(|e| {
            (0..=(e.ends_on - e.starts_on).whole_days())
                .map(move |n| e.starts_on + time::Duration::days(n))
        })
        .collect();
    let mut ics = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Campus//Timetable//EN\r\nCALSCALE:GREGORIAN\r\n",
    );
    for (i, slot) in slots.iter().enumerate() {
        // The first date on or after today with the slot's weekday.
        let offset =
            (i64::from(slot.weekday) - i64::from(today.weekday().number_from_monday()) + 7) % 7;
        let first = today + time::Duration::days(offset);
        let date = |d: time::Date| format!("{:04}{:02}{:02}", d.year(), d.month() as u8, d.day());
        let at = |m: i32| format!("{:02}{:02}00", m / 60, m % 60);
        let skipped: String = off
            .iter()
            .filter(|d| i16::from(d.weekday().number_from_monday()) == slot.weekday && **d >= first)
            .map(|d| format!("EXDATE:{}T{}\r\n", date(*d), at(slot.start_minute)))
            .collect();
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{user}-{i}@campus\r\nDTSTAMP:{}T000000Z\r\nDTSTART:{}T{}\r\nDTEND:{}T{}\r\nRRULE:FREQ=WEEKLY;UNTIL={}T235959Z\r\n{skipped}SUMMARY:{}\r\n{}END:VEVENT\r\n",
            date(today),
            date(first),
            at(slot.start_minute),
            date(first),
            at(slot.end_minute),
            date(until),
            escape(&format!("{} {}", slot.course_code, slot.section)),
            slot.room.as_deref().map(|r| format!("LOCATION:{}\r\n", escape(r))).unwrap_or_default(),
        ));
    }
    let date = |d: time::Date| format!("{:04}{:02}{:02}", d.year(), d.month() as u8, d.day());
    for entry in &calendar {
        // All-day events: the end is the day after the last.
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:calendar-{}@campus\r\nDTSTAMP:{}T000000Z\r\nDTSTART;VALUE=DATE:{}\r\nDTEND;VALUE=DATE:{}\r\nSUMMARY:{}\r\nCATEGORIES:{}\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n",
            entry.id,
            date(today),
            date(entry.starts_on),
            date(entry.ends_on + time::Duration::days(1)),
            escape(&match (&entry.department, &entry.section) {
                (None, None) => entry.name.clone(),
                _ => format!("{} ({})", entry.name, entry.for_whom()),
            }),
            escape(&crate::web::words::label(&entry.kind)),
        ));
    }
    ics.push_str("END:VCALENDAR\r\n");
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        ics,
    )
        .into_response())
}
