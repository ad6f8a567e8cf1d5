//! Uploaded files: reading a multipart form within the upload limit, refusing a type we
//! do not take or a file that is not what its name says, storing the bytes in file
//! storage and describing them in `stored_files`, and serving them back (once the domain
//! the file belongs to has said who may read it: see `downloads`).

use axum::extract::Multipart;
use axum::response::Response;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::CollegeId;
use crate::error::{AppError, AppResult, FieldError};
use crate::files::Storage;
use crate::web::attachment::attachment;

/// At most this many files in one form.
pub const MAX_FILES: usize = 5;

/// A file from a form.
#[derive(Debug, Clone)]
pub struct Upload {
    pub field: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A multipart form: its text fields and its files.
#[derive(Debug, Default)]
pub struct FormData {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

impl FormData {
    pub fn text(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The form's first file as UTF-8 text (a CSV to import), or the `file` field's error.
    pub fn text_file(&self) -> Result<String, AppError> {
        let Some(file) = self.files.first() else {
            return Err(AppError::Validation(vec![FieldError::new(
                "file",
                "choose a CSV file",
            )]));
        };
        String::from_utf8(file.bytes.clone()).map_err(|_| {
            AppError::Validation(vec![FieldError::new(
                "file",
                "is not UTF-8 text; save the spreadsheet as CSV UTF-8",
            )])
        })
    }
}

/// The line of a CSV file a record starts on (the header is line 1). The csv reader's
/// own count lags by one on CRLF line ends, as spreadsheets and Windows exporters write
/// them: it places a record at the `\n` ending the line before. So the lines are counted
/// here, up to the record's first byte that ends no line. `text` is what it read.
pub fn csv_line(text: &str, record: &csv::StringRecord) -> Option<usize> {
    CsvLines::new(text).line(record)
}

/// [`csv_line`] for every record of a file as it is read: the lines are counted on from
/// the previous record, so a file is counted once rather than once per record (a 20,000
/// row import spent seconds counting from the top each time).
pub struct CsvLines<'a> {
    bytes: &'a [u8],
    counted_to: usize,
    newlines: usize,
}

impl<'a> CsvLines<'a> {
    pub fn new(text: &'a str) -> CsvLines<'a> {
        CsvLines {
            bytes: text.as_bytes(),
            counted_to: 0,
            newlines: 0,
        }
    }

    /// The line `record` starts on.
    pub fn line(&mut self, record: &csv::StringRecord) -> Option<usize> {
        let bytes = self.bytes;
        let mut start = usize::try_from(record.position()?.byte())
            .ok()?
            .min(bytes.len());
        while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start += 1;
        }
        if start < self.counted_to {
            // Asked out of order: count from the top again.
            self.counted_to = 0;
            self.newlines = 0;
        }
        self.newlines += bytes[self.counted_to..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.counted_to = start;
        Some(self.newlines + 1)
    }
}

fn megabytes(bytes: usize) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 1.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{} KB", bytes / 1024)
    }
}

/// Reads a form; a file over `limit`, too many files or a malformed body is refused
/// with the field named. A file input left empty is skipped.
pub async fn read_form(mut multipart: Multipart, limit: usize) -> Result<FormData, AppError> {
    let mut form = FormData::default();
    // A body over the overall limit ends the stream early: say which limit, as for a
    // single file over its own.
    let malformed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            AppError::Validation(vec![FieldError::new(
                "file",
                format!("the files are larger than the {} limit", megabytes(limit)),
            )])
        } else if e.body_text().contains("headers") {
            // A part whose name is not UTF-8 is input to correct, like a bad field name
            // below, not a broken request.
            AppError::Validation(vec![FieldError::new(
                "form field name",
                "a part of the form has a name or file name that is not readable text (UTF-8)",
            )])
        } else {
            AppError::BadRequest(format!("the form could not be read: {}", e.body_text()))
        }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(problem) = crate::web::input::text_problem("form field name", &name) {
            return Err(AppError::Validation(vec![problem]));
        }
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                if let Some(problem) = crate::web::input::text_problem(&name, &file_name) {
                    return Err(AppError::Validation(vec![problem]));
                }
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                    if bytes.len() + chunk.len() > limit {
                        return Err(AppError::Validation(vec![FieldError::new(
                            name,
                            format!("{file_name} is larger than the {} limit", megabytes(limit)),
                        )]));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                if file_name.is_empty() && bytes.is_empty() {
                    continue;
                }
                if form.files.len() == MAX_FILES {
                    return Err(AppError::Validation(vec![FieldError::new(
                        name,
                        format!("at most {MAX_FILES} files at once"),
                    )]));
                }
                form.files.push(Upload {
                    field: name,
                    file_name,
                    bytes,
                });
            }
            None => {
                let bytes = field.bytes().await.map_err(malformed)?;
                let Ok(text) = String::from_utf8(bytes.to_vec()) else {
                    return Err(AppError::Validation(vec![FieldError::new(
                        name,
                        "is not UTF-8 text",
                    )]));
                };
                if let Some(problem) = crate::web::input::text_problem(&name, &text) {
                    return Err(AppError::Validation(vec![problem]));
                }
                form.fields.push((name, text));
            }
        }
    }
    Ok(form)
}

