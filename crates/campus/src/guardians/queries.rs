//! Links between parent accounts and students. A parent asks (giving the child's number
//! and date of birth, which only a family knows together); the college confirms or
//! refuses; only confirmed links (rows of `student_guardians`) let a parent see a child.
//! Staff may also link a parent account directly. Every step is audited.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};
use crate::guardians::model::{
    DecisionInput, DirectLinkInput, LinkRequest, LinkRequestInput, RELATIONSHIPS,
};

/// Requests one account may make in a day, matched or not: enough for a family, too few
/// to guess a child's date of birth.
const REQUESTS_PER_DAY: i64 = 5;

/// Records a parent's request and answers with its id, whether or not a student has
/// that number and date of birth: the answer must not let anyone test pairs. A request
/// that matches no student waits for the college like any other (the college sees that
/// nothing matched and declines it); asking again for a child already asked for answers
/// with the waiting request. Five a day per account, counted under a lock, so requests
/// sent at once cannot slip past the limit together.
pub async fn request(
    conn: &mut PgConnection,
    context: &AuditContext,
    user: Uuid,
    input: &LinkRequestInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    let number = input.student_number.trim().to_uppercase();
    if number.is_empty() || number.chars().count() > 40 {
        errors.push(FieldError::new(
            "student_number",
            "give the student number (as on the ID card)",
        ));
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let born = time::Date::parse(input.date_of_birth.trim(), &format).ok();
    if born.is_none() {
        errors.push(FieldError::new(
            "date_of_birth",
            "must be a date such as 2008-04-30",
        ));
    }
    if !RELATIONSHIPS.contains(&input.relationship.as_str()) {
        errors.push(FieldError::new(
            "relationship",
            "must be mother, father, guardian, grandparent, sibling, aunt, uncle or other",
        ));
    }
    if input.note.chars().count() > 1000 {
        errors.push(FieldError::new("note", "must be at most 1,000 characters"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    // One account's requests take turns: the count below and the insert after it see
    // every earlier request of the account, committed.
    crate::db::take_turns(conn, "guardian-link", user).await?;
    let recent: i64 = sqlx::query_scalar!("SELECT count(*) AS \"v!\" FROM guardian_link_requests WHERE user_id = $1 AND created_at > now() - interval '1 day'", user)
    .fetch_one(&mut *conn)
    .await?;
    if recent >= REQUESTS_PER_DAY {
        return Err(AppError::TooManyRequests {
            retry_after_secs: 24 * 3600,
        });
    }
    let student: Option<Uuid> = sqlx::query_scalar!(
        "SELECT id FROM students WHERE student_number = $1 AND date_of_birth = $2",
        &number,
        born
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(student) = student else {
        let id: Uuid = sqlx::query_scalar!("INSERT INTO guardian_link_requests (college_id, user_id, student_number, relationship, note, status) \
             VALUES (app_current_college(), $1, $2, $3, $4, 'unmatched') RETURNING id", user, &number, &input.relationship, input.note.trim())
        .fetch_one(&mut *conn)
        .await?;
        audit::record(
            conn,
            context,
            Entry::new("guardian.link_unmatched")
                .object("guardian_link_request", id)
                .after(serde_json::json!({ "student_number": number })),
        )
        .await?;
        return Ok(id);
    };
    let linked: bool = sqlx::query_scalar!("SELECT EXISTS (SELECT 1 FROM student_guardians l JOIN guardians g \
           ON g.college_id = l.college_id AND g.id = l.guardian_id WHERE l.student_id = $1 AND g.user_id = $2) AS \"v!\"", student, user)
    .fetch_one(&mut *conn)
    .await?;
    if linked {
        // The parent sees this child in the portal already: nothing new is revealed.
        return Err(AppError::Conflict(
            "you are already linked to this student".into(),
        ));
    }
    let id: Option<Uuid> = sqlx::query_scalar!("INSERT INTO guardian_link_requests (college_id, user_id, student_id, student_number, relationship, note) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id", user, student, &number, &input.relationship, input.note.trim())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else {
        let waiting: Uuid = sqlx::query_scalar!("SELECT id FROM guardian_link_requests WHERE user_id = $1 AND student_id = $2 AND status = 'pending'", user, student)
        .fetch_one(&mut *conn)
        .await?;
        return Ok(waiting);
    };
    audit::record(
        conn,
        context,
        Entry::new("guardian.link_requested")
            .object("guardian_link_request", id)
            .after(
                serde_json::json!({ "student_id": student, "relationship": input.relationship }),
            ),
    )
    .await?;
    Ok(id)
}

const SELECT: &str = "SELECT r.id, u.display_name AS parent_name, u.email::text AS parent_email, r.student_id, \
        r.student_number, st.first_name || ' ' || st.last_name AS student_name, r.relationship, r.note, \
        r.status, r.reason, r.created_at, r.decided_at \
     FROM guardian_link_requests r JOIN users u ON u.college_id = r.college_id AND u.id = r.user_id \
     LEFT JOIN students st ON st.college_id = r.college_id AND st.id = r.student_id";

/// A parent's own requests (the student's name is left out until confirmed: a request
/// proves nothing yet).
pub async fn of_user(conn: &mut PgConnection, user: Uuid) -> Result<Vec<LinkRequest>, sqlx::Error> {
    let mut list: Vec<LinkRequest> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.user_id = $1 ORDER BY r.created_at DESC LIMIT 50"
    )))
    .bind(user)
    .fetch_all(conn)
    .await?;
    for r in &mut list {
        if r.status != "confirmed" {
            r.student_name = None;
        }
        // Until the college has looked, a parent cannot tell a request that matched
        // from one that did not.
        if r.status == "unmatched" {
            r.status = "pending".into();
            r.student_id = None;
        }
        if r.status == "pending" {
            r.student_id = None;
        }
    }
    Ok(list)
}

/// Requests waiting for the college, oldest first; those that match no student are
/// among them (status `unmatched`), for the college to decline.
pub async fn pending(conn: &mut PgConnection) -> Result<Vec<LinkRequest>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.status IN ('pending', 'unmatched') ORDER BY r.created_at LIMIT 500"
    )))
    .fetch_all(conn)
    .await
}

