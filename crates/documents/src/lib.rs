//! Campus's printable documents: a term's report card and the official transcript,
//! typeset to PDF by typst with fonts built into the binary (nothing is fetched at run
//! time). The caller passes plain data, numbers already formatted; values reach the
//! templates as data through `sys.inputs`, never as markup, so a student's name cannot
//! change a document's layout.
//!
//! Kept apart from the application so the typesetter compiles once, not at every edit.

use std::sync::LazyLock;

use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Array, Bytes, Dict, IntoValue, Value, dict};
use typst_as_lib::{TypstAsLibError, TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;

const COMMON: &str = include_str!("../templates/common.typ");
const REPORT_CARD: &str = include_str!("../templates/report_card.typ");
const TRANSCRIPT: &str = include_str!("../templates/transcript.typ");

fn engine(main: &'static str) -> TypstEngine<TypstTemplateMainFile> {
    TypstEngine::builder()
        .main_file(main)
        .with_static_source_file_resolver([("common.typ", COMMON)])
        .fonts(typst_assets::fonts().map(Bytes::new))
        .build()
}

static REPORT_CARD_ENGINE: LazyLock<TypstEngine<TypstTemplateMainFile>> =
    LazyLock::new(|| engine(REPORT_CARD));
static TRANSCRIPT_ENGINE: LazyLock<TypstEngine<TypstTemplateMainFile>> =
    LazyLock::new(|| engine(TRANSCRIPT));

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("typesetting failed: {0}")]
    Typeset(String),
}

/// The issuing college, for the letterhead.
#[derive(Debug, Clone, Default)]
pub struct College {
    pub name: String,
    pub address: String,
    /// Phone, email and website on one line.
    pub contact: String,
}

#[derive(Debug, Clone, Default)]
pub struct Student {
    pub name: String,
    pub number: String,
    pub program: String,
    pub year: String,
}

#[derive(Debug, Clone, Default)]
pub struct Course {
    pub code: String,
    pub title: String,
    pub credits: String,
    pub percent: String,
    pub letter: String,
    pub points: String,
    pub passed: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Term {
    /// e.g. `Autumn 2026 (2026-27)`.
    pub title: String,
    pub courses: Vec<Course>,
    pub gpa: String,
    pub credits_attempted: String,
    pub credits_earned: String,
}

/// How a reader checks the document: its code, the public page, and that page's
/// address as a QR code (SVG).
#[derive(Debug, Clone, Default)]
pub struct Verification {
    pub code: String,
    pub url: String,
    pub qr_svg: String,
}

#[derive(Debug, Clone, Default)]
pub struct Attendance {
    pub code: String,
    pub title: String,
    pub percent: String,
}

#[derive(Debug, Clone, Default)]
pub struct ReportCard {
    pub college: College,
    pub student: Student,
    pub term: Term,
    pub attendance: Vec<Attendance>,
    pub cumulative_gpa: String,
    pub issued_on: String,
    /// Titles printed under the signature lines, e.g. `Registrar`.
    pub signatories: Vec<String>,
    pub verification: Verification,
}

#[derive(Debug, Clone, Default)]
pub struct Transcript {
    pub college: College,
    pub student: Student,
    pub terms: Vec<Term>,
    pub cumulative_gpa: String,
    pub credits_earned: String,
    pub issued_on: String,
    pub signatories: Vec<String>,
    pub verification: Verification,
}

fn college(c: &College) -> Dict {
    dict! { "name" => c.name.as_str(), "address" => c.address.as_str(), "contact" => c.contact.as_str() }
}

fn student(s: &Student) -> Dict {
    dict! {
        "name" => s.name.as_str(), "number" => s.number.as_str(),
        "program" => s.program.as_str(), "year" => s.year.as_str(),
    }
}

fn term(t: &Term) -> Dict {
    let courses: Array = t
        .courses
        .iter()
        .map(|c| {
            dict! {
                "code" => c.code.as_str(), "title" => c.title.as_str(), "credits" => c.credits.as_str(),
                "percent" => c.percent.as_str(), "letter" => c.letter.as_str(), "points" => c.points.as_str(),
                "passed" => c.passed,
            }
            .into_value()
        })
        .collect();
    dict! {
        "title" => t.title.as_str(), "courses" => courses, "gpa" => t.gpa.as_str(),
        "credits_attempted" => t.credits_attempted.as_str(), "credits_earned" => t.credits_earned.as_str(),
    }
}

fn verification(v: &Verification) -> Dict {
    dict! {
        "code" => v.code.as_str(), "url" => v.url.as_str(),
        "qr" => Bytes::from_string(v.qr_svg.clone()),
    }
}

fn strings(items: &[String]) -> Array {
    items.iter().map(|s| s.as_str().into_value()).collect()
}

/// A term's report card as PDF.
pub fn report_card(card: &ReportCard) -> Result<Vec<u8>, DocumentError> {
    let attendance: Array = card
        .attendance
        .iter()
        .map(|a| {
            dict! { "code" => a.code.as_str(), "title" => a.title.as_str(), "percent" => a.percent.as_str() }
                .into_value()
        })
        .collect();
    let inputs = dict! {
        "title" => format!("Report card: {} ({})", card.student.name, card.term.title),
        "college" => college(&card.college),
        "student" => student(&card.student),
        "term" => term(&card.term),
        "attendance" => attendance,
        "cumulative_gpa" => card.cumulative_gpa.as_str(),
        "issued_on" => card.issued_on.as_str(),
        "signatories" => strings(&card.signatories),
        "verification" => verification(&card.verification),
    };
    typeset(&REPORT_CARD_ENGINE, inputs)
}

/// The official transcript as PDF: every term with published results.
pub fn transcript(transcript: &Transcript) -> Result<Vec<u8>, DocumentError> {
    let terms: Array = transcript
        .terms
        .iter()
        .map(|t| Value::Dict(term(t)))
        .collect();
    let inputs = dict! {
        "title" => format!("Transcript: {}", transcript.student.name),
        "college" => college(&transcript.college),
        "student" => student(&transcript.student),
        "terms" => terms,
        "cumulative_gpa" => transcript.cumulative_gpa.as_str(),
        "credits_earned" => transcript.credits_earned.as_str(),
        "issued_on" => transcript.issued_on.as_str(),
        "signatories" => strings(&transcript.signatories),
        "verification" => verification(&transcript.verification),
    };
    typeset(&TRANSCRIPT_ENGINE, inputs)
}

fn typeset(
    engine: &TypstEngine<TypstTemplateMainFile>,
    inputs: Dict,
) -> Result<Vec<u8>, DocumentError> {
    let document: PagedDocument =
        engine
            .compile_with_input(inputs)
            .output
            .map_err(|e| match e {
                TypstAsLibError::TypstSource(diagnostics) => {
                    DocumentError::Typeset(describe(&diagnostics))
                }
                other => DocumentError::Typeset(format!("{other:?}")),
            })?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|diagnostics| DocumentError::Typeset(describe(&diagnostics)))
}

