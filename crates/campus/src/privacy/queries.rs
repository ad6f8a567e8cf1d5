//! Privacy queries: what the export gathers (a JSON section per kind of record, the
//! count of guidance notes, every stored file of the student), and the erasure itself.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};
use crate::privacy::model::{Erased, Leaving};

/// What the export holds, section by section: a name and the query of its rows (`$1` is
/// the student, `$2` their account).
const SECTIONS: [(&str, &str); 22] = [
    (
        "student",
        "SELECT s.*, p.code AS program_code, p.name AS program_name FROM students s JOIN programs p ON p.college_id = s.college_id AND p.id = s.program_id WHERE s.id = $1",
    ),
    (
        "account",
        "SELECT id, email, display_name, status, created_at, last_login_at, email_verified_at FROM users WHERE id = $2",
    ),
    (
        "roles",
        "SELECT role, created_at FROM role_assignments WHERE user_id = $2",
    ),
    (
        "status_history",
        "SELECT from_status, to_status, effective_on, reason, changed_at FROM student_status_history WHERE student_id = $1 ORDER BY changed_at",
    ),
    (
        "guardians",
        "SELECT g.first_name, g.last_name, g.email, g.phone, g.address, l.relationship, l.is_primary, l.confirmed_at FROM student_guardians l JOIN guardians g ON g.college_id = l.college_id AND g.id = l.guardian_id WHERE l.student_id = $1",
    ),
    (
        "enrollments",
        "SELECT c.code AS course, s.code AS section, t.name AS term, e.status, e.created_at FROM enrollments e JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id WHERE e.student_id = $1",
    ),
    (
        "attendance",
        "SELECT c.code AS course, cs.held_on, a.status, a.marked_at FROM attendance a JOIN class_sessions cs ON cs.college_id = a.college_id AND cs.id = a.session_id JOIN sections s ON s.college_id = cs.college_id AND s.id = cs.section_id JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id WHERE a.student_id = $1 ORDER BY cs.held_on",
    ),
    (
        "marks",
        "SELECT c.code AS course, x.name AS assessment, m.score, x.max_marks, m.entered_at FROM marks m JOIN assessments x ON x.college_id = m.college_id AND x.id = m.assessment_id JOIN sections s ON s.college_id = x.college_id AND s.id = x.section_id JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id WHERE m.student_id = $1",
    ),
    (
        "results",
        "SELECT c.code AS course, t.name AS term, r.percent, r.letter, r.grade_points, r.passed FROM results r JOIN sections s ON s.college_id = r.college_id AND s.id = r.section_id JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id WHERE r.student_id = $1",
    ),
    (
        "submissions",
        "SELECT a.title AS assignment, sb.body, sb.submitted_at, sb.late, sb.feedback FROM submissions sb JOIN assignments a ON a.college_id = sb.college_id AND a.id = sb.assignment_id WHERE sb.student_id = $1",
    ),
    (
        "achievements",
        "SELECT title, category, achieved_on, organiser, description, status, points, decided_at, decision_comment FROM achievements WHERE student_id = $1",
    ),
    (
        "enrollment_progress",
        "SELECT s.name AS step, p.remark, p.recorded_at FROM enrollment_progress p JOIN enrollment_steps s ON s.college_id = p.college_id AND s.id = p.step_id WHERE p.student_id = $1 ORDER BY p.recorded_at",
    ),
    (
        "issued_documents",
        "SELECT kind, code, issued_at, revoked_at, contents FROM issued_documents WHERE student_id = $1",
    ),
    (
        "applications",
        "SELECT i.name AS intake, a.status, a.first_name, a.last_name, a.date_of_birth, a.phone, a.address, a.previous_school, a.qualifying_percent, a.statement, a.decision_reason, a.submitted_at FROM applications a JOIN intakes i ON i.college_id = a.college_id AND i.id = a.intake_id WHERE a.user_id = $2 OR a.student_id = $1",
    ),
    (
        "payments",
        "SELECT p.amount, p.currency, p.gateway, p.status, p.created_at, p.settled_at FROM payments p JOIN applications a ON a.college_id = p.college_id AND a.id = p.application_id WHERE a.user_id = $2 OR a.student_id = $1",
    ),
    (
        "leave_requests",
        "SELECT starts_on, ends_on, reason, status, created_at FROM leave_requests WHERE user_id = $2 OR student_id = $1",
    ),
    (
        "tickets",
        "SELECT number, category, title, body, status, created_at FROM tickets WHERE requester_id = $2",
    ),
    (
        "ticket_comments",
        "SELECT t.number AS ticket, c.body, c.created_at FROM ticket_comments c JOIN tickets t ON t.college_id = c.college_id AND t.id = c.ticket_id WHERE c.author_id = $2",
    ),
    (
        "guardian_link_requests",
        "SELECT student_number, relationship, status, created_at FROM guardian_link_requests WHERE student_id = $1",
    ),
    (
        "sessions",
        "SELECT created_at, last_seen_at, expires_at, revoked_at FROM sessions WHERE user_id = $2",
    ),
    (
        "carried_requirements",
        "SELECT c.code AS course, cr.carried_at, cr.cleared_at FROM carried_requirements cr JOIN courses c ON c.college_id = cr.college_id AND c.id = cr.course_id WHERE cr.student_id = $1",
    ),
    (
        "course_completions",
        "SELECT c.code AS course, cc.completed_on FROM course_completions cc JOIN courses c ON c.college_id = cc.college_id AND c.id = cc.course_id WHERE cc.student_id = $1",
    ),
];

