//! One OneRoster CSV file: its header (required columns checked, vendor extension
//! columns tolerated) and its rows, with problems named by file, line and column.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

/// A problem in the archive: where, and what.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// The line of the file (the header is line 1); 0 for the file as a whole.
    pub line: usize,
    pub column: String,
    pub message: String,
}

pub struct Row {
    pub line: usize,
    cells: Vec<String>,
}

pub struct Table {
    pub file: String,
    columns: HashMap<String, usize>,
    pub rows: Vec<Row>,
}

impl Table {
    /// Reads `text`; a missing required column or an unreadable file is a problem of the
    /// whole file (and the table is then empty).
    pub fn read(file: &str, text: &str, required: &[&str], problems: &mut Vec<Problem>) -> Table {
        let mut table = Table {
            file: file.to_string(),
            columns: HashMap::new(),
            rows: Vec::new(),
        };
        let whole = |message: String| Problem {
            file: file.to_string(),
            line: 0,
            column: String::new(),
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                problems.push(whole(format!("cannot be read: {e}")));
                return table;
            }
        };
        for (i, h) in headers.iter().enumerate() {
            let h = h.trim();
            if !h.is_empty() && table.columns.insert(h.to_string(), i).is_some() {
                problems.push(whole(format!("names the column {h} twice")));
                return table;
            }
        }
        // Headers as other exporters write them: in another case, or OneRoster 1.0's
        // `userSourcedId` for demographics' `sourcedId`.
        let spelled: Vec<(String, usize)> = table
            .columns
            .iter()
            .map(|(name, i)| (name.clone(), *i))
            .collect();
        for wanted in required.iter().chain(["sourcedId"].iter()) {
            if table.columns.contains_key(*wanted) {
                continue;
            }
            let found = spelled
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
                .or_else(|| {
                    (*wanted == "sourcedId")
                        .then(|| {
                            spelled
                                .iter()
                                .find(|(name, _)| name.eq_ignore_ascii_case("userSourcedId"))
                        })
                        .flatten()
                });
            if let Some((_, i)) = found {
                table.columns.insert((*wanted).to_string(), *i);
            }
        }
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| !table.columns.contains_key(*c))
            .collect();
        if !missing.is_empty() {
            problems.push(whole(format!(
                "lacks the required columns {}",
                missing.join(", ")
            )));
            return table;
        }
        let mut lines = crate::files::uploads::CsvLines::new(text);
        for record in reader.records() {
            match record {
                Ok(record) => {
                    if record.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    let line = lines.line(&record).unwrap_or(0);
                    table.rows.push(Row {
                        line,
                        cells: record.iter().map(|c| c.trim().to_string()).collect(),
                    });
                }
                Err(e) => {
                    problems.push(whole(format!("cannot be read: {e}")));
                    table.rows.clear();
                    return table;
                }
            }
        }
        table
    }

    pub fn get<'a>(&self, row: &'a Row, column: &str) -> &'a str {
        self.columns
            .get(column)
            .and_then(|&i| row.cells.get(i))
            .map_or("", String::as_str)
    }

    pub fn problem(&self, row: &Row, column: &str, message: impl Into<String>) -> Problem {
        Problem {
            file: self.file.clone(),
            line: row.line,
            column: column.to_string(),
            message: message.into(),
        }
    }
}
