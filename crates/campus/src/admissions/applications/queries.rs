//! Application queries: an application with its documents and history, an applicant's
//! applications, the applicant's steps on their own draft (start, save, attach documents,
//! submit, withdraw; each in the history and audited), the merit list, an intake's
//! applications, and who may read an application's file.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::admissions::applications::model::{
    Application, ApplicationFilter, ApplicationInput, ApplicationLine, AttachedFile, Details,
    Event, FILE_KINDS, LISTED_STATUSES, MAX_FILES, MeritLine,
};
use crate::admissions::intakes::queries as intakes;
use crate::audit::{self, AuditContext, Entry};
use crate::db::CollegeId;
use crate::error::{AppError, FieldError};
use crate::files::Storage;
use crate::files::uploads::{self, FileView, Upload};

const SELECT: &str = "SELECT a.id, a.intake_id, i.name AS intake, p.code || ' ' || p.name AS program, a.user_id, \
        u.email::text AS email, a.status, a.first_name, a.last_name, a.date_of_birth, a.phone, a.address, \
        a.previous_school, a.qualifying_percent::text AS qualifying_percent, a.statement, a.decision_reason, \
        a.submitted_at, a.student_id, \
        (i.application_fee = 0 OR EXISTS (SELECT 1 FROM payments pay WHERE pay.college_id = a.college_id \
           AND pay.application_id = a.id AND pay.status = 'paid')) AS fee_paid \
     FROM applications a JOIN intakes i ON i.college_id = a.college_id AND i.id = a.intake_id \
     JOIN programs p ON p.college_id = i.college_id AND p.id = i.program_id \
     JOIN users u ON u.college_id = a.college_id AND u.id = a.user_id";

/// Adds a step to an application's history.
pub(super) async fn event(
    conn: &mut PgConnection,
    application: Uuid,
    status: &str,
    note: &str,
    by: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO application_events (college_id, application_id, status, note, by_user) \
         VALUES (app_current_college(), $1, $2, $3, $4)",
        application,
        status,
        note,
        by
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Application, AppError> {
    let found: Option<Application> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE a.id = $1")))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    found.ok_or(AppError::NotFound)
}

/// An application for its applicant (`manager` false) or the admissions office.
pub async fn details(
    conn: &mut PgConnection,
    user: Uuid,
    manager: bool,
    id: Uuid,
) -> Result<Details, AppError> {
    let application = find(conn, id).await?;
    if !manager && application.user_id != user {
        return Err(AppError::Forbidden);
    }
    let files: Vec<(String, Uuid, String, String, i64)> = sqlx::query!(
        "SELECT af.kind, f.id, f.file_name, f.content_type, f.size_bytes FROM application_files af \
         JOIN stored_files f ON f.college_id = af.college_id AND f.id = af.file_id \
         WHERE af.application_id = $1 ORDER BY af.kind, f.file_name",
        id
    )
    .fetch_all(&mut *conn)
    .await
    .map(|v| {
        v.into_iter()
            .map(|r| (r.kind, r.id, r.file_name, r.content_type, r.size_bytes))
            .collect::<Vec<_>>()
    })?;
    let history = sqlx::query_as!(
        Event,
        "SELECT e.status, e.note, u.display_name AS \"by?\", e.at FROM application_events e \
         LEFT JOIN users u ON u.college_id = e.college_id AND u.id = e.by_user \
         WHERE e.application_id = $1 ORDER BY e.at",
        id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Details {
        application,
        files: files
            .into_iter()
            .map(
                |(kind, id, file_name, content_type, size_bytes)| AttachedFile {
                    kind,
                    file: FileView {
                        id,
                        file_name,
                        content_type,
                        size_bytes,
                    },
                },
            )
            .collect(),
        history,
    })
}

pub async fn of_user(conn: &mut PgConnection, user: Uuid) -> Result<Vec<Application>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE a.user_id = $1 ORDER BY a.created_at DESC"
    )))
    .bind(user)
    .fetch_all(conn)
    .await
}

/// Refuses an intake that is not taking applications today.
pub async fn check_open(conn: &mut PgConnection, intake: Uuid) -> Result<(), AppError> {
    let found = intakes::find(conn, intake).await?;
    if found.open {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "{} takes applications from {} to {}",
            found.name, found.opens_on, found.closes_on
        )))
    }
}