/// The accepted kinds: extension, content type, and how the bytes must begin.
const KINDS: [(&str, &str, Sniff); 14] = [
    ("pdf", "application/pdf", Sniff::Starts(b"%PDF-")),
    ("png", "image/png", Sniff::Starts(b"\x89PNG\r\n\x1a\n")),
    ("jpg", "image/jpeg", Sniff::Starts(b"\xFF\xD8\xFF")),
    ("jpeg", "image/jpeg", Sniff::Starts(b"\xFF\xD8\xFF")),
    ("txt", "text/plain; charset=utf-8", Sniff::Text),
    ("md", "text/markdown; charset=utf-8", Sniff::Text),
    ("csv", "text/csv; charset=utf-8", Sniff::Text),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Sniff::Zip,
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Sniff::Zip,
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Sniff::Zip,
    ),
    ("odt", "application/vnd.oasis.opendocument.text", Sniff::Zip),
    (
        "ods",
        "application/vnd.oasis.opendocument.spreadsheet",
        Sniff::Zip,
    ),
    (
        "odp",
        "application/vnd.oasis.opendocument.presentation",
        Sniff::Zip,
    ),
    ("gif", "image/gif", Sniff::Starts(b"GIF8")),
];

#[derive(Debug, Clone, Copy)]
enum Sniff {
    Starts(&'static [u8]),
    /// UTF-8 without NUL bytes.
    Text,
    /// A ZIP container (office documents).
    Zip,
}

/// The file's content type when its name and bytes agree on an accepted kind.
pub fn check(file_name: &str, bytes: &[u8]) -> Result<&'static str, String> {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let Some((_, content_type, sniff)) = KINDS.iter().find(|(e, ..)| *e == extension) else {
        let accepted: Vec<&str> = KINDS.iter().map(|(e, ..)| *e).collect();
        return Err(format!(
            "{file_name}: files of this type are not accepted (accepted: {})",
            accepted.join(", ")
        ));
    };
    if bytes.is_empty() {
        return Err(format!("{file_name} is empty"));
    }
    let genuine = match sniff {
        Sniff::Starts(magic) => bytes.starts_with(magic),
        Sniff::Text => !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok(),
        Sniff::Zip => bytes.starts_with(b"PK\x03\x04"),
    };
    if genuine {
        Ok(content_type)
    } else {
        Err(format!(
            "{file_name} is not a .{extension} file (its contents say otherwise)"
        ))
    }
}

/// The last part of a path a browser sent, without control characters or quotes.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | '/'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    let mut out: String = cleaned.chars().take(150).collect();
    if out.is_empty() {
        out = "file".into();
    }
    out
}

