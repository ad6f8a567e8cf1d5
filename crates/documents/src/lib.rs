//! Campus's printable documents: a term's report card and the official transcript,
//! identity cards, hall tickets and printed tables (mark sheets, registers),
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
const PORTFOLIO: &str = include_str!("../templates/portfolio.typ");
const ID_CARD: &str = include_str!("../templates/id_card.typ");
const HALL_TICKET: &str = include_str!("../templates/hall_ticket.typ");
const SHEET: &str = include_str!("../templates/sheet.typ");

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
static PORTFOLIO_ENGINE: LazyLock<TypstEngine<TypstTemplateMainFile>> =
    LazyLock::new(|| engine(PORTFOLIO));
static ID_CARD_ENGINE: LazyLock<TypstEngine<TypstTemplateMainFile>> =
    LazyLock::new(|| engine(ID_CARD));
static HALL_TICKET_ENGINE: LazyLock<TypstEngine<TypstTemplateMainFile>> =
    LazyLock::new(|| engine(HALL_TICKET));
static SHEET_ENGINE: LazyLock<TypstEngine<TypstTemplateMainFile>> = LazyLock::new(|| engine(SHEET));

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

/// One approved achievement in a portfolio.
#[derive(Debug, Clone, Default)]
pub struct Achievement {
    pub title: String,
    pub category: String,
    pub achieved_on: String,
    pub organiser: String,
    pub description: String,
    pub points: String,
    pub verified_by: String,
    pub verified_on: String,
    /// Evidence images made small by [`thumbnail`] (JPEG).
    pub thumbnails: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, Default)]
pub struct Portfolio {
    pub college: College,
    pub student: Student,
    pub cumulative_gpa: String,
    pub credits_earned: String,
    /// A sentence or two on the student's studies so far.
    pub summary: String,
    pub achievements: Vec<Achievement>,
    pub total_points: String,
    pub issued_on: String,
    pub signatories: Vec<String>,
    pub verification: Verification,
}

/// An identity card (credit-card size) for a student or a staff member.
#[derive(Debug, Clone, Default)]
pub struct IdCard {
    pub college: String,
    /// `Student` or `Staff`.
    pub card_kind: String,
    pub name: String,
    pub number: String,
    /// e.g. `Program` or `Department`, and its value.
    pub line_label: String,
    pub line: String,
    pub valid_until: String,
    /// A photograph made small by [`thumbnail`], when there is one.
    pub photo: Option<Vec<u8>>,
    pub verification: Verification,
}

/// An identity card as PDF.
pub fn id_card(card: &IdCard) -> Result<Vec<u8>, DocumentError> {
    let photo = match &card.photo {
        Some(bytes) => Bytes::new(bytes.clone()).into_value(),
        None => Value::None,
    };
    let inputs = dict! {
        "title" => format!("Identity card: {}", card.name),
        "college" => card.college.as_str(),
        "card_kind" => card.card_kind.as_str(),
        "name" => card.name.as_str(),
        "number" => card.number.as_str(),
        "line_label" => card.line_label.as_str(),
        "line" => card.line.as_str(),
        "valid_until" => card.valid_until.as_str(),
        "photo" => photo,
        "verification" => verification(&card.verification),
    };
    typeset(&ID_CARD_ENGINE, inputs)
}

/// The longest side of a thumbnail, in pixels (3.6 cm at about 340 dpi).
const THUMBNAIL_SIDE: u32 = 480;

/// A PNG, JPEG or GIF image made small enough to print as a thumbnail, as JPEG; `None`
/// when the bytes are not an image we can read. Decoding is bounded, so a small file that
/// claims to be a huge image (a decompression bomb) is refused rather than expanded.
pub fn thumbnail(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(192 * 1024 * 1024);
    reader.limits(limits);
    let decoded = reader.decode().ok()?;
    let small = decoded.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE).to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&small)
        .ok()?;
    Some(out)
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