/// Starts (or returns) the user's application to an open intake.
pub async fn start(
    conn: &mut PgConnection,
    context: &AuditContext,
    user: Uuid,
    intake: Uuid,
    first_name: &str,
    last_name: &str,
) -> Result<Uuid, AppError> {
    let found = intakes::find(conn, intake).await?;
    if !found.open {
        return Err(AppError::Conflict(format!(
            "{} takes applications from {} to {}",
            found.name, found.opens_on, found.closes_on
        )));
    }
    if let Some(id) = sqlx::query_scalar!(
        "SELECT id FROM applications WHERE intake_id = $1 AND user_id = $2",
        intake,
        user
    )
    .fetch_optional(&mut *conn)
    .await?
    {
        return Ok(id);
    }
    let id: Uuid = sqlx::query_scalar!(
        "INSERT INTO applications (college_id, intake_id, user_id, first_name, last_name) \
         VALUES (app_current_college(), $1, $2, $3, $4) RETURNING id",
        intake,
        user,
        first_name.trim(),
        last_name.trim()
    )
    .fetch_one(&mut *conn)
    .await?;
    event(conn, id, "draft", "Application started", Some(user)).await?;
    audit::record(
        conn,
        context,
        Entry::new("admissions.application_started")
            .object("application", id)
            .after(serde_json::json!({ "intake_id": intake })),
    )
    .await?;
    Ok(id)
}

/// The applicant's own draft, locked for a change.
async fn own_draft(conn: &mut PgConnection, user: Uuid, id: Uuid) -> Result<Application, AppError> {
    sqlx::query!("SELECT FROM applications WHERE id = $1 FOR UPDATE", id)
        .execute(&mut *conn)
        .await?;
    let application = find(conn, id).await?;
    if application.user_id != user {
        return Err(AppError::Forbidden);
    }
    if application.status != "draft" {
        return Err(AppError::Conflict(format!(
            "this application is {}; only a draft can be changed",
            application.status.replace('_', " ")
        )));
    }
    Ok(application)
}

pub async fn save(
    conn: &mut PgConnection,
    context: &AuditContext,
    user: Uuid,
    id: Uuid,
    input: &ApplicationInput,
) -> Result<(), AppError> {
    own_draft(conn, user, id).await?;
    let mut errors = Vec::new();
    for (field, value) in [
        ("first_name", &input.first_name),
        ("last_name", &input.last_name),
    ] {
        if !(1..=100).contains(&value.trim().chars().count()) {
            errors.push(FieldError::new(field, "must be 1 to 100 characters"));
        }
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let born = if input.date_of_birth.trim().is_empty() {
        None
    } else {
        match time::Date::parse(input.date_of_birth.trim(), &format) {
            Ok(d) if d.year() > 1900 && d < OffsetDateTime::now_utc().date() => Some(d),
            _ => {
                errors.push(FieldError::new(
                    "date_of_birth",
                    "must be a past date such as 2008-04-30",
                ));
                None
            }
        }
    };
    let percent = if input.qualifying_percent.trim().is_empty() {
        None
    } else {
        match input.qualifying_percent.trim().parse::<f64>() {
            Ok(p) if (0.0..=100.0).contains(&p) && p.is_finite() => Some(format!("{p:.2}")),
            _ => {
                errors.push(FieldError::new(
                    "qualifying_percent",
                    "must be a percentage from 0 to 100",
                ));
                None
            }
        }
    };
    for (field, value, max) in [
        ("phone", &input.phone, 40),
        ("address", &input.address, 500),
        ("previous_school", &input.previous_school, 200),
        ("statement", &input.statement, 4000),
    ] {
        if value.chars().count() > max {
            errors.push(FieldError::new(
                field,
                format!("must be at most {max} characters"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    sqlx::query!("UPDATE applications SET first_name = $2, last_name = $3, date_of_birth = $4, phone = $5, address = $6, \
            previous_school = $7, qualifying_percent = $8::text::numeric, statement = $9, updated_at = now() WHERE id = $1", id, input.first_name.trim(), input.last_name.trim(), born, blank(&input.phone), blank(&input.address), blank(&input.previous_school), percent, input.statement.trim())
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("admissions.application_saved").object("application", id),
    )
    .await?;
    Ok(())
}

/// Attaches documents of one kind to the applicant's draft (checked before anything
/// is stored).
#[allow(clippy::too_many_arguments)]
pub async fn attach(
    conn: &mut PgConnection,
    storage: &Storage,
    college: CollegeId,
    context: &AuditContext,
    user: Uuid,
    id: Uuid,
    kind: &str,
    files: &[Upload],
) -> Result<usize, AppError> {
    own_draft(conn, user, id).await?;
    if !FILE_KINDS.contains(&kind) {
        return Err(AppError::Validation(vec![FieldError::new(
            "kind",
            "must be transcript, identity, photo or other",
        )]));
    }
    if files.is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            "choose a file",
        )]));
    }
    let kinds = uploads::check_all(files)?;
    if kind == "photo" && kinds.iter().any(|k| !k.starts_with("image/")) {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            "a photo must be a PNG, JPEG or GIF image",
        )]));
    }
    let held: i64 = sqlx::query_scalar!(
        "SELECT count(*) AS \"v!\" FROM application_files WHERE application_id = $1",
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    if held + files.len() as i64 > MAX_FILES {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            format!("an application holds at most {MAX_FILES} documents"),
        )]));
    }
    for (upload, content_type) in files.iter().zip(kinds) {
        let file = uploads::store(conn, storage, college, Some(user), upload, content_type).await?;
        sqlx::query!("INSERT INTO application_files (college_id, application_id, file_id, kind) VALUES (app_current_college(), $1, $2, $3)", id, file, kind)
        .execute(&mut *conn)
        .await?;
    }
    audit::record(
        conn,
        context,
        Entry::new("admissions.documents_attached")
            .object("application", id)
            .after(serde_json::json!({ "kind": kind, "files": files.len() })),
    )
    .await?;
    Ok(files.len())
}

