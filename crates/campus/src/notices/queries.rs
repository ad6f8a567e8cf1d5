//! Notices in the database: posted to a broad audience or to chosen groups, from a time
//! (now or scheduled) until an optional last day, pinned, edited, with files, withdrawn;
//! a reader sees the current notices whose audience keys meet their own (the
//! `audience_members` view), and each notice they open is marked seen.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::permissions::{Permission, Role, Scope};
use crate::access::principal::{Grant, Principal};
use crate::audit::{self, AuditContext, Entry};
use crate::db::CollegeId;
use crate::error::{AppError, FieldError};
use crate::files::Storage;
use crate::files::uploads::{self, FileView, Upload};
use crate::notices::model::{
    AUDIENCES, AudienceTo, MAX_YEAR, Notice, NoticeChange, NoticeInput, Readership,
};

/// At most this many files on one notice.
pub const MAX_FILES: i64 = 10;

/// Which notices a list holds.
#[derive(Debug, Clone, Copy)]
pub enum Which {
    /// The current notices for the reader, pinned first.
    For(Uuid),
    /// Every notice (those who manage them for the college).
    All,
    /// Those this user posted.
    PostedBy(Uuid),
    /// One notice.
    One(Uuid),
}

/// Notices, each with whether `reader` has seen it and how many have.
pub async fn list(
    conn: &mut PgConnection,
    reader: Uuid,
    which: Which,
    limit: i64,
) -> Result<Vec<Notice>, sqlx::Error> {
    let (current, posted_by, one) = match which {
        Which::For(_) => (true, None, None),
        Which::All => (false, None, None),
        Which::PostedBy(user) => (false, Some(user), None),
        Which::One(id) => (false, None, Some(id)),
    };
    let rows = sqlx::query!(
        r#"SELECT n.id, n.title, n.body, n.audience, n.audience_words, n.pinned, n.publish_at,
                  n.expires_on, u.display_name AS "posted_by?", n.posted_by AS posted_by_id,
                  n.edited_at, n.withdrawn_at,
                  EXISTS (SELECT 1 FROM notice_reads r WHERE r.notice_id = n.id AND r.user_id = $1) AS "seen!",
                  (SELECT count(*) FROM notice_reads r WHERE r.notice_id = n.id) AS "seen_by!"
           FROM notices n
           LEFT JOIN users u ON u.college_id = n.college_id AND u.id = n.posted_by
           WHERE (NOT $2 OR (n.withdrawn_at IS NULL AND n.publish_at <= now()
                   AND (n.expires_on IS NULL OR n.expires_on >= current_date)
                   AND n.audience_keys && ARRAY(SELECT m.key FROM audience_members m WHERE m.user_id = $1)))
             AND ($3::uuid IS NULL OR n.posted_by = $3)
             AND ($4::uuid IS NULL OR n.id = $4)
           ORDER BY (n.pinned AND $2) DESC, n.publish_at DESC
           LIMIT $5"#,
        reader,
        current,
        posted_by,
        one,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Notice {
            id: r.id,
            title: r.title,
            body: r.body,
            audience: r.audience,
            audience_words: r.audience_words,
            pinned: r.pinned,
            publish_at: r.publish_at,
            expires_on: r.expires_on,
            posted_by: r.posted_by,
            posted_by_id: r.posted_by_id,
            edited_at: r.edited_at,
            withdrawn_at: r.withdrawn_at,
            seen: r.seen,
            seen_by: r.seen_by,
            files: Vec::new(),
        })
        .collect())
}

/// The current notices for `reader`, pinned first, then newest.
pub async fn current(
    conn: &mut PgConnection,
    reader: Uuid,
    limit: i64,
) -> Result<Vec<Notice>, sqlx::Error> {
    list(conn, reader, Which::For(reader), limit).await
}

