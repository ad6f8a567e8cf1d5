//! Issuing a report card or a transcript: gather what it shows from published results,
//! draw a verification code, typeset the PDF, and record what was issued (the contents
//! the public verification page will show, and the PDF's hash), audited.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::academics::assessment::model::{Record, TermRecord};
use crate::academics::assessment::results;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

/// Crockford's base32 alphabet: no I, L, O or U to misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh verification code: 16 characters, 80 random bits.
pub fn new_code() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 31)] as char)
        .collect()
}

/// A code as people type it (any case, dashes, spaces, O for 0, I or L for 1) in the
/// stored form, or `None` when it cannot be one.
pub fn normalize_code(text: &str) -> Option<String> {
    let code: String = text
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (code.len() == 16 && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// The code as printed: four groups of four.
pub fn show_code(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ReportCard,
    Transcript,
    Portfolio,
    IdCard,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ReportCard => "report_card",
            Kind::Transcript => "transcript",
            Kind::Portfolio => "portfolio",
            Kind::IdCard => "id_card",
        }
    }
}

/// What an issued document shows; stored with it and shown by the verification page.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Contents {
    pub kind: String,
    pub college: String,
    pub student_name: String,
    pub student_number: String,
    pub program: String,
    pub terms: Vec<TermContents>,
    pub cumulative_gpa: Option<f64>,
    pub credits_earned: f64,
    pub issued_on: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct TermContents {
    pub title: String,
    pub gpa: Option<f64>,
    pub courses: Vec<CourseContents>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CourseContents {
    pub code: String,
    pub title: String,
    pub credits: f64,
    pub letter: String,
}

#[derive(sqlx::FromRow)]
struct StudentFacts {
    name: String,
    number: String,
    program: String,
    year_of_study: i16,
}

#[derive(sqlx::FromRow)]
struct CollegeFacts {
    name: String,
    slug: String,
    address: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    website: Option<String>,
}

/// An issued document: its PDF and its code.
pub struct Issued {
    pub id: Uuid,
    pub code: String,
    pub pdf: Vec<u8>,
    pub file_name: String,
}

pub fn number(value: f64) -> String {
    let rounded = crate::academics::assessment::grading::round2(value);
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded}")
    }
}

pub fn maybe(value: Option<f64>) -> String {
    value.map(number).unwrap_or_else(|| "–".into())
}

fn term_title(t: &TermRecord) -> String {
    format!("{} ({})", t.term, t.academic_year)
}

fn term_block(t: &TermRecord) -> documents::Term {
    documents::Term {
        title: term_title(t),
        courses: t
            .courses
            .iter()
            .map(|c| documents::Course {
                code: c.course_code.clone(),
                title: c.course_title.clone(),
                credits: number(c.credits),
                percent: number(c.percent),
                letter: c.letter.clone(),
                points: number(c.grade_points),
                passed: c.passed,
            })
            .collect(),
        gpa: maybe(t.gpa),
        credits_attempted: number(t.credits_attempted),
        credits_earned: number(t.credits_earned),
    }
}

fn term_contents(t: &TermRecord) -> TermContents {
    TermContents {
        title: term_title(t),
        gpa: t.gpa,
        courses: t
            .courses
            .iter()
            .map(|c| CourseContents {
                code: c.course_code.clone(),
                title: c.course_title.clone(),
                credits: c.credits,
                letter: c.letter.clone(),
            })
            .collect(),
    }
}

/// Everything a document of one student needs, read in one place.
pub struct Sources {
    college: CollegeFacts,
    student: StudentFacts,
    pub record: Record,
}

impl Sources {
    pub fn letterhead(&self) -> documents::College {
        letterhead(&self.college)
    }

    pub fn student_block(&self) -> documents::Student {
        student_block(&self.student)
    }

    pub fn college_name(&self) -> &str {
        &self.college.name
    }

