//! What an issued document is: verification codes (drawn, normalized as people type them,
//! shown in groups), the kinds, the contents recorded with a document and shown by its
//! verification page, and the typesetting of report cards and transcripts from a
//! student's published record (no database: it runs off the async threads).

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::academics::assessment::model::{Record, TermRecord};
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
    HallTicket,
    StaffIdCard,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ReportCard => "report_card",
            Kind::Transcript => "transcript",
            Kind::Portfolio => "portfolio",
            Kind::IdCard => "id_card",
            Kind::HallTicket => "hall_ticket",
            Kind::StaffIdCard => "staff_id_card",
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
pub(super) struct StudentFacts {
    pub(super) name: String,
    pub(super) number: String,
    pub(super) program: String,
    pub(super) year_of_study: i16,
}

#[derive(sqlx::FromRow)]
pub(super) struct CollegeFacts {
    pub(super) name: String,
    pub(super) slug: String,
    pub(super) address: Option<String>,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) website: Option<String>,
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
    pub(super) college: CollegeFacts,
    pub(super) student: StudentFacts,
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
    /// What the document shows, as its verification page reads it.
    pub contents: serde_json::Value,
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
        contents: serde_json::to_value(Contents {
            kind: Kind::ReportCard.as_str().into(),
            college: sources.college.name.clone(),
            student_name: sources.student.name.clone(),
            student_number: sources.student.number.clone(),
            program: sources.student.program.clone(),
            terms: vec![term_contents(t)],
            cumulative_gpa: cumulative,
            credits_earned: t.credits_earned,
            issued_on,
        })
        .map_err(|e| AppError::Internal(e.into()))?,
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
        contents: serde_json::to_value(Contents {
            kind: Kind::Transcript.as_str().into(),
            college: sources.college.name.clone(),
            student_name: sources.student.name.clone(),
            student_number: sources.student.number.clone(),
            program: sources.student.program.clone(),
            terms: record.terms.iter().map(term_contents).collect(),
            cumulative_gpa: record.cumulative_gpa,
            credits_earned: record.credits_earned,
            issued_on,
        })
        .map_err(|e| AppError::Internal(e.into()))?,
        file_name: format!("transcript-{}.pdf", safe_file_part(&sources.student.number)),
        code,
        pdf,
    })
}

#[derive(sqlx::FromRow)]
/// One mark on a section's mark sheet.
pub(super) struct SheetMark {
    pub(super) student_id: Uuid,
    pub(super) assessment: Uuid,
    pub(super) score: f64,
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
