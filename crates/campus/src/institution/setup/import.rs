//! A register's CSV import, generic over it: the header checked against the register's
//! columns (a column Campus does not know is refused, named), every row read as the
//! register's form and checked by the same rules as the pages, a row whose code exists
//! already updating that record; a preview reports every problem by line and column,
//! and an import writes every row or none.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;

use super::{Register, service};
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

/// Rows one import takes.
pub const MAX_ROWS: usize = 10_000;
/// Problems listed in a report (the count covers them all).
const MAX_LISTED: usize = 500;

/// The columns a register imports.
#[derive(Debug, Clone, Copy)]
pub struct Import {
    /// The page (`/setup/rooms/import`).
    pub page: &'static str,
    /// Columns every file has; the first is the record's code, which finds a record
    /// to update on a second import.
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
    /// A data line, to show the format.
    pub example: &'static str,
}

/// One problem: where, and what.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[schema(as = ImportRowProblem)]
pub struct RowProblem {
    /// The line of the file (the header is line 1).
    pub line: usize,
    /// The column, as the header names it; empty for the whole row.
    pub column: String,
    pub message: String,
}

/// What an import found and did.
#[derive(Debug, Clone, Serialize, ToSchema, Default)]
#[schema(as = RegisterImportReport)]
pub struct Report {
    /// Data rows read.
    pub rows: usize,
    /// Records the import makes, and those it finds by code and updates.
    pub created: usize,
    pub updated: usize,
    /// Every problem found (the first 500 are listed in `errors`).
    pub error_count: usize,
    pub errors: Vec<RowProblem>,
    /// Whether the rows were written (never with a problem, never for a preview).
    pub committed: bool,
}

impl Report {
    pub fn problem(&mut self, line: usize, column: &str, message: impl Into<String>) {
        self.error_count += 1;
        if self.errors.len() < MAX_LISTED {
            self.errors.push(RowProblem {
                line,
                column: column.to_string(),
                message: message.into(),
            });
        }
    }
}

/// Text a spreadsheet would run as a formula when the file is opened again. A number or
/// a phone number (a basement's floor `-1`, `+91 98765 43210`) calls nothing, so it is
/// not one.
pub fn formula(value: &str) -> bool {
    value.starts_with(['=', '+', '-', '@', '\t', '\r'])
        && !value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
}

/// The header, checked: lower case, each column once, every required one present and
/// none unknown. Refusals are the file's (400), naming the columns.
fn header(import: &Import, row: &csv::StringRecord, many: &str) -> Result<Vec<String>, AppError> {
    let columns: Vec<String> = row.iter().map(|h| h.trim().to_lowercase()).collect();
    let expected = || {
        format!(
            "a file of {many} has the columns {}{}",
            import.required.join(", "),
            if import.optional.is_empty() {
                String::new()
            } else {
                format!(" and may have {}", import.optional.join(", "))
            }
        )
    };
    let mut seen = Vec::new();
    for column in &columns {
        if column.is_empty() {
            continue;
        }
        if seen.contains(column) {
            return Err(AppError::BadRequest(format!(
                "The header names the column `{column}` twice"
            )));
        }
        if !import.required.contains(&column.as_str())
            && !import.optional.contains(&column.as_str())
        {
            return Err(AppError::BadRequest(format!(
                "The column `{column}` is not one Campus knows: {}",
                expected()
            )));
        }
        seen.push(column.clone());
    }
    let missing: Vec<&str> = import
        .required
        .iter()
        .copied()
        .filter(|c| !seen.iter().any(|s| s == c))
        .collect();
    if !missing.is_empty() {
        return Err(AppError::BadRequest(format!(
            "The header lacks {}: {}",
            missing.join(", "),
            expected()
        )));
    }
    Ok(columns)
}

/// A data row's cells by column name.
pub type Cells = BTreeMap<String, String>;