/// The notices a manager's grant reaches: the college's, or those they posted.
pub async fn managed(conn: &mut PgConnection, grant: &Grant) -> Result<Vec<Notice>, sqlx::Error> {
    let which = if grant.scope >= Scope::College {
        Which::All
    } else {
        Which::PostedBy(grant.user_id)
    };
    list(conn, grant.user_id, which, 200).await
}

/// A notice `principal` may read, with its files: one shown to them now, one they
/// posted, or any for those who manage the college's notices.
pub async fn readable(
    conn: &mut PgConnection,
    principal: &Principal,
    id: Uuid,
) -> Result<Notice, AppError> {
    let manager = principal
        .grant(Permission::NoticesManage)
        .is_some_and(|g| g.scope >= Scope::College);
    let open = sqlx::query_scalar!(
        r#"SELECT (n.posted_by = $2 OR (n.withdrawn_at IS NULL AND n.publish_at <= now()
                   AND (n.expires_on IS NULL OR n.expires_on >= current_date)
                   AND n.audience_keys && ARRAY(SELECT m.key FROM audience_members m WHERE m.user_id = $2)))
                  AS "open!"
           FROM notices n WHERE n.id = $1"#,
        id,
        principal.user_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    match open {
        None => return Err(AppError::NotFound),
        Some(false) if !manager => return Err(AppError::NotFound),
        Some(_) => {}
    }
    let mut notice = list(conn, principal.user_id, Which::One(id), 1)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    notice.files = files(conn, id).await?;
    Ok(notice)
}

/// A notice's files.
pub async fn files(conn: &mut PgConnection, notice: Uuid) -> Result<Vec<FileView>, sqlx::Error> {
    sqlx::query_as!(
        FileView,
        "SELECT f.id, f.file_name, f.content_type, f.size_bytes FROM notice_files nf \
         JOIN stored_files f ON f.college_id = nf.college_id AND f.id = nf.file_id \
         WHERE nf.notice_id = $1 ORDER BY nf.added_at, f.file_name",
        notice
    )
    .fetch_all(conn)
    .await
}