/// A student's verified portfolio as PDF: approved achievements with evidence
/// thumbnails and an academic summary.
pub fn portfolio(portfolio: &Portfolio) -> Result<Vec<u8>, DocumentError> {
    let achievements: Array = portfolio
        .achievements
        .iter()
        .map(|a| {
            let thumbnails: Array = a
                .thumbnails
                .iter()
                .map(|t| Bytes::new(t.clone()).into_value())
                .collect();
            dict! {
                "title" => a.title.as_str(), "category" => a.category.as_str(),
                "achieved_on" => a.achieved_on.as_str(), "organiser" => a.organiser.as_str(),
                "description" => a.description.as_str(), "points" => a.points.as_str(),
                "verified_by" => a.verified_by.as_str(), "verified_on" => a.verified_on.as_str(),
                "thumbnails" => thumbnails,
            }
            .into_value()
        })
        .collect();
    let inputs = dict! {
        "title" => format!("Portfolio: {}", portfolio.student.name),
        "college" => college(&portfolio.college),
        "student" => student(&portfolio.student),
        "cumulative_gpa" => portfolio.cumulative_gpa.as_str(),
        "credits_earned" => portfolio.credits_earned.as_str(),
        "summary" => portfolio.summary.as_str(),
        "achievements" => achievements,
        "total_points" => portfolio.total_points.as_str(),
        "issued_on" => portfolio.issued_on.as_str(),
        "signatories" => strings(&portfolio.signatories),
        "verification" => verification(&portfolio.verification),
    };
    typeset(&PORTFOLIO_ENGINE, inputs)
}

/// A paper on a hall ticket, as printed.
#[derive(Debug, Clone, Default)]
pub struct ExamPaper {
    pub code: String,
    pub paper: String,
    pub date: String,
    pub time: String,
    pub room: String,
    pub seat: String,
}

/// A student's hall ticket for a term's examinations.
#[derive(Debug, Clone, Default)]
pub struct HallTicket {
    pub college: College,
    pub student: Student,
    pub term: String,
    /// The time zone the times are in, named for the reader.
    pub zone: String,
    pub papers: Vec<ExamPaper>,
    /// A photograph made small by [`thumbnail`], when there is one.
    pub photo: Option<Vec<u8>>,
    pub issued_on: String,
    pub signatories: Vec<String>,
    pub verification: Verification,
}

/// A hall ticket as PDF.
pub fn hall_ticket(ticket: &HallTicket) -> Result<Vec<u8>, DocumentError> {
    let photo = match &ticket.photo {
        Some(bytes) => Bytes::new(bytes.clone()).into_value(),
        None => Value::None,
    };
    let papers: Array = ticket
        .papers
        .iter()
        .map(|p| {
            dict! {
                "code" => p.code.as_str(), "paper" => p.paper.as_str(), "date" => p.date.as_str(),
                "time" => p.time.as_str(), "room" => p.room.as_str(), "seat" => p.seat.as_str(),
            }
            .into_value()
        })
        .collect();
    let inputs = dict! {
        "title" => format!("Hall ticket: {}, {}", ticket.student.name, ticket.term),
        "college" => college(&ticket.college),
        "student" => student(&ticket.student),
        "term" => ticket.term.as_str(),
        "zone" => ticket.zone.as_str(),
        "sittings" => papers,
        "photo" => photo,
        "issued_on" => ticket.issued_on.as_str(),
        "signatories" => strings(&ticket.signatories),
        "verification" => verification(&ticket.verification),
    };
    typeset(&HALL_TICKET_ENGINE, inputs)
}

/// A printed table: a mark sheet, an attendance register.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub college: String,
    pub title: String,
    /// A line under the title (the section, the term, the dates).
    pub subtitle: String,
    pub header: Vec<String>,
    /// How many columns, from the left, are words (the rest are figures, set right).
    pub text_columns: usize,
    pub rows: Vec<Vec<String>>,
    pub printed_on: String,
}

