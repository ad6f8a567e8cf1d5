//! Tables printed as PDF (a mark sheet, an attendance register): the same header and
//! rows a CSV or XLSX export carries, typeset on A4, landscape when wide.

use crate::error::AppError;
use crate::exports::Cell;

/// `header` and `rows` as a printed table, the first `text_columns` set as words.
pub fn pdf(
    title: &str,
    subtitle: &str,
    college: &str,
    header: &[String],
    text_columns: usize,
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, AppError> {
    let sheet = documents::Sheet {
        college: college.to_string(),
        title: title.to_string(),
        subtitle: subtitle.to_string(),
        header: header.to_vec(),
        text_columns,
        rows: rows
            .iter()
            .map(|row| row.iter().map(Cell::as_text).collect())
            .collect(),
        printed_on: crate::documents::issue::model::today(),
    };
    documents::sheet(&sheet).map_err(|e| AppError::Internal(e.into()))
}
