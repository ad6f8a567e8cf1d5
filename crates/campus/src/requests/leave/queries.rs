//! Leave requests with an approval chain. A student's leave goes to their advisor (when
//! they have one), then the registrar; a staff member's to the principal. College admins
//! may act at any stage. Nobody approves their own. When a student's leave is approved,
//! the class sessions it covers are marked excused (marks of present or late stay).

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};
use crate::requests::leave::model::{
    Decision, Leave, LeaveDecisionInput, LeaveInput, Open, parse_day, stages_of,
};

pub async fn submit(
    conn: &mut PgConnection,
    context: &AuditContext,
    user: Uuid,
    input: &LeaveInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    let starts = parse_day("starts_on", &input.starts_on, &mut errors);
    let ends = parse_day("ends_on", &input.ends_on, &mut errors);
    let today = OffsetDateTime::now_utc().date();
    if let (Some(s), Some(e)) = (starts, ends) {
        if e < s {
            errors.push(FieldError::new(
                "ends_on",
                "must not be before the first day",
            ));
        } else if (e - s).whole_days() > 365 {
            errors.push(FieldError::new("ends_on", "leave is at most a year"));
        }
        if s < today - time::Duration::days(30) {
            errors.push(FieldError::new(
                "starts_on",
                "leave may be asked for at most 30 days after it began",
            ));
        }
    }
    if !(5..=2000).contains(&input.reason.trim().chars().count()) {
        errors.push(FieldError::new(
            "reason",
            "say why, in 5 to 2,000 characters",
        ));
    }
    let (Some(starts), Some(ends)) = (starts, ends) else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let overlapping: bool = sqlx::query_scalar!("SELECT EXISTS (SELECT 1 FROM leave_requests WHERE user_id = $1 AND status IN ('pending', 'approved') \
           AND starts_on <= $3 AND ends_on >= $2) AS \"v!\"", user, starts, ends)
    .fetch_one(&mut *conn)
    .await?;
    if overlapping {
        return Err(AppError::Conflict(
            "you already have leave asked for or granted on some of these days".into(),
        ));
    }
    let student: Option<(Uuid, Option<Uuid>)> = sqlx::query!(
        "SELECT id, advisor_staff_id FROM students WHERE user_id = $1",
        user
    )
    .fetch_optional(&mut *conn)
    .await
    .map(|o| o.map(|r| (r.id, r.advisor_staff_id)))?;
    let chain: Vec<&str> = match student {
        Some((_, Some(_))) => vec!["advisor", "registrar"],
        Some((_, None)) => vec!["registrar"],
        None => vec!["principal"],
    };
    let id: Uuid = sqlx::query_scalar!("INSERT INTO leave_requests (college_id, user_id, student_id, starts_on, ends_on, reason, chain) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6) RETURNING id", user, student.map(|(s, _)| s), starts, ends, input.reason.trim(), &chain.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("leave.requested").object("leave_request", id).after(
            serde_json::json!({ "starts_on": starts.to_string(), "ends_on": ends.to_string(), "chain": chain }),
        ),
    )
    .await?;
    Ok(id)
}

const SELECT: &str = "SELECT l.id, u.display_name AS requester, l.student_id, l.starts_on, l.ends_on, l.reason, \
        l.chain, l.stage, l.status, l.created_at \
     FROM leave_requests l JOIN users u ON u.college_id = l.college_id AND u.id = l.user_id";

async fn with_decisions(
    conn: &mut PgConnection,
    mut list: Vec<Leave>,
) -> Result<Vec<Leave>, sqlx::Error> {
    let ids: Vec<Uuid> = list.iter().map(|l| l.id).collect();
    let rows: Vec<Decision> = sqlx::query_as!(Decision, "SELECT d.request_id, d.stage, d.approver, d.decision, d.comment, u.display_name AS \"decided_by?\", d.decided_at \
         FROM leave_decisions d LEFT JOIN users u ON u.college_id = d.college_id AND u.id = d.decided_by \
         WHERE d.request_id = ANY($1) ORDER BY d.stage", &ids)
    .fetch_all(conn)
    .await?;
    for decision in rows {
        if let Some(l) = list.iter_mut().find(|l| l.id == decision.request_id) {
            l.decisions.push(decision);
        }
    }
    Ok(list)
}

pub async fn mine(conn: &mut PgConnection, user: Uuid) -> Result<Vec<Leave>, sqlx::Error> {
    let list = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE l.user_id = $1 ORDER BY l.starts_on DESC LIMIT 100"
    )))
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    with_decisions(conn, list).await
}

/// The SQL condition (on `l`) for requests waiting on this principal: `$1` is the user,
/// `$2` the stages they may decide.
const WAITING_ON: &str = "l.status = 'pending' AND l.user_id <> $1 \
     AND l.chain[l.stage] = ANY($2) \
     AND (l.chain[l.stage] <> 'advisor' OR EXISTS (SELECT 1 FROM students st \
          JOIN staff sf ON sf.college_id = st.college_id AND sf.id = st.advisor_staff_id \
          WHERE st.college_id = l.college_id AND st.id = l.student_id AND sf.user_id = $1))";

