//! Hall tickets: a student's papers of a term with day, time, room and seat, their photo
//! and a QR code to the ticket's public verification page; issued and recorded like
//! every other document, one at a time or for a whole program as a printing job.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::AuditContext;
use crate::documents::issue::model::{self as issue, Issued, Kind, Prepared};
use crate::documents::issue::queries as issue_queries;
use crate::error::AppError;
use crate::web::time::{local, local_time};

/// A paper on a hall ticket, as printed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Paper {
    pub code: String,
    pub paper: String,
    pub when: String,
    pub room: String,
    pub seat: String,
}

/// What a hall ticket shows; stored with it and shown by the verification page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Contents {
    pub kind: String,
    pub college: String,
    pub student_name: String,
    pub student_number: String,
    pub program: String,
    pub term: String,
    pub papers: Vec<Paper>,
    pub issued_on: String,
}

/// A paper a student sits, with their seat once the plan is made.
#[derive(Debug, Clone)]
pub struct Sitting {
    pub code: String,
    pub paper: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub room: Option<String>,
    pub seat: Option<i32>,
}

/// Everything a student's hall ticket is made from.
#[derive(Debug, Clone)]
pub struct Facts {
    pub student: Uuid,
    pub slug: String,
    pub college: String,
    pub address: String,
    pub contact: String,
    pub name: String,
    pub number: String,
    pub program: String,
    pub year: String,
    pub term: String,
    pub photo_key: Option<String>,
    pub papers: Vec<Sitting>,
}