/// The guardian record of a parent account, made from the account when it has none.
async fn guardian_of_user(conn: &mut PgConnection, user: Uuid) -> Result<Uuid, AppError> {
    let existing: Option<Uuid> =
        sqlx::query_scalar!("SELECT id FROM guardians WHERE user_id = $1", user)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let (name, email): (String, String) = sqlx::query!(
        "SELECT display_name, email::text AS \"email!\" FROM users WHERE id = $1",
        user
    )
    .fetch_optional(&mut *conn)
    .await
    .map(|o| o.map(|r| (r.display_name, r.email)))?
    .ok_or(AppError::NotFound)?;
    let (first, last) = name
        .trim()
        .rsplit_once(' ')
        .map(|(f, l)| (f.to_string(), l.to_string()))
        .unwrap_or_else(|| (name.trim().to_string(), "-".to_string()));
    Ok(sqlx::query_scalar!(
        "INSERT INTO guardians (college_id, user_id, first_name, last_name, email) \
         VALUES (app_current_college(), $1, $2, $3, $4) RETURNING id",
        user,
        first,
        last,
        email
    )
    .fetch_one(conn)
    .await?)
}

async fn link(
    conn: &mut PgConnection,
    context: &AuditContext,
    user: Uuid,
    student: Uuid,
    relationship: &str,
) -> Result<Uuid, AppError> {
    let guardian = guardian_of_user(conn, user).await?;
    let inserted = sqlx::query!("INSERT INTO student_guardians (college_id, student_id, guardian_id, relationship, confirmed_by) \
         VALUES (app_current_college(), $1, $2, $3, $4) ON CONFLICT DO NOTHING", student, guardian, relationship, context.actor)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::Conflict(
            "this parent is already linked to the student".into(),
        ));
    }
    audit::record(
        conn,
        context,
        Entry::new("guardian.linked")
            .object("student", student)
            .after(serde_json::json!({ "guardian_id": guardian, "user_id": user, "relationship": relationship })),
    )
    .await?;
    Ok(guardian)
}

