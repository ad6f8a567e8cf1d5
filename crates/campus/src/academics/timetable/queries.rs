//! Timetable queries: section meetings (weekday, time, room), refused by the database
//! when a room or a teacher would be in two places at once; the weeks of a student, a
//! teacher and a room; and the secret links of personal calendar feeds.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::academics::timetable::clashes::{self, Proposal};
use crate::academics::timetable::model::{NewMeetingInput, Slot, WEEKDAYS, parse_time, show_time};
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

/// Who already holds the place (room or teacher) at that time, in words.
async fn describe_clash(
    conn: &mut PgConnection,
    sql: &'static str,
    who: Uuid,
    term: Uuid,
    weekday: i16,
    start: i32,
    end: i32,
) -> Result<String, sqlx::Error> {
    let found: Option<(String, String, i32, i32)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(who)
        .bind(term)
        .bind(weekday)
        .bind(start)
        .bind(end)
        .fetch_optional(conn)
        .await?;
    Ok(found.map_or_else(String::new, |(course, section, s, e)| {
        format!(" by {course} {section} ({}–{})", show_time(s), show_time(e))
    }))
}

const ROOM_HOLDER: &str = "SELECT c.code, s.code, m.start_minute, m.end_minute FROM section_meetings m \
     JOIN sections s ON s.college_id = m.college_id AND s.id = m.section_id \
     JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
     WHERE m.room_id = $1 AND m.term_id = $2 AND m.weekday = $3 \
       AND int4range(m.start_minute, m.end_minute) && int4range($4, $5) LIMIT 1";

const TEACHER_HOLDER: &str = "SELECT c.code, s.code, b.start_minute, b.end_minute FROM teacher_bookings b \
     JOIN section_meetings m ON m.college_id = b.college_id AND m.id = b.meeting_id \
     JOIN sections s ON s.college_id = m.college_id AND s.id = m.section_id \
     JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
     WHERE b.staff_id = $1 AND b.term_id = $2 AND b.weekday = $3 \
       AND int4range(b.start_minute, b.end_minute) && int4range($4, $5) LIMIT 1";

/// The day and times of a meeting as typed: a bell period by name (a break refused), or
/// a start and an end; every problem named by field.
pub async fn meeting_times(
    conn: &mut PgConnection,
    input: &NewMeetingInput,
) -> Result<(i32, i32), AppError> {
    let mut errors = Vec::new();
    if !(1..=7).contains(&input.weekday) {
        errors.push(FieldError::new(
            "weekday",
            "must be 1 (Monday) to 7 (Sunday)",
        ));
    }
    let period = match input
        .period
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(name) => {
            let found = sqlx::query!(
                "SELECT start_minute, end_minute, is_break FROM bell_periods WHERE name = $1",
                name
            )
            .fetch_optional(&mut *conn)
            .await?;
            match found {
                Some(p) if p.is_break => {
                    errors.push(FieldError::new(
                        "period",
                        format!(
                            "{name} is a break in the bell schedule: no classes are placed in it"
                        ),
                    ));
                    None
                }
                Some(p) => Some((p.start_minute, p.end_minute)),
                None => {
                    errors.push(FieldError::new(
                        "period",
                        format!("the bell schedule has no period named {name}"),
                    ));
                    None
                }
            }
        }
        None => None,
    };
    let typed = |field: &str, text: &str, errors: &mut Vec<FieldError>| {
        parse_time(field, text).map_err(|e| errors.push(e)).ok()
    };
    let (start, end) = match period {
        // Times typed beside a period must agree with it.
        Some((s, e)) => {
            for (field, text, minute) in [("starts", &input.starts, s), ("ends", &input.ends, e)] {
                if !text.trim().is_empty() && parse_time(field, text).ok() != Some(minute) {
                    errors.push(FieldError::new(
                        field,
                        format!("differs from the period's {}", show_time(minute)),
                    ));
                }
            }
            (Some(s), Some(e))
        }
        None if input
            .period
            .as_deref()
            .is_some_and(|p| !p.trim().is_empty()) =>
        {
            (None, None)
        }
        None => (
            typed("starts", &input.starts, &mut errors),
            typed("ends", &input.ends, &mut errors),
        ),
    };
    if let (Some(s), Some(e)) = (start, end)
        && s >= e
    {
        errors.push(FieldError::new("ends", "must be after the start"));
    }
    let (Some(start), Some(end)) = (start, end) else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok((start, end))
}

