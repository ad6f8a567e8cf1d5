//! A personal iCalendar feed of a user's week, for their calendar app, behind a secret
//! link they can replace (which revokes the old one).

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::academics::timetable;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::identity::signin::session::{new_token, parse_cookie, token_hash};
use crate::identity::tokens::credentials::refresh_value;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::layout::{Chrome, render};

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
    let has_feed: bool = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM calendar_feeds WHERE user_id = $1) AS \"v!\"",
        principal.user_id
    )
    .fetch_one(&mut *tx)
    .await?;
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

/// Makes a new secret link; any earlier link stops working. The link is shown once.
pub async fn renew(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
) -> AppResult<Response> {
    let token = new_token();
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    sqlx::query!("INSERT INTO calendar_feeds (college_id, user_id, token_hash) VALUES (app_current_college(), $1, $2) \
         ON CONFLICT (college_id, user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = now()", principal.user_id, token_hash(&token))
    .execute(&mut *tx)
    .await?;
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
    sqlx::query!(
        "DELETE FROM calendar_feeds WHERE user_id = $1",
        principal.user_id
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &context,
        Entry::new("calendar.link_revoked").object("user", principal.user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account/calendar").into_response())
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
    let user: Option<Uuid> = sqlx::query_scalar!("SELECT f.user_id FROM calendar_feeds f JOIN users u ON u.college_id = f.college_id AND u.id = f.user_id \
         WHERE f.token_hash = $1 AND u.status = 'active'", token_hash(&token))
    .fetch_optional(&mut *tx)
    .await?;
    let user = user.ok_or(AppError::NotFound)?;
    let slots = timetable::week_of(&mut tx, user).await?;
    let term_end: Option<time::Date> = sqlx::query_scalar!(
        "SELECT max(ends_on) FROM terms WHERE current_date BETWEEN starts_on AND ends_on"
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let today = time::OffsetDateTime::now_utc().date();
    let until = term_end.unwrap_or(today + time::Duration::days(120));
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
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{user}-{i}@campus\r\nDTSTAMP:{}T000000Z\r\nDTSTART:{}T{}\r\nDTEND:{}T{}\r\nRRULE:FREQ=WEEKLY;UNTIL={}T235959Z\r\nSUMMARY:{}\r\n{}END:VEVENT\r\n",
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
    ics.push_str("END:VCALENDAR\r\n");
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        ics,
    )
        .into_response())
}
