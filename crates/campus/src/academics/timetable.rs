//! The timetable: section meetings (weekday, time, room), refused by the database when
//! a room or a teacher would be in two places at once, and the weekly view of a student
//! or a teacher.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// "09:30" into minutes after midnight.
pub fn parse_time(field: &str, text: &str) -> Result<i32, FieldError> {
    let bad = || FieldError::new(field, "must be a time such as 09:30");
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..=24).contains(&h) || !(0..60).contains(&m) || h * 60 + m > 1440 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

pub fn show_time(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = ClassMeetingInput)]
pub struct NewMeetingInput {
    /// 1 = Monday ... 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub weekday: i16,
    /// e.g. `09:00`.
    pub starts: String,
    /// e.g. `10:30`.
    pub ends: String,
    pub room_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Slot {
    pub weekday: i16,
    pub start_minute: i32,
    pub end_minute: i32,
    pub course_code: String,
    pub section: String,
    pub room: Option<String>,
}

impl Slot {
    pub fn day(&self) -> &'static str {
        WEEKDAYS
            .get(self.weekday as usize - 1)
            .copied()
            .unwrap_or("?")
    }

    pub fn hours(&self) -> String {
        format!(
            "{}–{}",
            show_time(self.start_minute),
            show_time(self.end_minute)
        )
    }
}

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

/// Adds a weekly meeting to a section. A clash with another booking of the room or of a
/// teacher is refused by the database; the error names who holds the time.
pub async fn add_meeting(
    conn: &mut PgConnection,
    context: &AuditContext,
    section: Uuid,
    input: &NewMeetingInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    if !(1..=7).contains(&input.weekday) {
        errors.push(FieldError::new(
            "weekday",
            "must be 1 (Monday) to 7 (Sunday)",
        ));
    }
    let start = parse_time("starts", &input.starts)
        .map_err(|e| errors.push(e))
        .ok();
    let end = parse_time("ends", &input.ends)
        .map_err(|e| errors.push(e))
        .ok();
    if let (Some(s), Some(e)) = (start, end)
        && s >= e
    {
        errors.push(FieldError::new("ends", "must be after the start"));
    }
    let term: Option<Uuid> =
        sqlx::query_scalar!("SELECT term_id FROM sections WHERE id = $1", section)
            .fetch_optional(&mut *conn)
            .await?;
    let term = term.ok_or(AppError::NotFound)?;
    let (Some(start), Some(end)) = (start, end) else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let weekday = input.weekday;
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
    let teachers: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT st.id, st.first_name || ' ' || st.last_name FROM section_teachers x \
         JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id WHERE x.section_id = $1",
    )
    .bind(section)
    .fetch_all(&mut *conn)
    .await?;
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
        "weekday": weekday, "starts": input.starts, "ends": input.ends, "room_id": input.room_id,
    }))).await?;
    Ok(meeting)
}

const SLOTS: &str = "SELECT m.weekday, m.start_minute, m.end_minute, c.code AS course_code, s.code AS section, r.code AS room \
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
    let clash: Option<(i16, i32, i32, String, String)> = sqlx::query_as(
        "SELECT new.weekday, new.start_minute, new.end_minute, c.code, s.code FROM section_meetings new \
         JOIN section_meetings old ON old.college_id = new.college_id AND old.term_id = new.term_id \
           AND old.weekday = new.weekday AND int4range(old.start_minute, old.end_minute) && int4range(new.start_minute, new.end_minute) \
         JOIN enrollments e ON e.college_id = old.college_id AND e.section_id = old.section_id AND e.student_id = $1 AND e.status = 'enrolled' \
         JOIN sections s ON s.college_id = old.college_id AND s.id = old.section_id \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         WHERE new.section_id = $2 AND old.section_id <> $2 LIMIT 1",
    )
    .bind(student)
    .bind(section)
    .fetch_optional(conn)
    .await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_and_show() {
        assert_eq!(parse_time("t", "09:30"), Ok(570));
        assert_eq!(parse_time("t", "24:00"), Ok(1440));
        assert!(parse_time("t", "24:01").is_err());
        assert!(parse_time("t", "9.30").is_err());
        assert!(parse_time("t", "12:60").is_err());
        assert_eq!(show_time(570), "09:30");
    }
}