/// Adds a weekly meeting to a section. A clash with another booking of the room or of a
/// teacher is refused by the database; the error names who holds the time.
pub async fn add_meeting(
    conn: &mut PgConnection,
    context: &AuditContext,
    section: Uuid,
    input: &NewMeetingInput,
) -> Result<Uuid, AppError> {
    let term: Option<Uuid> =
        sqlx::query_scalar!("SELECT term_id FROM sections WHERE id = $1", section)
            .fetch_optional(&mut *conn)
            .await?;
    let term = term.ok_or(AppError::NotFound)?;
    let (start, end) = meeting_times(conn, input).await?;
    let weekday = input.weekday;
    let proposal = Proposal {
        section,
        weekday,
        start,
        end,
        room: input.room_id,
        moving: None,
    };
    let found = clashes::check(conn, &proposal).await?;
    let refused: Vec<FieldError> = found
        .iter()
        .filter(|c| c.blocking || !input.accept_overlaps)
        .map(|c| {
            let message = if c.blocking {
                c.message.clone()
            } else {
                format!("{} (accept the overlap to place it anyway)", c.message)
            };
            FieldError::new(c.field(), message)
        })
        .collect();
    if !refused.is_empty() {
        return Err(AppError::Validation(refused));
    }
    let day = WEEKDAYS[weekday as usize - 1];
    let hours = format!("{}–{}", show_time(start), show_time(end));
    // A savepoint, so a refused insert leaves the transaction usable for the message.
    sqlx::query!("SAVEPOINT meeting")
        .execute(&mut *conn)
        .await?;
    let inserted: Result<Uuid, sqlx::Error> = sqlx::query_scalar!("INSERT INTO section_meetings (college_id, section_id, term_id, weekday, start_minute, end_minute, room_id) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6) RETURNING id", section, term, weekday, start, end, input.room_id)
    .fetch_one(&mut *conn)
    .await;
    let meeting = match inserted {
        Ok(id) => id,
        Err(e)
            if e.as_database_error().and_then(|d| d.constraint())
                == Some("section_meetings_room_clash") =>
        {
            sqlx::query!("ROLLBACK TO SAVEPOINT meeting")
                .execute(&mut *conn)
                .await?;
            let room = input.room_id.unwrap_or_default();
            let holder = describe_clash(conn, ROOM_HOLDER, room, term, weekday, start, end).await?;
            return Err(AppError::Validation(vec![FieldError::new(
                "room_id",
                format!("the room is already booked on {day} {hours}{holder}"),
            )]));
        }
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_foreign_key_violation()) =>
        {
            return Err(AppError::Validation(vec![FieldError::new(
                "room_id",
                "is not a room of this college",
            )]));
        }
        Err(e) => return Err(e.into()),
    };
    let teachers: Vec<(Uuid, String)> = sqlx::query!("SELECT st.id, st.first_name || ' ' || st.last_name AS \"name!\" FROM section_teachers x \
         JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id WHERE x.section_id = $1", section)
    .fetch_all(&mut *conn)
    .await.map(|v| v.into_iter().map(|r| (r.id, r.name)).collect::<Vec<_>>())?;
    for (staff, name) in teachers {
        let booked = sqlx::query!("INSERT INTO teacher_bookings (college_id, meeting_id, staff_id, term_id, weekday, start_minute, end_minute) \
             VALUES (app_current_college(), $1, $2, $3, $4, $5, $6)", meeting, staff, term, weekday, start, end)
        .execute(&mut *conn)
        .await;
        if let Err(e) = booked {
            if e.as_database_error().and_then(|d| d.constraint()) == Some("teacher_bookings_clash")
            {
                sqlx::query!("ROLLBACK TO SAVEPOINT meeting")
                    .execute(&mut *conn)
                    .await?;
                let holder =
                    describe_clash(conn, TEACHER_HOLDER, staff, term, weekday, start, end).await?;
                return Err(AppError::Validation(vec![FieldError::new(
                    "teachers",
                    format!("{name} already teaches on {day} {hours}{holder}"),
                )]));
            }
            return Err(e.into());
        }
    }
    sqlx::query!("RELEASE SAVEPOINT meeting")
        .execute(&mut *conn)
        .await?;
    audit::record(conn, context, Entry::new("timetable.meeting_added").object("section", section).after(serde_json::json!({
        "weekday": weekday, "starts": show_time(start), "ends": show_time(end), "period": input.period, "room_id": input.room_id,
    }))).await?;
    Ok(meeting)
}

