//! Year end: closing a term and rolling over to the next. The registrar previews what
//! will happen, then runs it: failed courses not passed since are carried forward as
//! requirements; when the next term is in a new academic year, active students move up a
//! year, and final-year students with nothing carried graduate (those with carried
//! requirements stay in their final year). Programs and advisors stay as they are.
//! A term rolls over once: running it again answers what the first run did.
//! Results stay attached to their terms, so transcripts show every past term unchanged.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::academics::rollover::model::{RolloverPlan, TermRow};
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

async fn term(conn: &mut PgConnection, id: Uuid, field: &str) -> Result<TermRow, AppError> {
    let row: Option<TermRow> = sqlx::query_as!(
        TermRow,
        "SELECT name, academic_year_id, starts_on, ends_on FROM terms WHERE id = $1",
        id
    )
    .fetch_optional(conn)
    .await?;
    row.ok_or_else(|| AppError::Validation(vec![FieldError::new(field, "no such term")]))
}

/// Students who failed a course in `from` (published) and have no published pass of it.
const CARRIED: &str = "SELECT DISTINCT r.student_id, s.course_id FROM results r \
     JOIN sections s ON s.college_id = r.college_id AND s.id = r.section_id \
     JOIN students st ON st.college_id = r.college_id AND st.id = r.student_id \
     WHERE s.term_id = $1 AND s.results_status = 'published' AND NOT r.passed AND st.status = 'enrolled' \
       AND NOT EXISTS (SELECT 1 FROM results r2 JOIN sections s2 ON s2.college_id = r2.college_id AND s2.id = r2.section_id \
           WHERE r2.student_id = r.student_id AND s2.course_id = s.course_id AND r2.passed AND s2.results_status = 'published')";

/// What a rollover would do (or, once run, what it did).
pub async fn plan(conn: &mut PgConnection, from: Uuid, to: Uuid) -> Result<RolloverPlan, AppError> {
    if let Some((to_term, summary)) = sqlx::query_as::<_, (Uuid, serde_json::Value)>(
        "SELECT to_term_id, summary FROM rollovers WHERE from_term_id = $1",
    )
    .bind(from)
    .fetch_optional(&mut *conn)
    .await?
    {
        if to_term != to {
            return Err(AppError::Conflict(
                "this term was already rolled over to another term".into(),
            ));
        }
        return serde_json::from_value(summary).map_err(|e| AppError::Internal(e.into()));
    }
    let from_row = term(conn, from, "from_term_id").await?;
    let to_row = term(conn, to, "to_term_id").await?;
    if from == to || to_row.starts_on <= from_row.ends_on {
        return Err(AppError::Validation(vec![FieldError::new(
            "to_term_id",
            format!(
                "the next term must start after {} ends ({})",
                from_row.name, from_row.ends_on
            ),
        )]));
    }
    let crosses_year = to_row.academic_year_id != from_row.academic_year_id;
    let unpublished_sections: Vec<String> = sqlx::query_scalar!("SELECT c.code || ' ' || s.code AS \"v!\" FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         WHERE s.term_id = $1 AND s.results_status <> 'published' AND s.enrolled > 0 ORDER BY 1", from)
    .fetch_all(&mut *conn)
    .await?;
    let carried: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM ({CARRIED}) x"
    )))
    .bind(from)
    .fetch_one(&mut *conn)
    .await?;
    let (promoted, graduating, held): (i64, i64, i64) = if crosses_year {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "WITH carrying AS (SELECT student_id FROM carried_requirements WHERE cleared_at IS NULL \
                               UNION SELECT student_id FROM ({CARRIED}) x) \
             SELECT count(*) FILTER (WHERE st.year_of_study < p.duration_years), \
                    count(*) FILTER (WHERE st.year_of_study >= p.duration_years AND st.id NOT IN (SELECT student_id FROM carrying)), \
                    count(*) FILTER (WHERE st.year_of_study >= p.duration_years AND st.id IN (SELECT student_id FROM carrying)) \
             FROM students st JOIN programs p ON p.college_id = st.college_id AND p.id = st.program_id \
             WHERE st.status = 'enrolled'"
        )))
        .bind(from)
        .fetch_one(&mut *conn)
        .await?
    } else {
        (0, 0, 0)
    };
    Ok(RolloverPlan {
        from_term_id: from,
        from_term: from_row.name,
        to_term_id: to,
        to_term: to_row.name,
        crosses_year,
        unpublished_sections,
        promoted,
        graduating,
        held_in_final_year: held,
        carried,
        ran_at: None,
    })
}