/// Confirms (linking the parent) or rejects a waiting request.
pub async fn decide(
    conn: &mut PgConnection,
    context: &AuditContext,
    id: Uuid,
    input: &DecisionInput,
) -> Result<(), AppError> {
    let row: Option<(Uuid, Option<Uuid>, String, String)> = sqlx::query!("SELECT user_id, student_id, relationship, status FROM guardian_link_requests WHERE id = $1 FOR UPDATE", id)
    .fetch_optional(&mut *conn)
    .await.map(|o| o.map(|r| (r.user_id, r.student_id, r.relationship, r.status)))?;
    let (user, student, relationship, status) = row.ok_or(AppError::NotFound)?;
    let reason = input.reason.trim();
    let confirm = match input.decision.as_str() {
        "confirm" => true,
        "reject" => false,
        _ => {
            return Err(AppError::Validation(vec![FieldError::new(
                "decision",
                "must be confirm or reject",
            )]));
        }
    };
    if !confirm && !(3..=500).contains(&reason.chars().count()) {
        return Err(AppError::Validation(vec![FieldError::new(
            "reason",
            "say why, in 3 to 500 characters",
        )]));
    }
    if status == "unmatched" && confirm {
        return Err(AppError::Conflict(
            "no student has the number and date of birth given: this request can only be declined"
                .into(),
        ));
    }
    if status != "pending" && status != "unmatched" {
        return Err(AppError::Conflict(format!(
            "this request is {status}, not waiting"
        )));
    }
    if let (true, Some(student)) = (confirm, student) {
        link(conn, context, user, student, &relationship).await?;
    }
    sqlx::query!("UPDATE guardian_link_requests SET status = $2, decided_by = $3, decided_at = now(), reason = nullif($4, '') WHERE id = $1", id, if confirm { "confirmed" } else { "rejected" }, context.actor, reason)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new(if confirm {
            "guardian.link_confirmed"
        } else {
            "guardian.link_rejected"
        })
        .object("guardian_link_request", id)
        .after(serde_json::json!({ "student_id": student, "user_id": user, "reason": reason })),
    )
    .await?;
    Ok(())
}

/// Links a parent account to a student at once (the college confirming as it links).
pub async fn link_directly(
    conn: &mut PgConnection,
    context: &AuditContext,
    student: Uuid,
    input: &DirectLinkInput,
) -> Result<Uuid, AppError> {
    if !RELATIONSHIPS.contains(&input.relationship.as_str()) {
        return Err(AppError::Validation(vec![FieldError::new(
            "relationship",
            "must be mother, father, guardian, grandparent, sibling, aunt, uncle or other",
        )]));
    }
    let user: Option<Uuid> = sqlx::query_scalar!("SELECT u.id FROM users u JOIN role_assignments r ON r.college_id = u.college_id AND r.user_id = u.id \
         WHERE u.email = $1 AND r.role = 'parent'", input.email.trim())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(user) = user else {
        return Err(AppError::Validation(vec![FieldError::new(
            "email",
            "no parent account has this email (invite them first, with the parent role)",
        )]));
    };
    link(conn, context, user, student, &input.relationship).await
}

/// Ends a link: the parent no longer sees the child.
pub async fn unlink(
    conn: &mut PgConnection,
    context: &AuditContext,
    student: Uuid,
    guardian: Uuid,
) -> Result<(), AppError> {
    let done = sqlx::query!(
        "DELETE FROM student_guardians WHERE student_id = $1 AND guardian_id = $2",
        student,
        guardian
    )
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        conn,
        context,
        Entry::new("guardian.unlinked")
            .object("student", student)
            .before(serde_json::json!({ "guardian_id": guardian })),
    )
    .await?;
    Ok(())
}