/// Every stored file of a student: their record's documents, their applications',
/// their achievements' evidence and their hand-ins. (id, storage key, name).
const FILES: &str = "SELECT f.id, f.storage_key, f.file_name FROM stored_files f WHERE f.id IN ( \
        SELECT file_id FROM student_documents WHERE student_id = $1 \
        UNION SELECT af.file_id FROM application_files af JOIN applications a ON a.college_id = af.college_id AND a.id = af.application_id WHERE a.user_id = $2 OR a.student_id = $1 \
        UNION SELECT af.file_id FROM achievement_files af JOIN achievements a ON a.college_id = af.college_id AND a.id = af.achievement_id WHERE a.student_id = $1 \
        UNION SELECT sf.file_id FROM submission_files sf JOIN submissions s ON s.college_id = sf.college_id AND s.id = sf.submission_id WHERE s.student_id = $1)";

/// The student's account, if they have one (`NotFound` for no such student).
pub async fn account_of(conn: &mut PgConnection, student: Uuid) -> Result<Option<Uuid>, AppError> {
    let row: Option<Option<Uuid>> =
        sqlx::query_scalar!("SELECT user_id FROM students WHERE id = $1", student)
            .fetch_optional(&mut *conn)
            .await?;
    row.ok_or(AppError::NotFound)
}

/// Every section of the export, each a JSON array of its rows.
pub async fn sections(
    conn: &mut PgConnection,
    student: Uuid,
    user: Option<Uuid>,
) -> Result<serde_json::Map<String, serde_json::Value>, sqlx::Error> {
    let mut document = serde_json::Map::new();
    for (name, sql) in SECTIONS {
        let rows: serde_json::Value = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT coalesce(json_agg(row_to_json(t)), '[]'::json) FROM ({sql}) t"
        )))
        .bind(student)
        .bind(user)
        .fetch_one(&mut *conn)
        .await?;
        document.insert(name.to_string(), rows);
    }
    Ok(document)
}

/// How many guidance notes there are about the student (the export counts them only).
pub async fn guidance_note_count(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT count(*) AS \"v!\" FROM guidance_notes WHERE student_id = $1",
        student
    )
    .fetch_one(conn)
    .await
}

/// Every stored file of the student: (id, storage key, name).
pub async fn files_of(
    conn: &mut PgConnection,
    student: Uuid,
    user: Option<Uuid>,
) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    sqlx::query_as(FILES)
        .bind(student)
        .bind(user)
        .fetch_all(conn)
        .await
}

/// A student's number, for the erase form's confirmation.
pub async fn student_number(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT student_number FROM students WHERE id = $1", student)
        .fetch_optional(conn)
        .await
}