/// Runs the rollover in the caller's transaction, or answers the earlier run.
pub async fn run(
    conn: &mut PgConnection,
    context: &AuditContext,
    from: Uuid,
    to: Uuid,
) -> Result<RolloverPlan, AppError> {
    // Two registrars pressing the button at once: the second waits, then sees the run.
    sqlx::query!("SELECT FROM terms WHERE id = $1 FOR UPDATE", from)
        .execute(&mut *conn)
        .await?;
    let mut plan = plan(conn, from, to).await?;
    if plan.ran_at.is_some() {
        return Ok(plan);
    }
    if !plan.unpublished_sections.is_empty() {
        return Err(AppError::Conflict(format!(
            "publish the results of {} first",
            plan.unpublished_sections.join(", ")
        )));
    }
    // Requirements passed since they were carried are cleared.
    sqlx::query!("UPDATE carried_requirements cr SET cleared_at = now() WHERE cleared_at IS NULL AND EXISTS ( \
           SELECT 1 FROM results r JOIN sections s ON s.college_id = r.college_id AND s.id = r.section_id \
           WHERE r.student_id = cr.student_id AND s.course_id = cr.course_id AND r.passed AND s.results_status = 'published')")
    .execute(&mut *conn)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO carried_requirements (college_id, student_id, course_id, from_term_id) \
         SELECT app_current_college(), student_id, course_id, $1 FROM ({CARRIED}) x \
         ON CONFLICT (college_id, student_id, course_id) DO UPDATE SET from_term_id = excluded.from_term_id, \
            carried_at = now(), cleared_at = NULL"
    )))
    .bind(from)
    .execute(&mut *conn)
    .await?;
    if plan.crosses_year {
        // Graduation first: those promoted this run are not yet in their final year's end.
        sqlx::query!("WITH graduated AS (UPDATE students st SET status = 'graduated' FROM programs p \
               WHERE p.college_id = st.college_id AND p.id = st.program_id AND st.status = 'enrolled' \
                 AND st.year_of_study >= p.duration_years \
                 AND NOT EXISTS (SELECT 1 FROM carried_requirements cr WHERE cr.student_id = st.id AND cr.cleared_at IS NULL) \
               RETURNING st.id) \
             INSERT INTO student_status_history (college_id, student_id, from_status, to_status, effective_on, reason, changed_by) \
             SELECT app_current_college(), id, 'enrolled', 'graduated', current_date, \
                    'Graduated at the year-end rollover of ' || $1, $2 FROM graduated", &plan.from_term, context.actor)
        .execute(&mut *conn)
        .await?;
        sqlx::query!("UPDATE students st SET year_of_study = st.year_of_study + 1 FROM programs p \
             WHERE p.college_id = st.college_id AND p.id = st.program_id AND st.status = 'enrolled' \
               AND st.year_of_study < p.duration_years")
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query!("UPDATE terms SET closed_at = now() WHERE id = $1", from)
        .execute(&mut *conn)
        .await?;
    plan.ran_at = Some(OffsetDateTime::now_utc());
    sqlx::query!("INSERT INTO rollovers (college_id, from_term_id, to_term_id, run_by, summary) VALUES (app_current_college(), $1, $2, $3, $4)", from, to, context.actor, serde_json::to_value(&plan).map_err(|e| AppError::Internal(e.into()))?)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("term.rolled_over")
            .object("term", from)
            .after(serde_json::to_value(&plan).unwrap_or_default()),
    )
    .await?;
    Ok(plan)
}

/// Whether a term with this id is one of the transaction's college.
pub async fn term_exists(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM terms WHERE id = $1) AS \"v!\"",
        id
    )
    .fetch_one(conn)
    .await
}

/// Every term with its academic year (and whether it is closed), earliest first.
pub async fn term_choices(conn: &mut PgConnection) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query!("SELECT t.id, t.name || ' (' || y.name || ')' || CASE WHEN t.closed_at IS NOT NULL THEN ', closed' ELSE '' END AS \"label!\" \
         FROM terms t JOIN academic_years y ON y.college_id = t.college_id AND y.id = t.academic_year_id ORDER BY t.starts_on")
    .fetch_all(conn)
    .await.map(|v| v.into_iter().map(|r| (r.id, r.label)).collect::<Vec<_>>())
}