fn describe(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let hints: String = d
                .hints
                .iter()
                .map(|h| format!(" (hint: {})", h.v))
                .collect();
            format!("{}{hints}", d.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const QR: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2"><rect width="1" height="1"/></svg>"#;

    fn sample_term(title: &str) -> Term {
        Term {
            title: title.into(),
            courses: vec![
                Course {
                    code: "CS101".into(),
                    title: "Programming #1 $x$ *not bold* [link]".into(),
                    credits: "4".into(),
                    percent: "91.5".into(),
                    letter: "O".into(),
                    points: "10".into(),
                    passed: true,
                },
                Course {
                    code: "MA101".into(),
                    title: "Calculus".into(),
                    credits: "3".into(),
                    percent: "31".into(),
                    letter: "F".into(),
                    points: "0".into(),
                    passed: false,
                },
            ],
            gpa: "5.71".into(),
            credits_attempted: "7".into(),
            credits_earned: "4".into(),
        }
    }

    fn verification() -> Verification {
        Verification {
            code: "ABCD-EFGH-JKMN-PQRS".into(),
            url: "https://campus.example/c/alpha/verify/ABCDEFGHJKMNPQRS".into(),
            qr_svg: QR.into(),
        }
    }

    #[test]
    fn a_report_card_is_a_pdf() {
        let pdf = report_card(&ReportCard {
            college: College {
                name: "Alpha College".into(),
                address: "1 Main Road".into(),
                contact: "office@alpha.edu".into(),
            },
            student: Student {
                name: "Zoë Ñúñez #set page(width: 1cm)".into(),
                number: "S00001".into(),
                program: "B.Sc. Computing".into(),
                year: "1".into(),
            },
            term: sample_term("Autumn 2026"),
            attendance: vec![Attendance {
                code: "CS101".into(),
                title: "Programming".into(),
                percent: "92.0%".into(),
            }],
            cumulative_gpa: "5.71".into(),
            issued_on: "2026-11-25".into(),
            signatories: vec!["Class teacher".into(), "Registrar".into()],
            verification: verification(),
        })
        .expect("typeset");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 1000);
        // To look at it: CAMPUS_SAMPLE_PDF=/tmp/card.pdf cargo test -p documents
        if let Ok(path) = std::env::var("CAMPUS_SAMPLE_PDF") {
            std::fs::write(path, &pdf).expect("write the sample");
        }
    }

    #[test]
    fn a_transcript_spans_terms() {
        let pdf = transcript(&Transcript {
            terms: vec![sample_term("Autumn 2025"), sample_term("Spring 2026")],
            verification: verification(),
            signatories: vec!["Registrar".into()],
            ..Transcript::default()
        })
        .expect("typeset");
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