/// Checks every upload first (nothing is stored when one is refused).
pub fn check_all(uploads: &[Upload]) -> Result<Vec<&'static str>, AppError> {
    let mut errors = Vec::new();
    let mut kinds = Vec::new();
    for upload in uploads {
        match check(&clean_name(&upload.file_name), &upload.bytes) {
            Ok(kind) => kinds.push(kind),
            Err(message) => errors.push(FieldError::new(upload.field.clone(), message)),
        }
    }
    if errors.is_empty() {
        Ok(kinds)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Stores an upload already checked; returns its `stored_files` id. The bytes are written
/// before the row: if the transaction then fails, an unreferenced file is left behind,
/// never a row without its file.
pub async fn store(
    conn: &mut PgConnection,
    storage: &Storage,
    college: CollegeId,
    uploader: Option<Uuid>,
    upload: &Upload,
    content_type: &str,
) -> Result<Uuid, AppError> {
    let key = Storage::new_key(college, "upload");
    let hash: String = Sha256::digest(&upload.bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    storage.put(&key, upload.bytes.clone()).await?;
    let id: Uuid = sqlx::query_scalar!("INSERT INTO stored_files (college_id, storage_key, file_name, content_type, size_bytes, sha256, uploaded_by) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6) RETURNING id", &key, clean_name(&upload.file_name), content_type, upload.bytes.len() as i64, &hash, uploader)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// A file's description.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct FileView {
    pub id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

impl FileView {
    pub fn size(&self) -> String {
        megabytes(self.size_bytes as usize)
    }
}

/// A stored file's storage key, name and type, for a reader its owner has let in.
pub async fn describe(
    conn: &mut PgConnection,
    file: Uuid,
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    sqlx::query!(
        "SELECT storage_key, file_name, content_type FROM stored_files WHERE id = $1",
        file
    )
    .fetch_optional(conn)
    .await
    .map(|o| o.map(|r| (r.storage_key, r.file_name, r.content_type)))
}

/// The file as an attachment (never rendered by the browser as a page), its name
/// reduced to printable ASCII.
pub async fn serve(
    storage: &Storage,
    (key, name, content_type): (String, String, String),
) -> AppResult<Response> {
    let bytes = storage.get(&key).await?;
    let safe_name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(attachment(bytes, leak_type(&content_type), &safe_name))
}

/// Content types are stored from the fixed list above; map back to its `'static` entry.
fn leak_type(stored: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(_, t, _)| *t == stored)
        .map_or("application/octet-stream", |(_, t, _)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_count_the_same_with_any_line_end() {
        for text in [
            "a,b\r\n1,2\r\n\"x\ny\",3\r\n4,5\r\n",
            "a,b\n1,2\n\"x\ny\",3\n4,5\n",
        ] {
            let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
            let records: Vec<csv::StringRecord> =
                reader.records().map(|r| r.expect("record")).collect();
            let lines: Vec<Option<usize>> = records.iter().map(|r| csv_line(text, r)).collect();
            assert_eq!(lines, [Some(2), Some(3), Some(5)], "{text:?}");
            let mut counter = CsvLines::new(text);
            let counted: Vec<Option<usize>> = records.iter().map(|r| counter.line(r)).collect();
            assert_eq!(counted, lines, "{text:?}");
        }
    }

    #[test]
    fn names_and_contents_must_agree() {
        assert_eq!(check("essay.pdf", b"%PDF-1.7 ..."), Ok("application/pdf"));
        assert!(check("essay.PDF", b"%PDF-1.7").is_ok(), "extension case");
        assert!(
            check("essay.pdf", b"MZ\x90\x00")
                .expect_err("refused")
                .contains("not a .pdf")
        );
        assert!(
            check("run.exe", b"MZ")
                .expect_err("refused")
                .contains("not accepted")
        );
        assert!(
            check("notes.txt", b"hello\0world").is_err(),
            "binary as text"
        );
        assert!(check("notes.txt", "héllo".as_bytes()).is_ok());
        assert!(check("sheet.xlsx", b"PK\x03\x04rest").is_ok());
        assert!(
            check("photo.jpg", b"")
                .expect_err("refused")
                .contains("empty")
        );
        assert!(check("noextension", b"%PDF-").is_err());
    }

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\me\\essay.pdf"), "essay.pdf");
        assert_eq!(clean_name("a\"b\r\n.pdf"), "ab.pdf");
        assert_eq!(clean_name(".."), "file");
        assert_eq!(clean_name(".htaccess"), "htaccess");
    }
}