/// Submits the applicant's draft: details complete, a transcript attached, the fee paid,
/// the intake still open.
pub async fn submit(
    conn: &mut PgConnection,
    context: &AuditContext,
    user: Uuid,
    id: Uuid,
) -> Result<(), AppError> {
    let application = own_draft(conn, user, id).await?;
    let intake = intakes::find(conn, application.intake_id).await?;
    let mut errors = Vec::new();
    if application.date_of_birth.is_none() {
        errors.push(FieldError::new("date_of_birth", "give your date of birth"));
    }
    if application.qualifying_percent.is_none() {
        errors.push(FieldError::new(
            "qualifying_percent",
            "give your qualifying examination's percentage",
        ));
    }
    let transcripts: i64 = sqlx::query_scalar!(
        "SELECT count(*) AS \"v!\" FROM application_files WHERE application_id = $1 AND kind = 'transcript'",
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    if transcripts == 0 {
        errors.push(FieldError::new("file", "attach your qualifying transcript"));
    }
    if !application.fee_paid {
        errors.push(FieldError::new("fee", "pay the application fee first"));
    }
    if !intake.open {
        errors.push(FieldError::new(
            "intake",
            format!("{} closed on {}", intake.name, intake.closes_on),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    sqlx::query!("UPDATE applications SET status = 'submitted', submitted_at = now(), updated_at = now() WHERE id = $1", id)
    .execute(&mut *conn)
    .await?;
    event(conn, id, "submitted", "Submitted for review", Some(user)).await?;
    audit::record(
        conn,
        context,
        Entry::new("admissions.application_submitted").object("application", id),
    )
    .await?;
    Ok(())
}

/// The applicant withdraws an application not yet decided.
pub async fn withdraw(
    conn: &mut PgConnection,
    context: &AuditContext,
    user: Uuid,
    id: Uuid,
) -> Result<(), AppError> {
    sqlx::query!("SELECT FROM applications WHERE id = $1 FOR UPDATE", id)
        .execute(&mut *conn)
        .await?;
    let application = find(conn, id).await?;
    if application.user_id != user {
        return Err(AppError::Forbidden);
    }
    if !["draft", "submitted", "under_review", "waitlisted"].contains(&application.status.as_str())
    {
        return Err(AppError::Conflict(format!(
            "this application is {} and cannot be withdrawn",
            application.status
        )));
    }
    sqlx::query!(
        "UPDATE applications SET status = 'withdrawn', updated_at = now() WHERE id = $1",
        id
    )
    .execute(&mut *conn)
    .await?;
    event(
        conn,
        id,
        "withdrawn",
        "Withdrawn by the applicant",
        Some(user),
    )
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("admissions.application_withdrawn").object("application", id),
    )
    .await?;
    Ok(())
}

/// The intake's merit list: every application still in the running or decided, ranked.
pub async fn merit_list(
    conn: &mut PgConnection,
    intake: Uuid,
) -> Result<Vec<MeritLine>, sqlx::Error> {
    sqlx::query_as!(MeritLine, "SELECT row_number() OVER (ORDER BY a.qualifying_percent DESC NULLS LAST, a.submitted_at, a.id) AS \"rank!\", \
            a.id AS \"application_id!\", a.first_name || ' ' || a.last_name AS \"name!\", \
            a.qualifying_percent::text AS \"qualifying_percent?\", a.status, a.submitted_at AS \"submitted_at?\" \
         FROM applications a WHERE a.intake_id = $1 \
           AND a.status IN ('submitted', 'under_review', 'accepted', 'waitlisted', 'rejected') \
         ORDER BY 1", intake)
    .fetch_all(conn)
    .await
}

/// Applications of an intake for the admissions office, by status (all when empty).
pub async fn of_intake(
    conn: &mut PgConnection,
    intake: Uuid,
    status: &str,
) -> Result<Vec<Application>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE a.intake_id = $1 AND a.status <> 'draft' AND ($2 = '' OR a.status = $2) \
         ORDER BY a.qualifying_percent DESC NULLS LAST, a.submitted_at"
    )))
    .bind(intake)
    .bind(status)
    .fetch_all(conn)
    .await
}

