//! A student import's CSV read and checked: the columns it takes, every cell checked
//! (text that would run as a spreadsheet formula refused), each problem reported by line
//! and column, and the report an import answers with.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::AppError;
use crate::guardians::model::RELATIONSHIPS;
use crate::people::model::Email;
use crate::students::model::STATUSES;

/// Rows one import takes.
pub const MAX_ROWS: usize = 50_000;

/// Problems listed in a report (the count covers them all).
pub(super) const MAX_LISTED: usize = 500;

const REQUIRED: [&str; 5] = [
    "student_number",
    "first_name",
    "last_name",
    "program",
    "admitted_on",
];

const OPTIONAL: [&str; 6] = [
    "email",
    "date_of_birth",
    "phone",
    "address",
    "year_of_study",
    "status",
];

const GUARDIAN_FIELDS: [&str; 5] = ["first_name", "last_name", "email", "phone", "relationship"];

const GUARDIAN_PREFIXES: [&str; 2] = ["guardian_", "guardian2_"];

/// One problem: where, and what.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct CellError {
    /// The line of the file (the header is line 1).
    pub line: usize,
    pub column: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, Default)]
#[schema(as = StudentImportReport)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: usize,
    /// Students the import makes, and those it finds already (by number) and updates.
    pub students_new: usize,
    pub students_existing: usize,
    /// Guardians the import makes (others are matched by email or by name).
    pub guardians_new: usize,
    /// Student–guardian links the import makes.
    pub links_new: usize,
    /// Columns of the file Campus does not know; their values are left alone.
    pub ignored_columns: Vec<String>,
    /// Every problem found (the first 500 are listed in `errors`).
    pub error_count: usize,
    pub errors: Vec<CellError>,
    /// Whether the rows were written (never with a problem, never for a preview).
    pub committed: bool,
}

#[derive(Debug, Clone)]
pub(super) struct GuardianRow {
    pub(super) first: String,
    pub(super) last: String,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) relationship: String,
}

#[derive(Debug, Clone)]
pub(super) struct StudentRow {
    pub(super) number: String,
    pub(super) first: String,
    pub(super) last: String,
    pub(super) email: Option<String>,
    pub(super) born: Option<Date>,
    pub(super) phone: Option<String>,
    pub(super) address: Option<String>,
    pub(super) program: Uuid,
    pub(super) admitted: Date,
    pub(super) year: i16,
    pub(super) status: String,
    pub(super) guardians: Vec<GuardianRow>,
}

/// Text a spreadsheet would run as a formula when the file is opened again.
fn formula(value: &str) -> bool {
    value.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

struct Cells<'a> {
    line: usize,
    record: &'a csv::StringRecord,
    columns: &'a HashMap<String, usize>,
    errors: &'a mut Vec<CellError>,
}

impl Cells<'_> {
    fn raw(&self, column: &str) -> &str {
        self.columns
            .get(column)
            .and_then(|&i| self.record.get(i))
            .unwrap_or("")
            .trim()
    }

    fn problem(&mut self, column: &str, message: impl Into<String>) {
        self.errors.push(CellError {
            line: self.line,
            column: column.to_string(),
            message: message.into(),
        });
    }

    /// Text of at most `max` characters, refused when it would run as a formula.
    fn text(&mut self, column: &str, required: bool, max: usize) -> Option<String> {
        let value = self.raw(column).to_string();
        if value.is_empty() {
            if required {
                self.problem(column, "is required");
            }
            return None;
        }
        if formula(&value) {
            self.problem(
                column,
                "begins like a spreadsheet formula (=, +, -, @); remove it",
            );
            return None;
        }
        if value.chars().count() > max || value.chars().any(|c| c.is_control()) {
            self.problem(column, format!("must be at most {max} plain characters"));
            return None;
        }
        Some(value)
    }

    fn phone(&mut self, column: &str) -> Option<String> {
        let value = self.raw(column).to_string();
        if value.is_empty() {
            return None;
        }
        let ok = value.chars().count() <= 40
            && value
                .trim_start_matches('+')
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
            && value
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
        if !ok {
            self.problem(column, "must be a phone number such as +91 98765 43210");
            return None;
        }
        Some(value)
    }

    fn email(&mut self, column: &str) -> Option<String> {
        let value = self.raw(column).to_string();
        if value.is_empty() {
            return None;
        }
        match Email::parse(column, &value) {
            Ok(email) => Some(email.as_str().to_lowercase()),
            Err(e) => {
                self.problem(column, e.message);
                None
            }
        }
    }

    fn date(&mut self, column: &str, required: bool) -> Option<Date> {
        let value = self.raw(column).to_string();
        if value.is_empty() {
            if required {
                self.problem(column, "is required");
            }
            return None;
        }
        let format = time::macros::format_description!("[year]-[month]-[day]");
        match Date::parse(&value, &format) {
            Ok(d) if d.year() > 1900 && d.year() < 2200 => Some(d),
            _ => {
                self.problem(
                    column,
                    format!("`{value}` is not a date such as 2008-04-30"),
                );
                None
            }
        }
    }
}