/// Requests waiting for this principal's decision, oldest first.
pub async fn waiting(
    conn: &mut PgConnection,
    principal: &Principal,
) -> Result<Vec<Leave>, sqlx::Error> {
    let stages = stages_of(principal);
    let list = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE {WAITING_ON} ORDER BY l.created_at LIMIT 200"
    )))
    .bind(principal.user_id)
    .bind(&stages)
    .fetch_all(&mut *conn)
    .await?;
    with_decisions(conn, list).await
}

pub async fn decide(
    conn: &mut PgConnection,
    context: &AuditContext,
    principal: &Principal,
    id: Uuid,
    input: &LeaveDecisionInput,
) -> Result<(), AppError> {
    let approve = match input.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(AppError::Validation(vec![FieldError::new(
                "decision",
                "must be approve or reject",
            )]));
        }
    };
    let comment = input.comment.trim();
    if comment.chars().count() > 1000 || (!approve && comment.chars().count() < 3) {
        return Err(AppError::Validation(vec![FieldError::new(
            "comment",
            "a rejection says why (3 to 1,000 characters)",
        )]));
    }
    let row: Option<Open> = sqlx::query_as!(Open, "SELECT status, stage, chain, student_id AS \"student_id?\", starts_on, ends_on FROM leave_requests WHERE id = $1 FOR UPDATE", id)
    .fetch_optional(&mut *conn)
    .await?;
    let Open {
        status,
        stage,
        chain,
        student_id: student,
        starts_on: starts,
        ends_on: ends,
    } = row.ok_or(AppError::NotFound)?;
    if status != "pending" {
        return Err(AppError::Conflict(format!("this request is {status}")));
    }
    let stages = stages_of(principal);
    let mine: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT EXISTS (SELECT 1 FROM leave_requests l WHERE l.id = $3 AND {WAITING_ON})"
    )))
    .bind(principal.user_id)
    .bind(&stages)
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    if !mine {
        return Err(AppError::Forbidden);
    }
    let approver = chain[stage as usize - 1].clone();
    sqlx::query!("INSERT INTO leave_decisions (college_id, request_id, stage, approver, decision, comment, decided_by) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6)", id, stage, &approver, if approve { "approved" } else { "rejected" }, comment, context.actor)
    .execute(&mut *conn)
    .await?;
    let last = stage as usize == chain.len();
    let new_status = match (approve, last) {
        (false, _) => "rejected",
        (true, true) => "approved",
        (true, false) => "pending",
    };
    sqlx::query!(
        "UPDATE leave_requests SET status = $2, stage = stage + 1 WHERE id = $1",
        id,
        new_status
    )
    .execute(&mut *conn)
    .await?;
    let mut excused = 0;
    if new_status == "approved"
        && let Some(student) = student
    {
        excused = sqlx::query!("INSERT INTO attendance (college_id, session_id, student_id, status, marked_by) \
             SELECT app_current_college(), cs.id, e.student_id, 'excused', $4 FROM enrollments e \
             JOIN class_sessions cs ON cs.college_id = e.college_id AND cs.section_id = e.section_id \
             WHERE e.student_id = $1 AND e.status = 'enrolled' AND cs.held_on BETWEEN $2 AND $3 \
             ON CONFLICT (college_id, session_id, student_id) DO UPDATE SET status = 'excused', \
               marked_by = EXCLUDED.marked_by, marked_at = now() WHERE attendance.status = 'absent'", student, starts, ends, context.actor)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    audit::record(
        conn,
        context,
        Entry::new(if approve {
            "leave.approved"
        } else {
            "leave.rejected"
        })
        .object("leave_request", id)
        .after(serde_json::json!({
            "stage": stage, "approver": approver, "status": new_status, "comment": comment,
            "sessions_excused": excused,
        })),
    )
    .await?;
    Ok(())
}

/// The requester withdraws a request still waiting.
pub async fn cancel(
    conn: &mut PgConnection,
    context: &AuditContext,
    user: Uuid,
    id: Uuid,
) -> Result<(), AppError> {
    let owner: Option<(Uuid, String)> = sqlx::query!(
        "SELECT user_id, status FROM leave_requests WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(&mut *conn)
    .await
    .map(|o| o.map(|r| (r.user_id, r.status)))?;
    let (owner, status) = owner.ok_or(AppError::NotFound)?;
    if owner != user {
        return Err(AppError::Forbidden);
    }
    if status != "pending" {
        return Err(AppError::Conflict(format!(
            "this request is {status}; only a waiting one can be withdrawn"
        )));
    }
    sqlx::query!(
        "UPDATE leave_requests SET status = 'cancelled' WHERE id = $1",
        id
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("leave.cancelled").object("leave_request", id),
    )
    .await?;
    Ok(())
}