/// A table as PDF, landscape when it is wide.
pub fn sheet(sheet: &Sheet) -> Result<Vec<u8>, DocumentError> {
    let width = sheet.header.len();
    let rows: Array = sheet
        .rows
        .iter()
        .map(|row| {
            // Every row as wide as the header, so a short row cannot shift the table.
            (0..width)
                .map(|i| row.get(i).map_or("", String::as_str).into_value())
                .collect::<Array>()
                .into_value()
        })
        .collect();
    let inputs = dict! {
        "title" => sheet.title.as_str(),
        "college" => sheet.college.as_str(),
        "subtitle" => sheet.subtitle.as_str(),
        "header" => strings(&sheet.header),
        "text_columns" => sheet.text_columns as i64,
        "rows" => rows,
        "printed_on" => sheet.printed_on.as_str(),
    };
    typeset(&SHEET_ENGINE, inputs)
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
    fn a_portfolio_prints_thumbnails_and_refuses_bombs() {
        let mut png = Vec::new();
        let picture = image::RgbImage::from_fn(1600, 900, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        picture
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encode");
        let small = thumbnail(&png).expect("a thumbnail");
        let back = image::load_from_memory(&small).expect("decodes");
        assert_eq!((back.width(), back.height()), (480, 270));
        assert!(thumbnail(b"%PDF-1.7 not an image").is_none());
        // A PNG header claiming 100,000 x 100,000 pixels.
        let mut bomb = png.clone();
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(thumbnail(&bomb).is_none());
        let pdf = portfolio(&Portfolio {
            student: Student {
                name: "Ada #strong[x]".into(),
                ..Student::default()
            },
            achievements: vec![Achievement {
                title: "Hackathon winner".into(),
                category: "technical".into(),
                thumbnails: vec![small],
                ..Achievement::default()
            }],
            verification: verification(),
            signatories: vec!["Dean of students".into()],
            ..Portfolio::default()
        })
        .expect("typeset");
        assert!(pdf.starts_with(b"%PDF-"));
        if let Ok(path) = std::env::var("CAMPUS_SAMPLE_PORTFOLIO") {
            std::fs::write(path, &pdf).expect("write the sample");
        }
    }

    #[test]
    fn an_id_card_prints_with_and_without_a_photo() {
        let mut png = Vec::new();
        image::RgbImage::from_fn(300, 400, |x, _| image::Rgb([(x % 256) as u8, 90, 160]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encode");
        for photo in [Some(thumbnail(&png).expect("thumbnail")), None] {
            let pdf = id_card(&IdCard {
                college: "Alpha College".into(),
                card_kind: "Student".into(),
                name: "Zoë Ñúñez".into(),
                number: "S2026-0001".into(),
                line_label: "Program".into(),
                line: "B.Sc. Computing".into(),
                valid_until: "2029-06-30".into(),
                photo,
                verification: verification(),
            })
            .expect("typeset");
            assert!(pdf.starts_with(b"%PDF-"));
            if let Ok(path) = std::env::var("CAMPUS_SAMPLE_ID_CARD") {
                std::fs::write(path, &pdf).expect("write the sample");
            }
        }
    }

    #[test]
    fn a_hall_ticket_and_a_sheet_are_pdfs() {
        let pdf = hall_ticket(&HallTicket {
            student: Student {
                name: "Zoë #strong[x]".into(),
                number: "S1".into(),
                ..Student::default()
            },
            term: "Autumn 2026".into(),
            zone: "IST".into(),
            papers: vec![ExamPaper {
                code: "CS101".into(),
                paper: "Final exam".into(),
                date: "14 Dec 2026".into(),
                time: "09:30–12:30".into(),
                room: "HALL-1".into(),
                seat: "12".into(),
            }],
            signatories: vec!["Controller of examinations".into()],
            verification: verification(),
            ..HallTicket::default()
        })
        .expect("typeset");
        assert!(pdf.starts_with(b"%PDF-"));
        if let Ok(path) = std::env::var("CAMPUS_SAMPLE_HALL_TICKET") {
            std::fs::write(path, &pdf).expect("write the sample");
        }
        let pdf = sheet(&Sheet {
            college: "Alpha College".into(),
            title: "Mark sheet: CS101 A".into(),
            subtitle: "Autumn 2026".into(),
            header: vec!["Number".into(), "Name".into(), "Mid (30)".into()],
            text_columns: 2,
            rows: vec![
                vec!["S1".into(), "Ada $x$".into(), "27".into()],
                vec!["S2".into()],
            ],
            printed_on: "2026-12-07".into(),
        })
        .expect("typeset");
        assert!(pdf.starts_with(b"%PDF-"));
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