    /// The verification block for a code: the page's address and its QR code.
    pub fn verification(&self, base_url: &str, code: &str) -> documents::Verification {
        verification(base_url, &self.college.slug, code)
    }
}

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

fn letterhead(c: &CollegeFacts) -> documents::College {
    let contact = [&c.phone, &c.email, &c.website]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" · ");
    documents::College {
        name: c.name.clone(),
        address: c.address.clone().unwrap_or_default(),
        contact,
    }
}

fn student_block(s: &StudentFacts) -> documents::Student {
    documents::Student {
        name: s.name.clone(),
        number: s.number.clone(),
        program: s.program.clone(),
        year: s.year_of_study.to_string(),
    }
}

/// The address of a code's public verification page.
pub fn verify_url(base_url: &str, slug: &str, code: &str) -> String {
    format!("{}/c/{slug}/verify/{code}", base_url.trim_end_matches('/'))
}

fn verification(base_url: &str, slug: &str, code: &str) -> documents::Verification {
    let url = verify_url(base_url, slug, code);
    documents::Verification {
        code: show_code(code),
        qr_svg: crate::identity::mfa::codes::qr_svg(&url),
        url,
    }
}

/// A document typeset but not yet recorded (bulk printing typesets off the database
/// connection, then records in one go).
pub struct Prepared {
    pub kind: Kind,
    pub student: Uuid,
    pub term: Option<Uuid>,
    pub code: String,
    pub contents: Contents,
    pub pdf: Vec<u8>,
    pub file_name: String,
}