/// Erases a former student's personal data once the college's retention period since
/// they left has passed. What remains is an anonymous academic record.
pub async fn erase(
    conn: &mut PgConnection,
    context: &AuditContext,
    student: Uuid,
) -> Result<Erased, AppError> {
    let row: Option<Leaving> = sqlx::query_as!(
        Leaving,
        "SELECT s.status, s.user_id AS \"user_id?\", \
            (SELECT max(h.effective_on) FROM student_status_history h WHERE h.student_id = s.id \
               AND h.to_status IN ('graduated', 'withdrawn')) AS \"left_on?\", \
            (SELECT retention_years FROM colleges) AS \"years!\", current_date AS \"today!\" \
         FROM students s WHERE s.id = $1 FOR UPDATE",
        student
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Leaving {
        status,
        user_id: user,
        left_on,
        years,
        today,
    } = row.ok_or(AppError::NotFound)?;
    if !["graduated", "withdrawn"].contains(&status.as_str()) {
        return Err(AppError::Conflict(format!(
            "only a former student (graduated or withdrawn) is erased; this one is {status}"
        )));
    }
    let Some(left_on) = left_on else {
        return Err(AppError::Conflict(
            "the record does not say when the student left; record the status change first".into(),
        ));
    };
    let until = left_on
        .replace_year(left_on.year() + i32::from(years))
        .unwrap_or(left_on.saturating_add(time::Duration::days(365 * i64::from(years))));
    if today < until {
        return Err(AppError::Validation(vec![FieldError::new(
            "retention",
            format!(
                "the college keeps records {years} years after a student leaves; this one may be erased from {until}"
            ),
        )]));
    }
    let files: Vec<(Uuid, String, String)> = sqlx::query_as(FILES)
        .bind(student)
        .bind(user)
        .fetch_all(&mut *conn)
        .await?;
    let anonymous = format!("X{}", &student.simple().to_string()[..12].to_uppercase());
    // Guardians linked to nobody else go, with their accounts' access.
    let guardians: Vec<(Uuid, Option<Uuid>)> = sqlx::query!("SELECT g.id, g.user_id FROM student_guardians l JOIN guardians g ON g.college_id = l.college_id AND g.id = l.guardian_id \
         WHERE l.student_id = $1 AND NOT EXISTS (SELECT 1 FROM student_guardians o WHERE o.guardian_id = g.id AND o.student_id <> $1)", student)
    .fetch_all(&mut *conn)
    .await.map(|v| v.into_iter().map(|r| (r.id, r.user_id)).collect::<Vec<_>>())?;
    sqlx::query!(
        "DELETE FROM student_guardians WHERE student_id = $1",
        student
    )
    .execute(&mut *conn)
    .await?;
    let guardian_ids: Vec<Uuid> = guardians.iter().map(|g| g.0).collect();
    let guardian_users: Vec<Uuid> = guardians.iter().filter_map(|g| g.1).collect();
    let removed = sqlx::query!("DELETE FROM guardians WHERE id = ANY($1)", &guardian_ids)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    let mut accounts = guardian_users;
    accounts.extend(user);
    for account in &accounts {
        sqlx::query!("UPDATE users SET email = 'erased-' || id || '@erased.invalid', display_name = 'Erased account', \
                status = 'deactivated', password_hash = NULL, national_id_enc = NULL, totp_secret_enc = NULL, \
                totp_pending_enc = NULL, totp_enabled_at = NULL, updated_at = now() WHERE id = $1", account)
        .execute(&mut *conn)
        .await?;
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM refresh_tokens WHERE user_id = $1",
            "DELETE FROM role_assignments WHERE user_id = $1",
            "DELETE FROM recovery_codes WHERE user_id = $1",
            "DELETE FROM account_tokens WHERE user_id = $1",
            "DELETE FROM tickets WHERE requester_id = $1",
            "DELETE FROM guardian_link_requests WHERE user_id = $1",
            "DELETE FROM leave_requests WHERE user_id = $1",
        ] {
            sqlx::query(sql).bind(account).execute(&mut *conn).await?;
        }
    }
    for sql in [
        "DELETE FROM achievements WHERE student_id = $1",
        "DELETE FROM guidance_notes WHERE student_id = $1",
        "DELETE FROM enrollment_progress WHERE student_id = $1",
        "DELETE FROM student_documents WHERE student_id = $1",
        "DELETE FROM attendance_alerts WHERE student_id = $1",
        "UPDATE submissions SET body = '' WHERE student_id = $1",
        "UPDATE student_status_history SET reason = 'erased' WHERE student_id = $1",
    ] {
        sqlx::query(sql).bind(student).execute(&mut *conn).await?;
    }
    sqlx::query!("UPDATE applications SET first_name = 'Erased', last_name = 'Applicant', date_of_birth = NULL, phone = NULL, \
            address = NULL, previous_school = NULL, statement = '', updated_at = now() WHERE student_id = $1 OR user_id = $2", student, user)
    .execute(&mut *conn)
    .await?;
    // Documents already issued still verify, naming nobody.
    sqlx::query!("UPDATE issued_documents SET contents = contents || jsonb_build_object('student_name', 'Erased on request', 'student_number', $2::text) \
         WHERE student_id = $1", student, &anonymous)
    .execute(&mut *conn)
    .await?;
    sqlx::query!("UPDATE students SET student_number = $2, first_name = 'Erased', last_name = 'Student', email = NULL, \
            phone = NULL, address = NULL, date_of_birth = NULL, user_id = NULL, advisor_staff_id = NULL WHERE id = $1", student, &anonymous)
    .execute(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = files.iter().map(|f| f.0).collect();
    sqlx::query!("DELETE FROM stored_files WHERE id = ANY($1)", &ids)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        context,
        Entry::new("privacy.erased")
            .object("student", student)
            .after(serde_json::json!({ "files": files.len(), "guardians": removed, "anonymous_number": anonymous })),
    )
    .await?;
    Ok(Erased {
        files: files.len(),
        guardians: removed,
        anonymous_number: anonymous,
        file_keys: files.into_iter().map(|f| f.1).collect(),
    })
}
