//! Issued-document queries: what a document of one student shows (their facts, the
//! college's, their published record; a term's attendance), recording what was issued
//! with its PDF's hash (audited), and what a section's mark sheet lists.

use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::academics::assessment::results;
use crate::audit::{self, AuditContext, Entry};
use crate::documents::issue::model::{
    CollegeFacts, Kind, Prepared, SheetMark, Sources, StudentFacts,
};
use crate::error::AppError;

pub async fn sources(conn: &mut PgConnection, student: Uuid) -> Result<Sources, AppError> {
    let facts: Option<StudentFacts> = sqlx::query_as!(
        StudentFacts,
        "SELECT st.first_name || ' ' || st.last_name AS \"name!\", st.student_number AS number, \
            p.name AS \"program!\", st.year_of_study FROM students st \
         JOIN programs p ON p.college_id = st.college_id AND p.id = st.program_id WHERE st.id = $1",
        student
    )
    .fetch_optional(&mut *conn)
    .await?;
    let student_facts = facts.ok_or(AppError::NotFound)?;
    let college: CollegeFacts = sqlx::query_as!(
        CollegeFacts,
        "SELECT name, slug, address AS \"address?\", email::text AS \"email?\", phone AS \"phone?\", website AS \"website?\" FROM colleges"
    )
    .fetch_one(&mut *conn)
    .await?;
    let record = results::record_of(conn, student).await?;
    Ok(Sources {
        college,
        student: student_facts,
        record,
    })
}

/// A student's attendance per course in one term, for the report card.
pub async fn term_attendance(
    conn: &mut PgConnection,
    student: Uuid,
    term: Uuid,
) -> Result<Vec<documents::Attendance>, sqlx::Error> {
    let rows: Vec<(String, String, Option<f64>)> = sqlx::query!("SELECT c.code, c.title, \
            round(100.0 * count(a.*) FILTER (WHERE a.status IN ('present', 'late')) / nullif(count(a.*), 0), 1)::float8 AS \"percent?\" \
         FROM enrollments e JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         LEFT JOIN class_sessions cs ON cs.college_id = s.college_id AND cs.section_id = s.id \
         LEFT JOIN attendance a ON a.college_id = cs.college_id AND a.session_id = cs.id AND a.student_id = e.student_id \
         WHERE e.student_id = $1 AND s.term_id = $2 AND e.status = 'enrolled' GROUP BY c.code, c.title ORDER BY c.code", student, term)
    .fetch_all(conn)
    .await.map(|v| v.into_iter().map(|r| (r.code, r.title, r.percent)).collect::<Vec<_>>())?;
    Ok(rows
        .into_iter()
        .map(|(code, title, percent)| documents::Attendance {
            code,
            title,
            percent: percent
                .map(|p| format!("{p}%"))
                .unwrap_or_else(|| "–".into()),
        })
        .collect())
}

/// Records issued documents, one audit entry each.
pub async fn record(
    conn: &mut PgConnection,
    context: &AuditContext,
    prepared: &[Prepared],
) -> Result<Vec<Uuid>, AppError> {
    let mut ids = Vec::with_capacity(prepared.len());
    for p in prepared {
        let contents = p.contents.clone();
        let id = record_document(
            conn, context, p.kind, p.student, p.term, &p.code, contents, &p.pdf,
        )
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// Records one issued document of a student with what it shows and its PDF's hash,
/// audited.
#[allow(clippy::too_many_arguments)]
pub async fn record_document(
    conn: &mut PgConnection,
    context: &AuditContext,
    kind: Kind,
    student: Uuid,
    term: Option<Uuid>,
    code: &str,
    contents: serde_json::Value,
    pdf: &[u8],
) -> Result<Uuid, AppError> {
    insert(
        conn,
        context,
        kind,
        (Some(student), None),
        term,
        code,
        contents,
        pdf,
    )
    .await
}

/// Records a staff member's identity card, as `record_document` does a student's.
pub async fn record_staff_card(
    conn: &mut PgConnection,
    context: &AuditContext,
    staff: Uuid,
    code: &str,
    contents: serde_json::Value,
    pdf: &[u8],
) -> Result<Uuid, AppError> {
    insert(
        conn,
        context,
        Kind::StaffIdCard,
        (None, Some(staff)),
        None,
        code,
        contents,
        pdf,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    conn: &mut PgConnection,
    context: &AuditContext,
    kind: Kind,
    (student, staff): (Option<Uuid>, Option<Uuid>),
    term: Option<Uuid>,
    code: &str,
    contents: serde_json::Value,
    pdf: &[u8],
) -> Result<Uuid, AppError> {
    let hex: String = Sha256::digest(pdf)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let id: Uuid = sqlx::query_scalar!("INSERT INTO issued_documents (college_id, code, kind, student_id, staff_id, term_id, contents, pdf_sha256, issued_by) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6, $7, $8) RETURNING id", code, kind.as_str(), student, staff, term, contents, &hex, context.actor)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("document.issued")
            .object("issued_document", id)
            .after(serde_json::json!({
                "kind": kind.as_str(), "student_id": student, "staff_id": staff, "term_id": term,
                "code": code, "pdf_sha256": hex,
            })),
    )
    .await?;
    Ok(id)
}

/// A section's name in a mark sheet's file name: course code and section code.
pub async fn sheet_name(conn: &mut PgConnection, section: Uuid) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("SELECT c.code || '-' || s.code AS \"v!\" FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id WHERE s.id = $1", section)
    .fetch_one(conn)
    .await
}

/// A section's assessments for its mark sheet: (id, name, maximum, weight), by name.
pub async fn sheet_assessments(
    conn: &mut PgConnection,
    section: Uuid,
) -> Result<Vec<(Uuid, String, f64, f64)>, sqlx::Error> {
    sqlx::query!("SELECT id, name, max_marks::float8 AS \"max_marks!\", weight::float8 AS \"weight!\" FROM assessments WHERE section_id = $1 ORDER BY name", section)
    .fetch_all(conn)
    .await.map(|v| v.into_iter().map(|r| (r.id, r.name, r.max_marks, r.weight)).collect::<Vec<_>>())
}

/// Every mark of a section's assessments, for its mark sheet.
pub(super) async fn sheet_marks(
    conn: &mut PgConnection,
    section: Uuid,
) -> Result<Vec<SheetMark>, sqlx::Error> {
    sqlx::query_as!(SheetMark, "SELECT m.student_id, m.assessment_id AS assessment, m.score::float8 AS \"score!\" FROM marks m \
         JOIN assessments a ON a.college_id = m.college_id AND a.id = m.assessment_id WHERE a.section_id = $1", section)
    .fetch_all(conn)
    .await
}