/// Removes a weekly meeting of a section (its teachers' bookings go with it); sessions
/// already generated from it stay, as attendance was taken in them.
pub async fn remove_meeting(
    conn: &mut PgConnection,
    context: &AuditContext,
    section: Uuid,
    meeting: Uuid,
) -> Result<(), AppError> {
    let removed = sqlx::query!(
        "DELETE FROM section_meetings WHERE id = $1 AND section_id = $2 \
         RETURNING weekday, start_minute, end_minute, room_id",
        meeting,
        section
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    audit::record(
        conn,
        context,
        Entry::new("timetable.meeting_removed")
            .object("section", section)
            .before(serde_json::json!({
                "meeting_id": meeting,
                "weekday": removed.weekday,
                "starts": show_time(removed.start_minute),
                "ends": show_time(removed.end_minute),
                "room_id": removed.room_id,
            })),
    )
    .await?;
    Ok(())
}

const SLOTS: &str = "SELECT s.id AS section_id, m.weekday, m.start_minute, m.end_minute, c.code AS course_code, s.code AS section, r.code AS room \
     FROM section_meetings m JOIN sections s ON s.college_id = m.college_id AND s.id = m.section_id \
     JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
     LEFT JOIN rooms r ON r.college_id = m.college_id AND r.id = m.room_id";

/// A student's week: meetings of the sections they are enrolled in, current terms.
pub async fn of_student(conn: &mut PgConnection, student: Uuid) -> Result<Vec<Slot>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SLOTS} JOIN enrollments e ON e.college_id = s.college_id AND e.section_id = s.id \
           AND e.student_id = $1 AND e.status = 'enrolled' \
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id AND t.ends_on >= current_date \
         ORDER BY m.weekday, m.start_minute"
    )))
    .bind(student)
    .fetch_all(conn)
    .await
}

/// A teacher's week.
pub async fn of_teacher(conn: &mut PgConnection, staff: Uuid) -> Result<Vec<Slot>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SLOTS} JOIN teacher_bookings b ON b.college_id = m.college_id AND b.meeting_id = m.id AND b.staff_id = $1 \
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id AND t.ends_on >= current_date \
         ORDER BY m.weekday, m.start_minute"
    )))
    .bind(staff)
    .fetch_all(conn)
    .await
}

/// The week of a user: their own student record's meetings, or those they teach.
pub async fn week_of(conn: &mut PgConnection, user: Uuid) -> Result<Vec<Slot>, sqlx::Error> {
    let student: Option<Uuid> =
        sqlx::query_scalar!("SELECT id FROM students WHERE user_id = $1", user)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(student) = student {
        return of_student(conn, student).await;
    }
    let staff: Option<Uuid> = sqlx::query_scalar!("SELECT id FROM staff WHERE user_id = $1", user)
        .fetch_optional(&mut *conn)
        .await?;
    match staff {
        Some(staff) => of_teacher(conn, staff).await,
        None => Ok(Vec::new()),
    }
}