/// A student's facts for a term's hall ticket; `None` when the student is unknown.
pub async fn facts(
    conn: &mut PgConnection,
    student: Uuid,
    term: Uuid,
) -> Result<Option<Facts>, sqlx::Error> {
    let Some(s) = sqlx::query!(
        r#"SELECT st.id, st.first_name || ' ' || st.last_name AS "name!", st.student_number,
                  p.name AS program, st.year_of_study, co.slug, co.name AS college,
                  concat_ws(', ', co.address) AS "address!",
                  concat_ws(' · ', co.email::text, co.phone, co.website) AS "contact!",
                  (SELECT name FROM terms WHERE id = $2) AS "term!"
           FROM students st JOIN programs p ON p.college_id = st.college_id AND p.id = st.program_id
           JOIN colleges co ON co.id = st.college_id
           WHERE st.id = $1"#,
        student,
        term
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let photo_key = crate::documents::id_cards::queries::photo_key(conn, student).await?;
    let papers = sqlx::query!(
        r#"SELECT c.code, a.name AS paper, x.starts_at, x.ends_at, r.code AS "room?", e.seat AS "seat?"
           FROM enrollments en
           JOIN exam_sittings x ON x.college_id = en.college_id AND x.section_id = en.section_id AND x.term_id = $2
           JOIN assessments a ON a.college_id = x.college_id AND a.id = x.assessment_id
           JOIN sections s ON s.college_id = x.college_id AND s.id = x.section_id
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           LEFT JOIN exam_seats e ON e.college_id = x.college_id AND e.sitting_id = x.id AND e.student_id = en.student_id
           LEFT JOIN rooms r ON r.college_id = e.college_id AND r.id = e.room_id
           WHERE en.student_id = $1 AND en.status = 'enrolled' ORDER BY x.starts_at, c.code"#,
        student,
        term
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|p| Sitting {
        code: p.code,
        paper: p.paper,
        starts_at: p.starts_at,
        ends_at: p.ends_at,
        room: p.room,
        seat: p.seat,
    })
    .collect();
    Ok(Some(Facts {
        student: s.id,
        slug: s.slug,
        college: s.college,
        address: s.address,
        contact: s.contact,
        name: s.name,
        number: s.student_number,
        program: s.program,
        year: s.year_of_study.to_string(),
        term: s.term,
        photo_key,
        papers,
    }))
}

/// Typesets a hall ticket (no database: runs off the async threads).
pub fn prepare(
    facts: &Facts,
    photo: Option<&[u8]>,
    term: Uuid,
    zone: &str,
    base_url: &str,
) -> Result<Prepared, AppError> {
    let code = issue::new_code();
    let issued_on = issue::today();
    let papers: Vec<Paper> = facts
        .papers
        .iter()
        .map(|s| Paper {
            code: s.code.clone(),
            paper: s.paper.clone(),
            when: format!(
                "{} to {}",
                local(s.starts_at, zone),
                local_time(s.ends_at, zone)
            ),
            room: s.room.clone().unwrap_or_else(|| "to be announced".into()),
            seat: s.seat.map_or_else(|| "–".into(), |n| n.to_string()),
        })
        .collect();
    let url = issue::verify_url(base_url, &facts.slug, &code);
    let ticket = documents::HallTicket {
        college: documents::College {
            name: facts.college.clone(),
            address: facts.address.clone(),
            contact: facts.contact.clone(),
        },
        student: documents::Student {
            name: facts.name.clone(),
            number: facts.number.clone(),
            program: facts.program.clone(),
            year: facts.year.clone(),
        },
        term: facts.term.clone(),
        zone: zone.to_string(),
        papers: facts
            .papers
            .iter()
            .zip(&papers)
            .map(|(s, p)| documents::ExamPaper {
                code: p.code.clone(),
                paper: p.paper.clone(),
                date: crate::web::time::day(crate::web::time::local_date(s.starts_at, zone)),
                time: format!(
                    "{}–{}",
                    local_time(s.starts_at, zone)
                        .split(' ')
                        .next()
                        .unwrap_or_default(),
                    local_time(s.ends_at, zone)
                        .split(' ')
                        .next()
                        .unwrap_or_default()
                ),
                room: p.room.clone(),
                seat: p.seat.clone(),
            })
            .collect(),
        photo: photo.and_then(documents::thumbnail),
        issued_on: issued_on.clone(),
        signatories: vec!["Controller of examinations".into()],
        verification: documents::Verification {
            code: issue::show_code(&code),
            qr_svg: crate::identity::mfa::codes::qr_svg(&url),
            url,
        },
    };
    let pdf = documents::hall_ticket(&ticket).map_err(|e| AppError::Internal(e.into()))?;
    let contents = Contents {
        kind: Kind::HallTicket.as_str().into(),
        college: facts.college.clone(),
        student_name: facts.name.clone(),
        student_number: facts.number.clone(),
        program: facts.program.clone(),
        term: facts.term.clone(),
        papers,
        issued_on,
    };
    Ok(Prepared {
        kind: Kind::HallTicket,
        student: facts.student,
        term: Some(term),
        code,
        contents: serde_json::to_value(&contents).map_err(|e| AppError::Internal(e.into()))?,
        pdf,
        file_name: format!("hall-ticket-{}.pdf", issue::safe_file_part(&facts.number)),
    })
}

/// Issues a student's hall ticket for a term now; refused when they sit no paper in it.
pub async fn issue(
    conn: &mut PgConnection,
    storage: &crate::files::Storage,
    context: &AuditContext,
    base_url: &str,
    zone: &str,
    student: Uuid,
    term: Uuid,
) -> Result<Issued, AppError> {
    crate::documents::lifecycle::queries::within_daily_limit(conn, context.actor).await?;
    let facts = facts(conn, student, term)
        .await?
        .ok_or(AppError::NotFound)?;
    if facts.papers.is_empty() {
        return Err(AppError::Conflict(format!(
            "{} sits no paper in {}: there is no hall ticket to issue",
            facts.name, facts.term
        )));
    }
    let photo = match &facts.photo_key {
        Some(key) => Some(storage.get(key).await?),
        None => None,
    };
    let zone = zone.to_string();
    let base_url = base_url.to_string();
    let prepared = tokio::task::spawn_blocking(move || {
        prepare(&facts, photo.as_deref(), term, &zone, &base_url)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))??;
    let id = issue_queries::record_document(
        conn,
        context,
        prepared.kind,
        prepared.student,
        prepared.term,
        &prepared.code,
        prepared.contents.clone(),
        &prepared.pdf,
    )
    .await?;
    Ok(Issued {
        id,
        code: prepared.code,
        pdf: prepared.pdf,
        file_name: prepared.file_name,
    })
}

/// The term whose hall ticket a student gets: the one of their next paper, else their
/// latest.
pub async fn ticket_term(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT x.term_id FROM enrollments en \
         JOIN exam_sittings x ON x.college_id = en.college_id AND x.section_id = en.section_id \
         WHERE en.student_id = $1 AND en.status = 'enrolled' \
         ORDER BY (x.ends_at < now()), CASE WHEN x.ends_at >= now() THEN x.starts_at END, x.starts_at DESC LIMIT 1",
        student
    )
    .fetch_optional(conn)
    .await
}
