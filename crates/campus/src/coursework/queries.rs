//! Coursework's shared queries: who belongs to a section (its teachers, and staff whose
//! coursework grant reaches the whole college; its enrolled students), who may read a
//! coursework file, a section's title, and moments read in the college's time zone.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::access::reach::authorize_section;
use crate::coursework::model::Member;
use crate::error::{AppError, FieldError};

/// A moment from a form or the API: RFC 3339 (`2026-12-01T17:00:00+05:30`) or a local
/// date and time in the college's time zone, as a browser's date-time field sends it
/// (`2026-12-01T17:00`, or `2026-12-01T17:00:30` when it shows seconds; a space for the
/// `T` is taken too).
pub async fn parse_moment(
    conn: &mut PgConnection,
    field: &str,
    text: &str,
) -> Result<OffsetDateTime, FieldError> {
    let text = text.trim();
    if let Ok(at) = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        return Ok(at);
    }
    let problem = || FieldError::new(field, "must be a date and time such as 2026-12-01T17:00");
    let wall = local_moment(text).ok_or_else(problem)?;
    sqlx::query_scalar!(
        "SELECT $1::timestamp AT TIME ZONE (SELECT timezone FROM colleges) AS \"v!\"",
        wall
    )
    .fetch_one(conn)
    .await
    .map_err(|_| problem())
}

/// A wall-clock date and time as forms send it: `2026-12-01T17:00`, with seconds or
/// without, `T` or a space between the date and the time.
fn local_moment(text: &str) -> Option<time::PrimitiveDateTime> {
    let text = text.replacen(' ', "T", 1);
    let minutes = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let seconds =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(&text, &minutes)
        .or_else(|_| time::PrimitiveDateTime::parse(&text, &seconds))
        .ok()
}

/// `NotFound` for no such section, `Forbidden` for someone outside it.
pub async fn member(
    conn: &mut PgConnection,
    principal: &Principal,
    section: Uuid,
) -> Result<Member, AppError> {
    if let Some(grant) = principal.grant(Permission::CourseworkManage) {
        match authorize_section(conn, &grant, section).await {
            Ok(()) => return Ok(Member::Teacher),
            Err(AppError::Forbidden) => {}
            Err(other) => return Err(other),
        }
    }
    let student: Option<Uuid> = sqlx::query_scalar!("SELECT st.id FROM students st JOIN enrollments e ON e.college_id = st.college_id AND e.student_id = st.id \
         WHERE st.user_id = $1 AND e.section_id = $2 AND e.status = 'enrolled'", principal.user_id, section)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(student) = student {
        return Ok(Member::Student(student));
    }
    let exists: bool = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM sections WHERE id = $1) AS \"v!\"",
        section
    )
    .fetch_one(conn)
    .await?;
    Err(if exists {
        AppError::Forbidden
    } else {
        AppError::NotFound
    })
}

/// Like [`member`], but only teachers pass.
pub async fn teacher(
    conn: &mut PgConnection,
    principal: &Principal,
    section: Uuid,
) -> Result<(), AppError> {
    match member(conn, principal, section).await? {
        Member::Teacher => Ok(()),
        Member::Student(_) => Err(AppError::Forbidden),
    }
}

/// Who may read a coursework file: a section's files its members, a submission's files
/// the student who handed them in and the section's teachers. `None` when the file is
/// not coursework's.
pub async fn may_read_file(
    conn: &mut PgConnection,
    principal: &Principal,
    file: Uuid,
) -> Result<Option<bool>, AppError> {
    let owner: Option<(Uuid, Option<Uuid>)> = sqlx::query!("SELECT a.section_id AS \"section_id!\", NULL::uuid AS \"student_id?\" FROM assignment_files f JOIN assignments a ON a.college_id = f.college_id AND a.id = f.assignment_id WHERE f.file_id = $1 \
         UNION ALL SELECT m.section_id, NULL FROM materials m WHERE m.file_id = $1 \
         UNION ALL SELECT a.section_id, s.student_id FROM submission_files f \
            JOIN submissions s ON s.college_id = f.college_id AND s.id = f.submission_id \
            JOIN assignments a ON a.college_id = s.college_id AND a.id = s.assignment_id WHERE f.file_id = $1 \
         LIMIT 1", file)
    .fetch_optional(&mut *conn)
    .await.map(|o| o.map(|r| (r.section_id, r.student_id)))?;
    let Some((section, submitter)) = owner else {
        return Ok(None);
    };
    Ok(Some(match member(conn, principal, section).await {
        Ok(Member::Teacher) => true,
        Ok(Member::Student(student)) => submitter.is_none_or(|s| s == student),
        Err(AppError::Forbidden) => false,
        Err(other) => return Err(other),
    }))
}

/// A section's title as its page shows it: course code, section code and course title.
pub async fn section_title(conn: &mut PgConnection, section: Uuid) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("SELECT c.code || ' ' || s.code || ': ' || c.title AS \"v!\" FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id WHERE s.id = $1", section)
    .fetch_one(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::local_moment;

    #[test]
    fn forms_send_moments_with_or_without_seconds() {
        let at = time::macros::datetime!(2026-12-07 09:30);
        assert_eq!(local_moment("2026-12-07T09:30"), Some(at));
        assert_eq!(local_moment("2026-12-07T09:30:00"), Some(at));
        assert_eq!(local_moment("2026-12-07 09:30"), Some(at));
        assert_eq!(local_moment("next friday"), None);
        assert_eq!(local_moment("2026-12-07"), None);
    }
}