/// Marks these notices seen by `reader` (the first time only).
pub async fn mark_seen(
    conn: &mut PgConnection,
    reader: Uuid,
    notices: &[Uuid],
) -> Result<(), sqlx::Error> {
    if notices.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "INSERT INTO notice_reads (college_id, notice_id, user_id) \
         SELECT app_current_college(), n, $2 FROM unnest($1::uuid[]) AS n \
         ON CONFLICT DO NOTHING",
        notices,
        reader
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether `principal` may read a file attached to notices: `None` when no notice has it.
pub async fn may_read_file(
    conn: &mut PgConnection,
    principal: &Principal,
    file: Uuid,
) -> Result<Option<bool>, AppError> {
    let notices = sqlx::query_scalar!(
        "SELECT notice_id FROM notice_files WHERE file_id = $1",
        file
    )
    .fetch_all(&mut *conn)
    .await?;
    if notices.is_empty() {
        return Ok(None);
    }
    for notice in notices {
        match readable(conn, principal, notice).await {
            Ok(_) => return Ok(Some(true)),
            Err(AppError::NotFound) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(Some(false))
}

/// How many of its audience have opened the notice, and some who have not.
pub async fn readership(conn: &mut PgConnection, id: Uuid) -> Result<Readership, sqlx::Error> {
    let counts = sqlx::query!(
        r#"WITH audience AS (
               SELECT DISTINCT m.user_id FROM audience_members m
               JOIN users u ON u.college_id = m.college_id AND u.id = m.user_id AND u.status = 'active'
               WHERE m.key = ANY((SELECT n.audience_keys FROM notices n WHERE n.id = $1)::text[]))
           SELECT (SELECT count(*) FROM audience) AS "audience!",
                  (SELECT count(*) FROM audience a JOIN notice_reads r
                     ON r.notice_id = $1 AND r.user_id = a.user_id) AS "seen!",
                  ARRAY(SELECT u.display_name FROM audience a
                        JOIN users u ON u.id = a.user_id
                        WHERE NOT EXISTS (SELECT 1 FROM notice_reads r
                                          WHERE r.notice_id = $1 AND r.user_id = a.user_id)
                        ORDER BY u.display_name LIMIT 50) AS "not_yet!""#,
        id
    )
    .fetch_one(conn)
    .await?;
    Ok(Readership {
        audience: counts.audience,
        seen: counts.seen,
        not_yet: counts.not_yet,
    })
}

/// The audience as stored: its keys, its words, and the groups as entered.
struct Audience {
    keys: Vec<String>,
    words: String,
    to: Option<serde_json::Value>,
}

/// Checks the audience against what exists and what the grant may reach: a teacher
/// (own sections) posts only to sections they teach.
async fn audience(
    conn: &mut PgConnection,
    grant: &Grant,
    audience: &str,
    to: Option<&AudienceTo>,
    errors: &mut Vec<FieldError>,
) -> Result<Option<Audience>, AppError> {
    let college_wide = grant.scope >= Scope::College;
    if !AUDIENCES.contains(&audience) {
        errors.push(FieldError::new(
            "audience",
            "must be everyone, students, parents, staff, applicants or selected",
        ));
        return Ok(None);
    }
    let named = to.filter(|t| !t.is_empty());
    if audience != "selected" {
        if !college_wide {
            errors.push(FieldError::new(
                "audience",
                "you may post only to the sections you teach: choose selected and your sections",
            ));
            return Ok(None);
        }
        if named.is_some() {
            errors.push(FieldError::new(
                "to",
                "names groups, which only a selected audience takes",
            ));
            return Ok(None);
        }
        return Ok(Some(Audience {
            keys: vec![audience.to_string()],
            words: String::new(),
            to: None,
        }));
    }
    let Some(to) = named else {
        errors.push(FieldError::new(
            "to",
            "must name at least one role, program, year, department, section or person",
        ));
        return Ok(None);
    };
    let before = errors.len();
    for (field, held, most) in [
        ("to.roles", to.roles.len(), 50),
        ("to.programs", to.programs.len(), 200),
        ("to.years", to.years.len(), 10),
        ("to.departments", to.departments.len(), 200),
        ("to.sections", to.sections.len(), 500),
        ("to.people", to.people.len(), 500),
    ] {
        if held > most {
            errors.push(FieldError::new(
                field,
                format!("names {held}; at most {most}"),
            ));
        }
    }
    if errors.len() > before {
        return Ok(None);
    }
    if !college_wide
        && (!to.roles.is_empty()
            || !to.programs.is_empty()
            || !to.years.is_empty()
            || !to.departments.is_empty()
            || !to.people.is_empty())
    {
        errors.push(FieldError::new(
            "to",
            "may name only the sections you teach (and their parents)",
        ));
    }
    let mut words: Vec<String> = Vec::new();

    // Roles: built-in, or the college's own.
    let custom = sqlx::query!(
        "SELECT name, label FROM custom_roles WHERE name = ANY($1)",
        &to.roles
    )
    .fetch_all(&mut *conn)
    .await?;
    for role in &to.roles {
        match Role::parse(role) {
            Some(r) => words.push(format!("{}s", r.label())),
            None => match custom.iter().find(|c| &c.name == role) {
                Some(c) => words.push(c.label.clone()),
                None => errors.push(FieldError::new(
                    "to.roles",
                    format!("has no role named {}", clip(role)),
                )),
            },
        }
    }

    if let Some(bad) = to.years.iter().find(|y| !(1..=MAX_YEAR).contains(*y)) {
        errors.push(FieldError::new(
            "to.years",
            format!("has year {bad}; years of study are 1 to {MAX_YEAR}"),
        ));
    }
    let programs = sqlx::query!(
        "SELECT id, name FROM programs WHERE id = ANY($1) ORDER BY name",
        &to.programs
    )
    .fetch_all(&mut *conn)
    .await?;
    if programs.len() < dedup_len(&to.programs) {
        errors.push(FieldError::new(
            "to.programs",
            "names a program that does not exist",
        ));
    }
    let mut years: Vec<i64> = to.years.clone();
    years.sort_unstable();
    years.dedup();
    let years_words = match years.as_slice() {
        [] => String::new(),
        [one] => format!("year {one}"),
        many => format!(
            "years {}",
            many.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if programs.is_empty() {
        if !years_words.is_empty() {
            words.push(format!("Students in {years_words}"));
        }
    } else {
        let names = programs
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
            .join(", ");
        if years_words.is_empty() {
            words.push(names);
        } else {
            words.push(format!("{names}: {years_words}"));
        }
    }

    let departments = sqlx::query!(
        "SELECT id, name FROM departments WHERE id = ANY($1) ORDER BY name",
        &to.departments
    )
    .fetch_all(&mut *conn)
    .await?;
    if departments.len() < dedup_len(&to.departments) {
        errors.push(FieldError::new(
            "to.departments",
            "names a department that does not exist",
        ));
    }
    words.extend(departments.iter().map(|d| d.name.clone()));

    let sections = sqlx::query!(
        r#"SELECT s.id, c.code || ' ' || s.code AS "label!",
                  EXISTS (SELECT 1 FROM section_teachers x JOIN staff me
                          ON me.college_id = x.college_id AND me.id = x.staff_id
                          WHERE x.section_id = s.id AND me.user_id = $2) AS "taught!"
           FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           WHERE s.id = ANY($1) ORDER BY 2"#,
        &to.sections,
        grant.user_id
    )
    .fetch_all(&mut *conn)
    .await?;
    if sections.len() < dedup_len(&to.sections) {
        errors.push(FieldError::new(
            "to.sections",
            "names a section that does not exist",
        ));
    }
    if let Some(s) = sections.iter().find(|s| !s.taught && !college_wide) {
        errors.push(FieldError::new(
            "to.sections",
            format!("names {}, which you do not teach", s.label),
        ));
    }
    words.extend(sections.iter().map(|s| s.label.clone()));

    let wanted: Vec<String> = to
        .people
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if wanted.iter().any(|p| p.chars().count() > 254) {
        errors.push(FieldError::new(
            "to.people",
            "names someone in over 254 characters",
        ));
    }
    let people = sqlx::query!(
        r#"SELECT p.wanted AS "wanted!", found.id AS "id?", found.display_name AS "name?"
           FROM unnest($1::text[]) WITH ORDINALITY AS p(wanted, n)
           LEFT JOIN LATERAL (
               SELECT u.id, u.display_name FROM users u
               WHERE p.wanted ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                 AND u.id = (CASE WHEN p.wanted ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                                  THEN p.wanted::uuid END)
               UNION ALL
               SELECT u.id, u.display_name FROM users u WHERE u.email = p.wanted::citext
               UNION ALL
               SELECT u.id, u.display_name FROM students st
               JOIN users u ON u.college_id = st.college_id AND u.id = st.user_id
               WHERE st.student_number = upper(p.wanted)
               UNION ALL
               SELECT u.id, u.display_name FROM staff sf
               JOIN users u ON u.college_id = sf.college_id AND u.id = sf.user_id
               WHERE sf.staff_number = upper(p.wanted)
               LIMIT 1) found ON true
           ORDER BY p.n"#,
        &wanted
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut person_ids = Vec::new();
    let mut names = Vec::new();
    for p in people {
        match (p.id, p.name) {
            (Some(id), Some(name)) => {
                person_ids.push(id);
                names.push(name);
            }
            _ => errors.push(FieldError::new(
                "to.people",
                format!(
                    "names {}, who has no account here (give an email, a student or staff number, or a user id)",
                    clip(&p.wanted)
                ),
            )),
        }
    }
    names.sort_unstable();
    names.dedup();
    match names.len() {
        0 => {}
        1..=3 => words.extend(names),
        n => words.push(format!("{n} people")),
    }
    if errors.len() > before {
        return Ok(None);
    }
    let mut said = words.join("; ");
    if to.include_parents {
        said.push_str(" (and their parents)");
    }
    let keys = to.keys(&person_ids);
    if keys.len() > 1000 {
        errors.push(FieldError::new("to", "names more than 1,000 groups"));
        return Ok(None);
    }
    let stored = AudienceTo {
        people: wanted,
        ..to.clone()
    };
    Ok(Some(Audience {
        keys,
        words: said.chars().take(2000).collect(),
        to: Some(serde_json::to_value(&stored).map_err(|e| AppError::Internal(e.into()))?),
    }))
}

fn dedup_len(ids: &[Uuid]) -> usize {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

/// A name as typed, shortened for a message.
fn clip(text: &str) -> String {
    let short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

/// The title, text and dates, checked.
async fn content(
    conn: &mut PgConnection,
    input: &NoticeInput,
    errors: &mut Vec<FieldError>,
) -> Option<(OffsetDateTime, Option<time::Date>)> {
    if !(3..=200).contains(&input.title.trim().chars().count()) {
        errors.push(FieldError::new("title", "must be 3 to 200 characters"));
    }
    if !(1..=10_000).contains(&input.body.trim().chars().count()) {
        errors.push(FieldError::new("body", "must be 1 to 10,000 characters"));
    }
    let publish_at = if input.publish_at.trim().is_empty() {
        Some(OffsetDateTime::now_utc())
    } else {
        match crate::coursework::queries::parse_moment(conn, "publish_at", input.publish_at.trim())
            .await
        {
            Ok(moment) => Some(moment),
            Err(e) => {
                errors.push(e);
                None
            }
        }
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let expires_on = if input.expires_on.trim().is_empty() {
        None
    } else {
        match time::Date::parse(input.expires_on.trim(), &format) {
            Ok(d) if publish_at.is_some_and(|p| d < p.date()) => {
                errors.push(FieldError::new(
                    "expires_on",
                    "must not be before the notice is shown",
                ));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(
                    "expires_on",
                    "must be a date such as 2026-12-20",
                ));
                None
            }
        }
    };
    publish_at.map(|p| (p, expires_on))
}

/// Posts a notice to the audience the grant may reach.
pub async fn post(
    conn: &mut PgConnection,
    context: &AuditContext,
    grant: &Grant,
    input: &NoticeInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    let dates = content(conn, input, &mut errors).await;
    let to = audience(conn, grant, &input.audience, input.to.as_ref(), &mut errors).await?;
    let (Some((publish_at, expires_on)), Some(to)) = (dates, to) else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let id: Uuid = sqlx::query_scalar!(
        "INSERT INTO notices (college_id, title, body, audience, audience_keys, audience_to, \
             audience_words, pinned, publish_at, expires_on, posted_by) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        input.title.trim(),
        input.body.trim(),
        &input.audience,
        &to.keys,
        to.to,
        &to.words,
        input.pinned,
        publish_at,
        expires_on,
        context.actor
    )
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("notice.posted")
            .object("notice", id)
            .after(serde_json::json!({
                "title": input.title.trim(),
                "audience": input.audience,
                "to": to.words,
                "pinned": input.pinned,
            })),
    )
    .await?;
    Ok(id)
}

/// A notice as its editor's grant reaches it, locked: the college's for those who
/// manage them all, else only one they posted. Withdrawn notices are not edited.
async fn editable(
    conn: &mut PgConnection,
    grant: &Grant,
    id: Uuid,
) -> Result<(NoticeInput, Option<Uuid>), AppError> {
    let row = sqlx::query!(
        r#"SELECT title, body, audience, audience_to, pinned, publish_at, expires_on,
                  posted_by, withdrawn_at
           FROM notices WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    if grant.scope < Scope::College && row.posted_by != Some(grant.user_id) {
        return Err(AppError::Forbidden);
    }
    if row.withdrawn_at.is_some() {
        return Err(AppError::Conflict(
            "this notice was withdrawn; post a new one instead".into(),
        ));
    }
    let to = row
        .audience_to
        .and_then(|v| serde_json::from_value::<AudienceTo>(v).ok());
    let input = NoticeInput {
        title: row.title,
        body: row.body,
        audience: row.audience,
        to,
        pinned: row.pinned,
        publish_at: row
            .publish_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        expires_on: row.expires_on.map(|d| d.to_string()).unwrap_or_default(),
    };
    Ok((input, row.posted_by))
}

/// The notice as its edit form starts: what it says now.
pub async fn for_edit(
    conn: &mut PgConnection,
    grant: &Grant,
    id: Uuid,
) -> Result<NoticeInput, AppError> {
    editable(conn, grant, id).await.map(|(input, _)| input)
}

/// Changes what is sent of a notice; the rest stays. Checked as a new one would be.
pub async fn edit(
    conn: &mut PgConnection,
    context: &AuditContext,
    grant: &Grant,
    id: Uuid,
    change: &NoticeChange,
) -> Result<(), AppError> {
    let (before, _) = editable(conn, grant, id).await?;
    let mut input = before.clone();
    if let Some(v) = &change.title {
        input.title.clone_from(v);
    }
    if let Some(v) = &change.body {
        input.body.clone_from(v);
    }
    if let Some(v) = &change.audience {
        input.audience.clone_from(v);
        if v != "selected" && change.to.is_none() {
            input.to = None;
        }
    }
    if let Some(v) = &change.to {
        input.to = Some(v.clone());
    }
    if let Some(v) = change.pinned {
        input.pinned = v;
    }
    if let Some(v) = &change.publish_at {
        input.publish_at.clone_from(v);
    }
    if let Some(v) = &change.expires_on {
        input.expires_on.clone_from(v);
    }
    let mut errors = Vec::new();
    let dates = content(conn, &input, &mut errors).await;
    let to = audience(conn, grant, &input.audience, input.to.as_ref(), &mut errors).await?;
    let (Some((publish_at, expires_on)), Some(to)) = (dates, to) else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    sqlx::query!(
        "UPDATE notices SET title = $2, body = $3, audience = $4, audience_keys = $5, \
             audience_to = $6, audience_words = $7, pinned = $8, publish_at = $9, \
             expires_on = $10, edited_at = now() \
         WHERE id = $1",
        id,
        input.title.trim(),
        input.body.trim(),
        &input.audience,
        &to.keys,
        to.to,
        &to.words,
        input.pinned,
        publish_at,
        expires_on
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("notice.edited")
            .object("notice", id)
            .before(serde_json::json!({
                "title": before.title, "audience": before.audience, "pinned": before.pinned,
                "publish_at": before.publish_at, "expires_on": before.expires_on,
            }))
            .after(serde_json::json!({
                "title": input.title.trim(), "audience": input.audience, "to": to.words,
                "pinned": input.pinned, "publish_at": publish_at, "expires_on": expires_on,
            })),
    )
    .await?;
    Ok(())
}

pub async fn withdraw(
    conn: &mut PgConnection,
    context: &AuditContext,
    grant: &Grant,
    id: Uuid,
) -> Result<(), AppError> {
    editable(conn, grant, id).await.map_err(|e| match e {
        AppError::Conflict(_) => AppError::NotFound,
        other => other,
    })?;
    sqlx::query!("UPDATE notices SET withdrawn_at = now() WHERE id = $1", id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        context,
        Entry::new("notice.withdrawn").object("notice", id),
    )
    .await?;
    Ok(())
}

/// Attaches files to a notice the grant may edit (all checked before any is stored).
pub async fn attach(
    conn: &mut PgConnection,
    storage: &Storage,
    college: CollegeId,
    context: &AuditContext,
    grant: &Grant,
    id: Uuid,
    files: &[Upload],
) -> Result<Vec<Uuid>, AppError> {
    editable(conn, grant, id).await?;
    if files.is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            "choose a file to attach",
        )]));
    }
    let kinds = uploads::check_all(files)?;
    let held: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM notice_files WHERE notice_id = $1"#,
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    if held + files.len() as i64 > MAX_FILES {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            format!("a notice holds at most {MAX_FILES} files; it has {held}"),
        )]));
    }
    let mut stored = Vec::new();
    for (upload, kind) in files.iter().zip(kinds) {
        let file = uploads::store(conn, storage, college, context.actor, upload, kind).await?;
        sqlx::query!(
            "INSERT INTO notice_files (college_id, notice_id, file_id) VALUES (app_current_college(), $1, $2)",
            id,
            file
        )
        .execute(&mut *conn)
        .await?;
        stored.push(file);
    }
    audit::record(
        conn,
        context,
        Entry::new("notice.files_attached")
            .object("notice", id)
            .after(serde_json::json!({ "files": stored })),
    )
    .await?;
    Ok(stored)
}