/// One page of an intake's applications for the admissions office (or, for its CSV, up
/// to `limit` from the first): those `filter` selects, drafts never, sorted by one of
/// `APPLICATION_SORTS` in the direction asked, the merit rank and then the id breaking
/// ties. `sort` only chooses among fixed columns; it is never placed in the statement.
/// The rank is the merit list's (the filters do not change it); each row carries how
/// many applications the filters select.
pub async fn page_of_intake(
    conn: &mut PgConnection,
    intake: Uuid,
    filter: &ApplicationFilter,
    sort: &str,
    desc: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<ApplicationLine>, AppError> {
    if !filter.status.is_empty() && !LISTED_STATUSES.contains(&filter.status.as_str()) {
        return Err(AppError::Validation(vec![FieldError::new(
            "status",
            "must be submitted, under_review, waitlisted, accepted, rejected or withdrawn",
        )]));
    }
    let mut sql = sqlx::QueryBuilder::<sqlx::Postgres>::new(
        "SELECT a.id, a.first_name || ' ' || a.last_name AS name, u.email::text AS email, \
            a.qualifying_percent::text AS qualifying_percent, a.status, a.submitted_at, m.rank, \
            count(*) OVER () AS total \
         FROM applications a JOIN users u ON u.college_id = a.college_id AND u.id = a.user_id \
         LEFT JOIN (SELECT college_id, id, \
                row_number() OVER (ORDER BY qualifying_percent DESC NULLS LAST, submitted_at, id) AS rank \
              FROM applications WHERE intake_id = ",
    );
    sql.push_bind(intake)
        .push(
            " AND status IN ('submitted', 'under_review', 'accepted', 'waitlisted', 'rejected')) m \
             ON m.college_id = a.college_id AND m.id = a.id \
             WHERE a.status <> 'draft' AND a.intake_id = ",
        )
        .push_bind(intake);
    if !filter.status.is_empty() {
        sql.push(" AND a.status = ")
            .push_bind(filter.status.clone());
    }
    let q = filter.q.trim();
    if !q.is_empty() {
        sql.push(
            " AND strpos(lower(a.first_name || ' ' || a.last_name || ' ' || u.email::text), lower(",
        )
        .push_bind(q.to_string())
        .push(")) > 0");
    }
    let column = match sort {
        "name" => "lower(a.first_name || ' ' || a.last_name)",
        "percent" => "a.qualifying_percent",
        // Statuses in the order an application goes through them.
        "status" => {
            "array_position(ARRAY['submitted', 'under_review', 'waitlisted', 'accepted', 'rejected', 'withdrawn'], a.status)"
        }
        "submitted" => "a.submitted_at",
        _ => "m.rank",
    };
    sql.push(" ORDER BY ")
        .push(column)
        .push(if desc { " DESC" } else { " ASC" })
        .push(" NULLS LAST, m.rank NULLS LAST, a.id LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    Ok(sql.build_query_as().fetch_all(conn).await?)
}

/// Who may read an application's file: its applicant and the admissions office. `None`
/// when the file is not an application's.
pub async fn may_read_file(
    conn: &mut PgConnection,
    principal: &Principal,
    file: Uuid,
) -> Result<Option<bool>, sqlx::Error> {
    let applicant: Option<Uuid> = sqlx::query_scalar!("SELECT a.user_id FROM application_files af JOIN applications a \
           ON a.college_id = af.college_id AND a.id = af.application_id WHERE af.file_id = $1 LIMIT 1", file)
    .fetch_optional(conn)
    .await?;
    Ok(applicant.map(|applicant| {
        applicant == principal.user_id
            || principal.can(crate::access::permissions::Permission::AdmissionsManage)
    }))
}