/// The first of the student's enrolled meetings that overlaps a meeting of `section`,
/// in words, if any.
pub async fn student_clash(
    conn: &mut PgConnection,
    student: Uuid,
    section: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    let clash: Option<(i16, i32, i32, String, String)> = sqlx::query!("SELECT new.weekday, new.start_minute, new.end_minute, c.code AS course, s.code AS section FROM section_meetings new \
         JOIN section_meetings old ON old.college_id = new.college_id AND old.term_id = new.term_id \
           AND old.weekday = new.weekday AND int4range(old.start_minute, old.end_minute) && int4range(new.start_minute, new.end_minute) \
         JOIN enrollments e ON e.college_id = old.college_id AND e.section_id = old.section_id AND e.student_id = $1 AND e.status = 'enrolled' \
         JOIN sections s ON s.college_id = old.college_id AND s.id = old.section_id \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         WHERE new.section_id = $2 AND old.section_id <> $2 LIMIT 1", student, section)
    .fetch_optional(conn)
    .await.map(|o| o.map(|r| (r.weekday, r.start_minute, r.end_minute, r.course, r.section)))?;
    Ok(clash.map(|(weekday, start, end, course, code)| {
        format!(
            "it meets on {} {}–{}, when you have {course} {code}",
            WEEKDAYS[weekday as usize - 1],
            show_time(start),
            show_time(end)
        )
    }))
}

/// A room's week: meetings of current terms held in it.
pub async fn of_room(conn: &mut PgConnection, room: Uuid) -> Result<Vec<Slot>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SLOTS} JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id AND t.ends_on >= current_date \
         WHERE m.room_id = $1 ORDER BY m.weekday, m.start_minute"
    )))
    .bind(room)
    .fetch_all(conn)
    .await
}

/// Whether a room with this id is one of the transaction's college.
pub async fn room_exists(conn: &mut PgConnection, room: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM rooms WHERE id = $1) AS \"v!\"",
        room
    )
    .fetch_one(conn)
    .await
}

/// A room's code and name, if it is one of the college's.
pub async fn room_name(conn: &mut PgConnection, room: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT code || ' ' || name AS \"v!\" FROM rooms WHERE id = $1",
        room
    )
    .fetch_optional(conn)
    .await
}

/// A member of staff's full name, if they are one of the college's.
pub async fn teacher_name(
    conn: &mut PgConnection,
    staff: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT first_name || ' ' || last_name AS \"v!\" FROM staff WHERE id = $1",
        staff
    )
    .fetch_optional(conn)
    .await
}

/// Every room, by code, for the timetable's chooser.
pub async fn room_choices(conn: &mut PgConnection) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query!("SELECT id, code || ' ' || name AS \"label!\" FROM rooms ORDER BY code")
        .fetch_all(conn)
        .await
        .map(|v| v.into_iter().map(|r| (r.id, r.label)).collect::<Vec<_>>())
}

/// Whether the user has a calendar feed link.
pub async fn has_calendar_feed(conn: &mut PgConnection, user: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM calendar_feeds WHERE user_id = $1) AS \"v!\"",
        user
    )
    .fetch_one(conn)
    .await
}

/// Keeps the hash of the user's new calendar feed secret; any earlier one is replaced.
pub async fn replace_calendar_feed(
    conn: &mut PgConnection,
    user: Uuid,
    token_hash: Vec<u8>,
) -> Result<(), sqlx::Error> {
    sqlx::query!("INSERT INTO calendar_feeds (college_id, user_id, token_hash) VALUES (app_current_college(), $1, $2) \
         ON CONFLICT (college_id, user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = now()", user, token_hash)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the user's calendar feed: its link stops working.
pub async fn delete_calendar_feed(conn: &mut PgConnection, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM calendar_feeds WHERE user_id = $1", user)
        .execute(conn)
        .await?;
    Ok(())
}

/// The active user whose calendar feed secret has this hash.
pub async fn calendar_feed_user(
    conn: &mut PgConnection,
    token_hash: Vec<u8>,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT f.user_id FROM calendar_feeds f JOIN users u ON u.college_id = f.college_id AND u.id = f.user_id \
         WHERE f.token_hash = $1 AND u.status = 'active'", token_hash)
    .fetch_optional(conn)
    .await
}

/// The last day of the terms running today, if any is.
pub async fn current_term_end(conn: &mut PgConnection) -> Result<Option<time::Date>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT max(ends_on) FROM terms WHERE current_date BETWEEN starts_on AND ends_on"
    )
    .fetch_one(conn)
    .await
}
