//! Course material and meeting queries: adding a material (a file or a link) or a meeting
//! to a section, audited; a section's materials and coming meetings; and the meetings of
//! the sections a user studies in or teaches (dashboards, the weekly timetable).

use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::coursework::content::model::{MaterialView, MeetingView, NewMeetingInput, check_link};
use crate::coursework::queries::parse_moment;
use crate::db::CollegeId;
use crate::error::{AppError, FieldError};
use crate::files::Storage;
use crate::files::uploads::{self, Upload};

/// Adds a material: exactly one of a link or a file.
#[allow(clippy::too_many_arguments)]
pub async fn add_material(
    conn: &mut PgConnection,
    storage: &Storage,
    college: CollegeId,
    context: &AuditContext,
    section: Uuid,
    title: &str,
    description: &str,
    link: &str,
    upload: Option<&Upload>,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    let title = title.trim();
    let link = link.trim();
    if !(1..=200).contains(&title.chars().count()) {
        errors.push(FieldError::new("title", "must be 1 to 200 characters"));
    }
    if description.chars().count() > 5000 {
        errors.push(FieldError::new("description", "at most 5000 characters"));
    }
    match (link.is_empty(), upload) {
        (true, None) => errors.push(FieldError::new("file", "attach a file or give a link")),
        (false, Some(_)) => errors.push(FieldError::new("link", "give a link or a file, not both")),
        (false, None) => {
            if let Err(e) = check_link("link", link, false) {
                errors.push(e);
            }
        }
        (true, Some(_)) => {}
    }
    let kind = match upload {
        Some(u) => match uploads::check_all(std::slice::from_ref(u)) {
            Ok(kinds) => kinds.first().copied(),
            Err(AppError::Validation(mut more)) => {
                errors.append(&mut more);
                None
            }
            Err(other) => return Err(other),
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let file = match (upload, kind) {
        (Some(u), Some(kind)) => {
            Some(uploads::store(conn, storage, college, context.actor, u, kind).await?)
        }
        _ => None,
    };
    let id: Uuid = sqlx::query_scalar!("INSERT INTO materials (college_id, section_id, title, description, file_id, link, created_by) \
         VALUES (app_current_college(), $1, $2, $3, $4, nullif($5, ''), $6) RETURNING id", section, title, description, file, link, context.actor)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("material.added")
            .object("material", id)
            .after(serde_json::json!({ "section_id": section, "title": title, "file_id": file, "link": link })),
    )
    .await?;
    Ok(id)
}

pub async fn materials(
    conn: &mut PgConnection,
    section: Uuid,
) -> Result<Vec<MaterialView>, sqlx::Error> {
    sqlx::query_as!(MaterialView, "SELECT m.id, m.title, m.description, m.link AS \"link?\", m.created_at, \
            f.id AS \"file_id?\", f.file_name AS \"file_name?\", f.size_bytes AS \"size_bytes?\" \
         FROM materials m LEFT JOIN stored_files f ON f.college_id = m.college_id AND f.id = m.file_id \
         WHERE m.section_id = $1 ORDER BY m.created_at DESC", section)
    .fetch_all(conn)
    .await
}

pub async fn add_meeting(
    conn: &mut PgConnection,
    context: &AuditContext,
    section: Uuid,
    input: &NewMeetingInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    let title = input.title.trim();
    if !(1..=200).contains(&title.chars().count()) {
        errors.push(FieldError::new("title", "must be 1 to 200 characters"));
    }
    let link = input.link.trim();
    if !link.is_empty()
        && let Err(e) = check_link("link", link, true)
    {
        errors.push(e);
    }
    if input.agenda.chars().count() > 5000 {
        errors.push(FieldError::new("agenda", "at most 5000 characters"));
    }
    let starts = parse_moment(conn, "starts_at", &input.starts_at)
        .await
        .map_err(|e| errors.push(e))
        .ok();
    let ends = parse_moment(conn, "ends_at", &input.ends_at)
        .await
        .map_err(|e| errors.push(e))
        .ok();
    if let (Some(s), Some(e)) = (starts, ends) {
        if e <= s {
            errors.push(FieldError::new("ends_at", "must be after the start"));
        } else if e - s > time::Duration::hours(12) {
            errors.push(FieldError::new(
                "ends_at",
                "a meeting lasts at most 12 hours",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let id: Uuid = sqlx::query_scalar!("INSERT INTO online_meetings (college_id, section_id, title, starts_at, ends_at, link, agenda, created_by) \
         VALUES (app_current_college(), $1, $2, $3, $4, nullif($5, ''), $6, $7) RETURNING id", section, title, starts, ends, link, input.agenda.trim(), context.actor)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("meeting.scheduled")
            .object("online_meeting", id)
            .after(serde_json::json!({ "section_id": section, "title": title, "starts_at": input.starts_at, "ends_at": input.ends_at })),
    )
    .await?;
    Ok(id)
}

const MEETINGS: &str = "SELECT m.id, m.section_id, c.code || ' ' || s.code AS course, m.title, m.starts_at, m.ends_at, \
        to_char(m.starts_at AT TIME ZONE col.timezone, 'Dy YYYY-MM-DD HH24:MI') || '–' || to_char(m.ends_at AT TIME ZONE col.timezone, 'HH24:MI') AS when_local, \
        m.link, m.agenda \
     FROM online_meetings m JOIN sections s ON s.college_id = m.college_id AND s.id = m.section_id \
     JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id JOIN colleges col ON col.id = m.college_id ";

pub async fn meetings_of_section(
    conn: &mut PgConnection,
    section: Uuid,
) -> Result<Vec<MeetingView>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{MEETINGS} WHERE m.section_id = $1 AND m.ends_at > now() - interval '1 day' ORDER BY m.starts_at"
    )))
    .bind(section)
    .fetch_all(conn)
    .await
}

/// Meetings of the sections a user studies in or teaches, from now on (dashboards).
pub async fn upcoming_for_user(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Vec<MeetingView>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{MEETINGS} WHERE m.ends_at > now() AND m.section_id IN ( \
            SELECT e.section_id FROM enrollments e JOIN students st ON st.college_id = e.college_id AND st.id = e.student_id \
              WHERE st.user_id = $1 AND e.status = 'enrolled' \
            UNION SELECT x.section_id FROM section_teachers x JOIN staff sf ON sf.college_id = x.college_id AND sf.id = x.staff_id \
              WHERE sf.user_id = $1) \
         ORDER BY m.starts_at LIMIT 20"
    )))
    .bind(user)
    .fetch_all(conn)
    .await
}