/// The data rows of a CSV, each with its line, after what every import refuses: a
/// header with a column Campus does not know (or lacking one), more cells than columns,
/// a formula, a code twice. Those rows are reported and left out; a file that cannot be
/// read at all is the caller's error (400).
pub fn read_rows(
    import: &Import,
    many: &str,
    text: &str,
    report: &mut Report,
) -> Result<Vec<(usize, Cells)>, AppError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let read = |reader: &mut csv::Reader<&[u8]>, record: &mut csv::StringRecord, rows: usize| {
        reader.read_record(record).map_err(|e| {
            AppError::BadRequest(format!("The CSV cannot be read after {rows} rows: {e}"))
        })
    };
    if !read(&mut reader, &mut record, 0)? {
        return Err(AppError::BadRequest(
            "The file is empty: it needs a header line and a line per record".into(),
        ));
    }
    let columns = header(import, &record, many)?;
    let key = import.required[0];
    let mut rows = Vec::new();
    let mut lines_of: HashMap<String, usize> = HashMap::new();
    let mut lines = crate::files::uploads::CsvLines::new(text);
    loop {
        if !read(&mut reader, &mut record, report.rows)? {
            break;
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        report.rows += 1;
        if report.rows > MAX_ROWS {
            return Err(AppError::BadRequest(format!(
                "At most {MAX_ROWS} {many} can be imported at once"
            )));
        }
        let line = lines.line(&record).unwrap_or(report.rows + 1);
        if record.len() > columns.len() {
            report.problem(
                line,
                "",
                format!(
                    "has {} cells; the header has {} columns",
                    record.len(),
                    columns.len()
                ),
            );
            continue;
        }
        let mut cells = BTreeMap::new();
        let mut bad = false;
        for (column, value) in columns.iter().zip(record.iter()) {
            let value = value.trim();
            if column.is_empty() {
                continue;
            }
            if formula(value) {
                report.problem(
                    line,
                    column,
                    "starts with =, +, - or @: a spreadsheet would run it as a formula",
                );
                bad = true;
            }
            cells.insert(column.clone(), value.to_string());
        }
        if bad {
            continue;
        }
        let code = cells.get(key).cloned().unwrap_or_default().to_uppercase();
        if let Some(first) = lines_of.get(&code) {
            report.problem(line, key, format!("{code} is on line {first} already"));
            continue;
        }
        lines_of.insert(code, line);
        rows.push((line, cells));
    }
    if report.rows == 0 {
        return Err(AppError::BadRequest(format!(
            "The file has a header and no {many}"
        )));
    }
    Ok(rows)
}

/// One row's work in a savepoint, so a refused row leaves the transaction usable for
/// the rows after it and every problem of the file is reported at once: `None` (the
/// problems reported on `line`) when the row was refused.
pub async fn in_savepoint<T>(
    conn: &mut PgConnection,
    report: &mut Report,
    line: usize,
    work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, AppError>,
) -> Result<Option<T>, AppError> {
    sqlx::query!("SAVEPOINT import_row")
        .execute(&mut *conn)
        .await?;
    match work(&mut *conn).await {
        Ok(done) => {
            sqlx::query!("RELEASE SAVEPOINT import_row")
                .execute(&mut *conn)
                .await?;
            Ok(Some(done))
        }
        Err(AppError::Validation(problems)) => {
            sqlx::query!("ROLLBACK TO SAVEPOINT import_row")
                .execute(&mut *conn)
                .await?;
            for FieldError { field, message } in problems {
                report.problem(line, &field, message);
            }
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// Ends an import: it is committed (and audited) when it is not a preview and no row
/// was refused; otherwise the caller rolls the transaction back.
pub async fn finish(
    conn: &mut PgConnection,
    context: &AuditContext,
    many: &str,
    report: &mut Report,
    preview: bool,
) -> Result<(), AppError> {
    // In the file's order, whichever pass found them.
    report.errors.sort_by_key(|e| e.line);
    report.committed = !preview && report.error_count == 0;
    if report.committed {
        audit::record(
            conn,
            context,
            Entry::new("setup.imported").after(serde_json::json!({
                "register": many, "rows": report.rows,
                "created": report.created, "updated": report.updated,
            })),
        )
        .await?;
    }
    Ok(())
}

/// Reads and checks the CSV, and writes its rows (each audited as any change). With
/// `preview`, or with any problem, the report says `committed: false` and the caller
/// rolls the transaction back: nothing is written.
pub async fn run<R: Register>(
    conn: &mut PgConnection,
    context: &AuditContext,
    text: &str,
    preview: bool,
) -> Result<Report, AppError> {
    let Some(import) = R::IMPORT else {
        return Err(AppError::NotFound);
    };
    let mut report = Report::default();
    for (line, cells) in read_rows(&import, R::MANY, text, &mut report)? {
        let form = match R::form_of_cells(&cells) {
            Ok(form) => form,
            Err(message) => {
                report.problem(line, "", message);
                continue;
            }
        };
        let (input, found) = R::parse(&form);
        let existing = R::existing(conn, &input).await?;
        let saved = in_savepoint(conn, &mut report, line, async |conn| {
            service::save::<R>(conn, context, existing, &input, found).await
        })
        .await?;
        match (saved, existing) {
            (Some(_), Some(_)) => report.updated += 1,
            (Some(_), None) => report.created += 1,
            (None, _) => {}
        }
    }
    finish(conn, context, R::MANY, &mut report, preview).await?;
    Ok(report)
}

/// A row's cells as a register's form: each column a text field of the same name.
pub fn form_from_cells<F: serde::de::DeserializeOwned>(
    cells: &BTreeMap<String, String>,
) -> Result<F, String> {
    let object: serde_json::Map<String, serde_json::Value> = cells
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    serde_json::from_value(serde_json::Value::Object(object))
        .map_err(|e| format!("cannot be read: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_told_from_numbers() {
        assert!(formula("=SUM(A1:A3)"));
        assert!(formula("@cmd"));
        assert!(formula("-SUM(A1)"));
        assert!(!formula("-1"));
        assert!(!formula("Room 1"));
        assert!(!formula("+91 98765 43210"));
        assert!(formula("+cmd|' /C calc'!A0"));
    }
}
