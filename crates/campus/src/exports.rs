//! Spreadsheet exports (CSV and XLSX) that are safe to open: a cell a spreadsheet would
//! run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) is
//! prefixed with a quote so it shows as text.

use std::borrow::Cow;

use rust_xlsxwriter::{Format, Workbook};

/// The text of a cell, defused.
pub fn defuse(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// One cell of a table to export.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl Cell {
    /// The cell as printed on a page (no formula to defuse: a PDF runs nothing).
    pub fn as_text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        }
    }

    fn as_csv(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(t) => defuse(t),
            Cell::Number(n) => Cow::Owned(n.to_string()),
            Cell::Empty => Cow::Borrowed(""),
        }
    }
}

/// A header row and data rows as CSV (RFC 4180 quoting by the csv crate).
pub fn csv(header: &[String], rows: &[Vec<Cell>]) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(
        header
            .iter()
            .map(|h| defuse(h))
            .collect::<Vec<_>>()
            .iter()
            .map(|c| c.as_ref()),
    )?;
    for row in rows {
        let cells: Vec<Cow<'_, str>> = row.iter().map(Cell::as_csv).collect();
        writer.write_record(cells.iter().map(|c| c.as_ref()))?;
    }
    Ok(writer.into_inner()?)
}

/// A header row (bold, frozen) and data rows as an XLSX workbook of one sheet.
pub fn xlsx(sheet: &str, header: &[String], rows: &[Vec<Cell>]) -> anyhow::Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet)?;
    for (c, title) in header.iter().enumerate() {
        worksheet.write_string_with_format(0, c as u16, defuse(title), &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(t) => {
                    worksheet.write_string(r, c as u16, defuse(t))?;
                }
                Cell::Number(n) => {
                    worksheet.write_number(r, c as u16, *n)?;
                }
                Cell::Empty => {}
            }
        }
    }
    worksheet.set_freeze_panes(1, 0)?;
    worksheet.autofit();
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_in_both_formats() {
        let header = vec!["Name".to_string(), "Score".to_string()];
        let rows = vec![vec![
            Cell::Text("=HYPERLINK(\"http://x\")".into()),
            Cell::Number(-3.5),
        ]];
        let text = String::from_utf8(csv(&header, &rows).expect("csv")).expect("utf8");
        assert!(text.contains("'=HYPERLINK"), "{text}");
        assert!(text.contains("-3.5"), "numbers stay numbers: {text}");
        let book = xlsx("Marks", &header, &rows).expect("xlsx");
        assert!(book.starts_with(b"PK"));
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("plain"), "plain");
    }
}
