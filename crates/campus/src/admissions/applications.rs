//! Applications: an applicant fills in a draft, attaches documents, pays the fee and
//! submits; the college reviews, ranks by merit, and accepts within the intake's seats,
//! waitlists or rejects with a reason. Acceptance makes the student record, gives the
//! account the student role, keeps the documents on the record, and mails the applicant.
//! Every step is in the application's history (which the applicant sees) and audited.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::admissions::intakes::{self, Intake};
use crate::audit::{self, AuditContext, Entry};
use crate::db::CollegeId;
use crate::error::{AppError, FieldError};
use crate::files::Storage;
use crate::files::uploads::{self, FileView, Upload};

pub const FILE_KINDS: [&str; 4] = ["transcript", "identity", "photo", "other"];
const MAX_FILES: i64 = 10;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Application {
    pub id: Uuid,
    pub intake_id: Uuid,
    pub intake: String,
    pub program: String,
    pub user_id: Uuid,
    pub email: String,
    /// draft, submitted, under_review, accepted, waitlisted, rejected or withdrawn.
    pub status: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(serialize_with = "crate::web::json::optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<time::Date>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub previous_school: Option<String>,
    /// The qualifying examination's percentage, e.g. `87.50`.
    pub qualifying_percent: Option<String>,
    pub statement: String,
    pub decision_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    pub student_id: Option<Uuid>,
    /// Whether the fee (if any) is paid.
    pub fee_paid: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Event {
    pub status: String,
    pub note: String,
    pub by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachedFile {
    pub kind: String,
    #[serde(flatten)]
    pub file: FileView,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Details {
    pub application: Application,
    pub files: Vec<AttachedFile>,
    /// Oldest first.
    pub history: Vec<Event>,
}

const SELECT: &str = "SELECT a.id, a.intake_id, i.name AS intake, p.code || ' ' || p.name AS program, a.user_id, \
        u.email::text AS email, a.status, a.first_name, a.last_name, a.date_of_birth, a.phone, a.address, \
        a.previous_school, a.qualifying_percent::text AS qualifying_percent, a.statement, a.decision_reason, \
        a.submitted_at, a.student_id, \
        (i.application_fee = 0 OR EXISTS (SELECT 1 FROM payments pay WHERE pay.college_id = a.college_id \
           AND pay.application_id = a.id AND pay.status = 'paid')) AS fee_paid \
     FROM applications a JOIN intakes i ON i.college_id = a.college_id AND i.id = a.intake_id \
     JOIN programs p ON p.college_id = i.college_id AND p.id = i.program_id \
     JOIN users u ON u.college_id = a.college_id AND u.id = a.user_id";

async fn event(
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

/// Starts (or returns) the user's application to an open intake.
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

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ApplicationInput {
    pub first_name: String,
    pub last_name: String,
    /// e.g. `2008-04-30`.
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub previous_school: String,
    /// The qualifying examination's percentage, 0 to 100.
    #[serde(default)]
    pub qualifying_percent: String,
    /// Why this program (at most 4,000 characters).
    #[serde(default)]
    pub statement: String,
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

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct MeritLine {
    /// 1 for the best, by qualifying percentage then by who submitted first.
    pub rank: i64,
    pub application_id: Uuid,
    pub name: String,
    pub qualifying_percent: Option<String>,
    pub status: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
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

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = ApplicationDecision)]
pub struct DecisionInput {
    /// under_review, accepted, waitlisted or rejected.
    pub status: String,
    /// Required to reject; shown to the applicant.
    #[serde(default)]
    pub reason: String,
}

/// The admissions office moves an application on. Accepting checks the seats left.
pub async fn decide(
    conn: &mut PgConnection,
    context: &AuditContext,
    base_url: &str,
    id: Uuid,
    input: &DecisionInput,
) -> Result<(), AppError> {
    let reason = input.reason.trim();
    if !["under_review", "accepted", "waitlisted", "rejected"].contains(&input.status.as_str()) {
        return Err(AppError::Validation(vec![FieldError::new(
            "status",
            "must be under_review, accepted, waitlisted or rejected",
        )]));
    }
    if reason.chars().count() > 1000 || (input.status == "rejected" && reason.chars().count() < 3) {
        return Err(AppError::Validation(vec![FieldError::new(
            "reason",
            "a rejection says why (3 to 1,000 characters)",
        )]));
    }
    let intake: Option<Uuid> =
        sqlx::query_scalar!("SELECT intake_id FROM applications WHERE id = $1", id)
            .fetch_optional(&mut *conn)
            .await?;
    let intake = intake.ok_or(AppError::NotFound)?;
    // The intake's row first, then the application's: acceptances take turns per intake.
    sqlx::query!("SELECT FROM intakes WHERE id = $1 FOR UPDATE", intake)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("SELECT FROM applications WHERE id = $1 FOR UPDATE", id)
        .execute(&mut *conn)
        .await?;
    let application = find(conn, id).await?;
    let allowed_from: &[&str] = match input.status.as_str() {
        "under_review" => &["submitted", "waitlisted"],
        _ => &["submitted", "under_review", "waitlisted"],
    };
    if !allowed_from.contains(&application.status.as_str()) {
        return Err(AppError::Conflict(format!(
            "this application is {}; it cannot become {}",
            application.status.replace('_', " "),
            input.status.replace('_', " ")
        )));
    }
    if input.status == "accepted" {
        accept(conn, context, base_url, &application, reason).await
    } else {
        set_status(
            conn,
            context,
            id,
            &application.status,
            &input.status,
            reason,
        )
        .await
    }
}

async fn set_status(
    conn: &mut PgConnection,
    context: &AuditContext,
    id: Uuid,
    from: &str,
    to: &str,
    reason: &str,
) -> Result<(), AppError> {
    sqlx::query!("UPDATE applications SET status = $2, decision_reason = nullif($3, ''), updated_at = now() WHERE id = $1", id, to, reason)
    .execute(&mut *conn)
    .await?;
    let note = match to {
        "under_review" => "Under review by the admissions office".to_string(),
        "waitlisted" => format!(
            "Waitlisted{}",
            if reason.is_empty() {
                String::new()
            } else {
                format!(": {reason}")
            }
        ),
        _ => format!("Not admitted: {reason}"),
    };
    event(conn, id, to, &note, context.actor).await?;
    audit::record(
        conn,
        context,
        Entry::new("admissions.application_decided")
            .object("application", id)
            .before(serde_json::json!({ "status": from }))
            .after(serde_json::json!({ "status": to, "reason": reason })),
    )
    .await?;
    Ok(())
}

/// A student number for an intake's year: the year and a running number (`20270001`).
async fn next_student_number(conn: &mut PgConnection, year: i32) -> Result<String, sqlx::Error> {
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtext('student_numbers:' || app_current_college()::text))"
    )
    .execute(&mut *conn)
    .await?;
    let last: Option<i64> = sqlx::query_scalar!("SELECT max(substr(student_number, 5)::int8) FROM students WHERE student_number ~ ('^' || $1::text || '[0-9]{4,}$')", year.to_string())
    .fetch_one(&mut *conn)
    .await?;
    Ok(format!("{year}{:04}", last.unwrap_or(0) + 1))
}

async fn accept(
    conn: &mut PgConnection,
    context: &AuditContext,
    base_url: &str,
    application: &Application,
    reason: &str,
) -> Result<(), AppError> {
    let intake: Intake = intakes::find(conn, application.intake_id).await?;
    if intake.seats_left() == 0 {
        return Err(AppError::Conflict(format!(
            "all {} seats of {} are taken; waitlist the applicant instead",
            intake.seats, intake.name
        )));
    }
    let number = next_student_number(conn, intake.admits_on.year()).await?;
    let student: Uuid = sqlx::query_scalar!("INSERT INTO students (college_id, user_id, student_number, first_name, last_name, date_of_birth, email, \
            phone, address, program_id, admitted_on) \
         SELECT app_current_college(), a.user_id, $2, a.first_name, a.last_name, a.date_of_birth, u.email, a.phone, \
            a.address, i.program_id, i.admits_on \
         FROM applications a JOIN intakes i ON i.college_id = a.college_id AND i.id = a.intake_id \
         JOIN users u ON u.college_id = a.college_id AND u.id = a.user_id WHERE a.id = $1 RETURNING id", application.id, &number)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.constraint() == Some("students_user_unique") => {
            AppError::Conflict("this applicant's account already has a student record".into())
        }
        other => other.into(),
    })?;
    sqlx::query!("INSERT INTO role_assignments (college_id, user_id, role) VALUES (app_current_college(), $1, 'student') \
         ON CONFLICT DO NOTHING", application.user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query!("INSERT INTO student_documents (college_id, student_id, file_id, kind, added_by) \
         SELECT app_current_college(), $2, file_id, kind, $3 FROM application_files WHERE application_id = $1", application.id, student, context.actor)
    .execute(&mut *conn)
    .await?;
    sqlx::query!("UPDATE applications SET status = 'accepted', student_id = $2, decision_reason = nullif($3, ''), \
            updated_at = now() WHERE id = $1", application.id, student, reason)
    .execute(&mut *conn)
    .await?;
    // The enrollment starts at the college's first step.
    sqlx::query!("INSERT INTO enrollment_progress (college_id, student_id, step_id, remark, recorded_by) \
         SELECT app_current_college(), $1, id, $2, $3 FROM enrollment_steps WHERE active ORDER BY position LIMIT 1", student, format!("Admitted through {}", intake.name), context.actor)
    .execute(&mut *conn)
    .await?;
    event(
        conn,
        application.id,
        "accepted",
        &format!("Admitted to {}; student number {number}", intake.program),
        context.actor,
    )
    .await?;
    let (college, slug): (String, String) = sqlx::query!("SELECT name, slug FROM colleges")
        .fetch_one(&mut *conn)
        .await
        .map(|r| (r.name, r.slug))?;
    let body = format!(
        "Dear {} {},\n\nCongratulations: {college} has admitted you to {} ({}). Your student number is \
         {number}; classes begin on {}.\n\nSign in with the account you applied with to see your enrollment \
         steps and timetable:\n\n{}/c/{slug}/login\n",
        application.first_name,
        application.last_name,
        intake.program,
        intake.name,
        intake.admits_on,
        base_url.trim_end_matches('/'),
    );
    crate::mail::queue(
        conn,
        &application.email,
        &format!("Admitted to {college}"),
        &body,
    )
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("admissions.application_accepted")
            .object("application", application.id)
            .before(serde_json::json!({ "status": application.status }))
            .after(serde_json::json!({ "status": "accepted", "student_id": student, "student_number": number })),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Allocation {
    pub accepted: usize,
    pub waitlisted: usize,
    pub seats_left: i64,
}

/// Fills the intake's remaining seats from the merit list: the best-ranked candidates
/// still in the running are accepted up to the seats left, the rest waitlisted.
pub async fn allocate(
    conn: &mut PgConnection,
    context: &AuditContext,
    base_url: &str,
    intake: Uuid,
) -> Result<Allocation, AppError> {
    sqlx::query!("SELECT FROM intakes WHERE id = $1 FOR UPDATE", intake)
        .execute(&mut *conn)
        .await?;
    let found = intakes::find(conn, intake).await?;
    let mut left = found.seats_left();
    let candidates: Vec<Uuid> = sqlx::query_scalar!("SELECT id FROM applications WHERE intake_id = $1 AND status IN ('submitted', 'under_review', 'waitlisted') \
         ORDER BY qualifying_percent DESC NULLS LAST, submitted_at, id FOR UPDATE", intake)
    .fetch_all(&mut *conn)
    .await?;
    let (mut accepted, mut waitlisted) = (0, 0);
    for id in candidates {
        let application = find(conn, id).await?;
        if left > 0 {
            accept(conn, context, base_url, &application, "Allocated by merit").await?;
            left -= 1;
            accepted += 1;
        } else if application.status != "waitlisted" {
            set_status(
                conn,
                context,
                id,
                &application.status,
                "waitlisted",
                "by merit rank",
            )
            .await?;
            waitlisted += 1;
        }
    }
    audit::record(
        conn,
        context,
        Entry::new("admissions.seats_allocated")
            .object("intake", intake)
            .after(serde_json::json!({ "accepted": accepted, "waitlisted": waitlisted, "seats_left": left })),
    )
    .await?;
    Ok(Allocation {
        accepted,
        waitlisted,
        seats_left: left,
    })
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