pub(super) struct Parsed {
    pub(super) rows: Vec<(usize, StudentRow)>,
    pub(super) count: usize,
    pub(super) ignored: Vec<String>,
    pub(super) errors: Vec<CellError>,
}

pub(super) fn parse(text: &str, programs: &HashMap<String, Uuid>) -> Result<Parsed, AppError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::BadRequest(format!("The CSV cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let mut columns = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if !h.is_empty() && columns.insert(h.clone(), i).is_some() {
            return Err(AppError::BadRequest(format!(
                "The header names the column `{h}` twice"
            )));
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !columns.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        return Err(AppError::BadRequest(format!(
            "The header lacks required columns: {} (it needs {}; optional: {}, and guardian_/guardian2_ with {})",
            missing.join(", "),
            REQUIRED.join(", "),
            OPTIONAL.join(", "),
            GUARDIAN_FIELDS.join(", ")
        )));
    }
    let known: HashSet<String> = REQUIRED
        .iter()
        .chain(OPTIONAL.iter())
        .map(|c| c.to_string())
        .chain(
            GUARDIAN_PREFIXES
                .iter()
                .flat_map(|p| GUARDIAN_FIELDS.iter().map(move |f| format!("{p}{f}"))),
        )
        .collect();
    let ignored: Vec<String> = headers
        .iter()
        .filter(|h| !h.is_empty() && !known.contains(*h))
        .cloned()
        .collect();
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut count = 0;
    let mut numbers: HashMap<String, usize> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut lines = crate::files::uploads::CsvLines::new(text);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(AppError::BadRequest(format!(
                    "The CSV cannot be read after {count} rows: {e}"
                )));
            }
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        count += 1;
        if count > MAX_ROWS {
            return Err(AppError::BadRequest(format!(
                "At most {MAX_ROWS} students can be imported at once"
            )));
        }
        let line = lines.line(&record).unwrap_or(count + 1);
        let mut cells = Cells {
            line,
            record: &record,
            columns: &columns,
            errors: &mut errors,
        };
        let number = cells.raw("student_number").to_uppercase();
        let number_ok = number.len() >= 3
            && number.len() <= 30
            && number.starts_with(|c: char| c.is_ascii_alphanumeric())
            && number
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if !number_ok {
            cells.problem(
                "student_number",
                "must be 3 to 30 letters, digits or dashes, such as S2026-0001",
            );
        } else if let Some(first) = numbers.insert(number.clone(), line) {
            cells.problem("student_number", format!("{number} repeats line {first}"));
        }
        let first = cells.text("first_name", true, 100);
        let last = cells.text("last_name", true, 100);
        let email = cells.email("email");
        let born = cells.date("date_of_birth", false);
        let phone = cells.phone("phone");
        let address = cells.text("address", false, 500);
        let program_code = cells.raw("program").to_uppercase();
        let program = programs.get(&program_code).copied();
        if program.is_none() {
            let message = if program_code.is_empty() {
                "is required".to_string()
            } else {
                format!("no program has the code `{program_code}`")
            };
            cells.problem("program", message);
        }
        let admitted = cells.date("admitted_on", true);
        let year_text = cells.raw("year_of_study").to_string();
        let year = if year_text.is_empty() {
            Some(1)
        } else {
            match year_text.parse::<i16>() {
                Ok(y) if (1..=10).contains(&y) => Some(y),
                _ => {
                    cells.problem("year_of_study", "must be a whole number from 1 to 10");
                    None
                }
            }
        };
        let status = match cells.raw("status").to_lowercase() {
            s if s.is_empty() => Some("enrolled".to_string()),
            s if STATUSES.contains(&s.as_str()) => Some(s),
            s => {
                cells.problem(
                    "status",
                    format!("`{s}` is not enrolled, on_leave, suspended, graduated or withdrawn"),
                );
                None
            }
        };
        let mut guardians = Vec::new();
        for prefix in GUARDIAN_PREFIXES {
            let column = |f: &str| format!("{prefix}{f}");
            let given = GUARDIAN_FIELDS
                .iter()
                .any(|f| !cells.raw(&column(f)).is_empty());
            if !given {
                continue;
            }
            let first = cells.text(&column("first_name"), true, 100);
            let last = cells.text(&column("last_name"), true, 100);
            let email = cells.email(&column("email"));
            let phone = cells.phone(&column("phone"));
            let relationship = match cells.raw(&column("relationship")).to_lowercase() {
                r if r.is_empty() => Some("guardian".to_string()),
                r if RELATIONSHIPS.contains(&r.as_str()) => Some(r),
                r => {
                    cells.problem(
                        &column("relationship"),
                        format!("`{r}` is not one of {}", RELATIONSHIPS.join(", ")),
                    );
                    None
                }
            };
            if let (Some(first), Some(last), Some(relationship)) = (first, last, relationship) {
                guardians.push(GuardianRow {
                    first,
                    last,
                    email,
                    phone,
                    relationship,
                });
            }
        }
        if let (
            true,
            Some(first),
            Some(last),
            Some(program),
            Some(admitted),
            Some(year),
            Some(status),
        ) = (number_ok, first, last, program, admitted, year, status)
        {
            rows.push((
                line,
                StudentRow {
                    number,
                    first,
                    last,
                    email,
                    born,
                    phone,
                    address,
                    program,
                    admitted,
                    year,
                    status,
                    guardians,
                },
            ));
        }
    }
    if count == 0 {
        return Err(AppError::BadRequest(
            "The CSV has no rows under its header".into(),
        ));
    }
    Ok(Parsed {
        rows,
        count,
        ignored,
        errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programs() -> HashMap<String, Uuid> {
        HashMap::from([("BSC-CS".to_string(), Uuid::nil())])
    }

    #[test]
    fn every_problem_names_its_line_and_column() {
        let csv = "student_number,first_name,last_name,program,admitted_on,house,guardian_first_name,guardian_last_name,guardian_relationship\n\
                   S0001,Ada,Lovelace,bsc-cs,2026-07-01,Red,Anne,Byron,mother\n\
                   S0001,=HYPERLINK(\"x\"),Dup,BSC-CS,2026-07-01,Blue,,,\n\
                   s-2,Bob,Brown,MBA,01/07/2026,,Jo,,aunty\n";
        let parsed = parse(csv, &programs()).expect("parsed");
        assert_eq!(parsed.count, 3);
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.ignored, ["house"]);
        let at = |line: usize, column: &str| {
            parsed
                .errors
                .iter()
                .any(|e| e.line == line && e.column == column)
        };
        assert!(at(3, "student_number"), "{:?}", parsed.errors);
        assert!(at(3, "first_name"));
        assert!(at(4, "program"));
        assert!(at(4, "admitted_on"));
        assert!(at(4, "guardian_last_name"));
        assert!(at(4, "guardian_relationship"));
        assert_eq!(parsed.rows[0].1.guardians[0].relationship, "mother");
        assert_eq!(parsed.rows[0].1.number, "S0001");
    }

    #[test]
    fn headers_must_name_the_required_columns_once() {
        assert!(parse("student_number,first_name\nS1,A\n", &programs()).is_err());
        assert!(
            parse(
                "student_number,first_name,last_name,program,admitted_on,first_name\nx,y,z,p,d,f\n",
                &programs()
            )
            .is_err()
        );
        assert!(
            parse(
                "student_number,first_name,last_name,program,admitted_on\n",
                &programs()
            )
            .is_err()
        );
        // A byte order mark and extra vendor columns are fine.
        let ok = parse(
            "\u{feff}Student_Number,First_Name,Last_Name,Program,Admitted_On,x_vendor\nS0009,A,B,BSC-CS,2026-07-01,1\n",
            &programs(),
        )
        .expect("parsed");
        assert!(ok.errors.is_empty(), "{:?}", ok.errors);
    }

    #[test]
    fn phones_may_begin_with_a_plus_but_names_may_not() {
        let csv = "student_number,first_name,last_name,program,admitted_on,phone\n\
                   S0001,+Ada,L,BSC-CS,2026-07-01,+91 98765 43210\n\
                   S0002,Bo,L,BSC-CS,2026-07-01,+cmd|' /C calc'!A0\n";
        let parsed = parse(csv, &programs()).expect("parsed");
        let columns: Vec<(usize, &str)> = parsed
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect();
        assert_eq!(columns, [(2, "first_name"), (3, "phone")]);
    }
}