/// Takes a file off a notice the grant may edit.
pub async fn detach(
    conn: &mut PgConnection,
    context: &AuditContext,
    grant: &Grant,
    id: Uuid,
    file: Uuid,
) -> Result<(), AppError> {
    editable(conn, grant, id).await?;
    let done = sqlx::query!(
        "DELETE FROM notice_files WHERE notice_id = $1 AND file_id = $2",
        id,
        file
    )
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        conn,
        context,
        Entry::new("notice.file_removed")
            .object("notice", id)
            .after(serde_json::json!({ "file": file })),
    )
    .await?;
    Ok(())
}

/// What a notice form offers: the roles, programs, departments and sections to choose
/// from (sections: the current term's, or a teacher's own).
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub roles: Vec<(String, String)>,
    pub programs: Vec<(String, String)>,
    pub departments: Vec<(String, String)>,
    pub sections: Vec<(String, String)>,
}

pub async fn choices(conn: &mut PgConnection, grant: &Grant) -> Result<Choices, sqlx::Error> {
    let college_wide = grant.scope >= Scope::College;
    let sections = sqlx::query!(
        r#"SELECT s.id::text AS "id!", c.code || ' ' || s.code || ' · ' || c.title AS "label!"
           FROM sections s
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id
           WHERE CASE WHEN $1 THEN t.is_current
                      ELSE EXISTS (SELECT 1 FROM section_teachers x JOIN staff me
                                   ON me.college_id = x.college_id AND me.id = x.staff_id
                                   WHERE x.section_id = s.id AND me.user_id = $2)
                           AND t.ends_on >= current_date END
           ORDER BY c.code, s.code LIMIT 2000"#,
        college_wide,
        grant.user_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.id, r.label))
    .collect();
    if !college_wide {
        return Ok(Choices {
            sections,
            ..Choices::default()
        });
    }
    let mut roles: Vec<(String, String)> = Role::ALL
        .into_iter()
        .filter(|r| !matches!(r, Role::PlatformAdmin))
        .map(|r| (r.as_str().to_string(), r.label().to_string()))
        .collect();
    roles.extend(
        sqlx::query!("SELECT name, label FROM custom_roles ORDER BY label")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| (r.name, r.label)),
    );
    let programs = sqlx::query!(r#"SELECT id::text AS "id!", name FROM programs ORDER BY name"#)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let departments =
        sqlx::query!(r#"SELECT id::text AS "id!", name FROM departments ORDER BY name"#)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect();
    Ok(Choices {
        roles,
        programs,
        departments,
        sections,
    })
}