pub fn today() -> String {
    let d = OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub fn safe_file_part(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// Typesets a term's report card. Needs the term's results published.
pub fn prepare_report_card(
    sources: &Sources,
    student: Uuid,
    term: Uuid,
    attendance: Vec<documents::Attendance>,
    base_url: &str,
) -> Result<Prepared, AppError> {
    let Some(index) = sources.record.terms.iter().position(|t| t.term_id == term) else {
        return Err(AppError::Validation(vec![FieldError::new(
            "term",
            "this student has no published results in that term",
        )]));
    };
    let t = &sources.record.terms[index];
    // The cumulative average as of that term: later terms do not count.
    let upto: Vec<crate::academics::assessment::grading::Graded> = sources.record.terms[..=index]
        .iter()
        .flat_map(|t| {
            t.courses
                .iter()
                .map(|c| crate::academics::assessment::grading::Graded {
                    course: c.course_code.clone(),
                    term_order: t.starts_on.to_julian_day().into(),
                    credits: c.credits,
                    grade_points: c.grade_points,
                })
        })
        .collect();
    let cumulative = crate::academics::assessment::grading::cumulative_gpa(&upto);
    let code = new_code();
    let issued_on = today();
    let card = documents::ReportCard {
        college: letterhead(&sources.college),
        student: student_block(&sources.student),
        term: term_block(t),
        attendance,
        cumulative_gpa: maybe(cumulative),
        issued_on: issued_on.clone(),
        signatories: vec!["Class teacher".into(), "Registrar".into()],
        verification: verification(base_url, &sources.college.slug, &code),
    };
    let pdf = documents::report_card(&card).map_err(|e| AppError::Internal(e.into()))?;
    Ok(Prepared {
        kind: Kind::ReportCard,
        student,
        term: Some(term),
        contents: Contents {
            kind: Kind::ReportCard.as_str().into(),
            college: sources.college.name.clone(),
            student_name: sources.student.name.clone(),
            student_number: sources.student.number.clone(),
            program: sources.student.program.clone(),
            terms: vec![term_contents(t)],
            cumulative_gpa: cumulative,
            credits_earned: t.credits_earned,
            issued_on,
        },
        file_name: format!(
            "report-card-{}-{}.pdf",
            safe_file_part(&sources.student.number),
            safe_file_part(&t.term)
        ),
        code,
        pdf,
    })
}

/// Typesets the transcript: every term with published results.
pub fn prepare_transcript(
    sources: &Sources,
    student: Uuid,
    base_url: &str,
) -> Result<Prepared, AppError> {
    let code = new_code();
    let issued_on = today();
    let record = &sources.record;
    let transcript = documents::Transcript {
        college: letterhead(&sources.college),
        student: student_block(&sources.student),
        terms: record.terms.iter().map(term_block).collect(),
        cumulative_gpa: maybe(record.cumulative_gpa),
        credits_earned: number(record.credits_earned),
        issued_on: issued_on.clone(),
        signatories: vec!["Registrar".into(), "Principal".into()],
        verification: verification(base_url, &sources.college.slug, &code),
    };
    let pdf = documents::transcript(&transcript).map_err(|e| AppError::Internal(e.into()))?;
    Ok(Prepared {
        kind: Kind::Transcript,
        student,
        term: None,
        contents: Contents {
            kind: Kind::Transcript.as_str().into(),
            college: sources.college.name.clone(),
            student_name: sources.student.name.clone(),
            student_number: sources.student.number.clone(),
            program: sources.student.program.clone(),
            terms: record.terms.iter().map(term_contents).collect(),
            cumulative_gpa: record.cumulative_gpa,
            credits_earned: record.credits_earned,
            issued_on,
        },
        file_name: format!("transcript-{}.pdf", safe_file_part(&sources.student.number)),
        code,
        pdf,
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
        let contents =
            serde_json::to_value(&p.contents).map_err(|e| AppError::Internal(e.into()))?;
        let id = record_document(
            conn, context, p.kind, p.student, p.term, &p.code, contents, &p.pdf,
        )
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// Records one issued document with what it shows and its PDF's hash, audited.
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
    let hex: String = Sha256::digest(pdf)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let id: Uuid = sqlx::query_scalar!("INSERT INTO issued_documents (college_id, code, kind, student_id, term_id, contents, pdf_sha256, issued_by) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6, $7) RETURNING id", code, kind.as_str(), student, term, contents, &hex, context.actor)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("document.issued")
            .object("issued_document", id)
            .after(serde_json::json!({
                "kind": kind.as_str(), "student_id": student, "term_id": term,
                "code": code, "pdf_sha256": hex,
            })),
    )
    .await?;
    Ok(id)
}

/// Issues one document for a request: read, typeset (off the async threads), record.
pub async fn issue(
    conn: &mut PgConnection,
    context: &AuditContext,
    base_url: &str,
    student: Uuid,
    term: Option<Uuid>,
) -> Result<Issued, AppError> {
    crate::documents::lifecycle::within_daily_limit(conn, context.actor).await?;
    let sources = sources(conn, student).await?;
    let attendance = match term {
        Some(term) => term_attendance(conn, student, term).await?,
        None => Vec::new(),
    };
    let base_url = base_url.to_owned();
    let prepared = tokio::task::spawn_blocking(move || match term {
        Some(term) => prepare_report_card(&sources, student, term, attendance, &base_url),
        None => prepare_transcript(&sources, student, &base_url),
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))??;
    let ids = record(conn, context, std::slice::from_ref(&prepared)).await?;
    Ok(Issued {
        id: ids[0],
        code: prepared.code,
        pdf: prepared.pdf,
        file_name: prepared.file_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_survive_the_way_people_type_them() {
        let code = new_code();
        assert_eq!(code.len(), 16);
        assert_eq!(normalize_code(&show_code(&code)), Some(code.clone()));
        assert_eq!(
            normalize_code(&show_code(&code).to_lowercase()),
            Some(code.clone())
        );
        assert_eq!(
            normalize_code("0O1I-L000-0000-0000").as_deref(),
            Some("0011100000000000")
        );
        assert_eq!(normalize_code("ABC"), None);
        assert_eq!(normalize_code("UUUU-UUUU-UUUU-UUUU"), None);
        assert_eq!(normalize_code("../../etc/passwd"), None);
    }
}
