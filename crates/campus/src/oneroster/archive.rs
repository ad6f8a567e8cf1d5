//! Reading a OneRoster ZIP without trusting it: only the known CSV files at the top of
//! the archive, each and all of them bounded in size as they are inflated (a small
//! archive that claims or expands to gigabytes, a zip bomb, is refused), no paths that
//! climb out of the archive, UTF-8 text only.

use std::collections::BTreeMap;
use std::io::Read;

use crate::error::{AppError, FieldError};

/// The files OneRoster 1.1 and 1.2 define.
pub const FILES: [&str; 11] = [
    "manifest.csv",
    "orgs.csv",
    "academicSessions.csv",
    "courses.csv",
    "classes.csv",
    "users.csv",
    "enrollments.csv",
    "demographics.csv",
    "roles.csv",
    "userProfiles.csv",
    // Not imported (Campus keeps its own resources and results), tolerated when present.
    "resources.csv",
];

/// Other OneRoster files Campus leaves alone.
const IGNORED: [&str; 6] = [
    "classResources.csv",
    "courseResources.csv",
    "categories.csv",
    "lineItems.csv",
    "results.csv",
    "scoreScales.csv",
];

const MAX_ENTRIES: usize = 40;
const MAX_FILE: u64 = 64 * 1024 * 1024;
const MAX_TOTAL: u64 = 256 * 1024 * 1024;

/// The archive's known files by name, and the names of files left alone.
pub struct Archive {
    pub files: BTreeMap<String, String>,
    pub ignored: Vec<String>,
}

pub fn read(bytes: &[u8]) -> Result<Archive, AppError> {
    // What is wrong is the uploaded file's contents: a problem of the `file` field.
    let bad = |message: String| AppError::Validation(vec![FieldError::new("file", message)]);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        bad(format!(
            "The file is not a ZIP archive Campus can read: {e}"
        ))
    })?;
    if zip.len() > MAX_ENTRIES {
        return Err(bad(format!(
            "The archive holds {} entries; a OneRoster archive has at most {MAX_ENTRIES}",
            zip.len()
        )));
    }
    let mut files = BTreeMap::new();
    let mut ignored = Vec::new();
    let mut total: u64 = 0;
    for index in 0..zip.len() {
        let mut entry = zip
            .by_index(index)
            .map_err(|e| bad(format!("Entry {index} of the archive cannot be read: {e}")))?;
        let name = entry
            .name()
            .map_err(|e| bad(format!("Entry {index} has a name Campus cannot read: {e}")))?
            .to_string();
        if name.contains("..")
            || name.starts_with('/')
            || name.starts_with('\\')
            || name.contains(':')
            || entry.enclosed_name().is_none()
        {
            return Err(bad(format!(
                "The archive names a path outside itself ({name}); it is refused"
            )));
        }
        if entry.is_dir() {
            continue;
        }
        if name.contains('/') || name.contains('\\') {
            return Err(bad(format!(
                "{name}: OneRoster files sit at the top of the archive, not in folders"
            )));
        }
        if IGNORED
            .iter()
            .any(|known| known.eq_ignore_ascii_case(&name))
            || name.starts_with('.')
        {
            ignored.push(name);
            continue;
        }
        // Exporters differ in case (`userprofiles.csv`, `Users.csv`): the spec's name counts.
        let name = FILES
            .iter()
            .find(|known| known.eq_ignore_ascii_case(&name))
            .map_or(name, |known| (*known).to_string());
        if !FILES.contains(&name.as_str()) {
            return Err(bad(format!(
                "{name} is not a OneRoster file (expected: {})",
                FILES.join(", ")
            )));
        }
        if entry.size() > MAX_FILE {
            return Err(bad(format!(
                "{name} would inflate to {} MB; the limit is {} MB",
                entry.size() / (1024 * 1024),
                MAX_FILE / (1024 * 1024)
            )));
        }
        // The declared size can lie: read at most one byte past the limit.
        let mut data = Vec::new();
        (&mut entry)
            .take(MAX_FILE + 1)
            .read_to_end(&mut data)
            .map_err(|e| bad(format!("{name} cannot be inflated: {e}")))?;
        if data.len() as u64 > MAX_FILE {
            return Err(bad(format!(
                "{name} inflates past {} MB (a zip bomb?); it is refused",
                MAX_FILE / (1024 * 1024)
            )));
        }
        total += data.len() as u64;
        if total > MAX_TOTAL {
            return Err(bad(format!(
                "The archive inflates past {} MB in all; it is refused",
                MAX_TOTAL / (1024 * 1024)
            )));
        }
        let text = String::from_utf8(data).map_err(|_| bad(format!("{name} is not UTF-8 text")))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
        files.insert(name, text);
    }
    if !files.contains_key("manifest.csv") {
        return Err(bad(
            "The archive has no manifest.csv; a OneRoster archive begins with one".into(),
        ));
    }
    Ok(Archive { files, ignored })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zipped(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            zip.start_file(*name, options).expect("start");
            zip.write_all(bytes).expect("write");
        }
        zip.finish().expect("finish").into_inner()
    }

    #[test]
    fn hostile_archives_are_refused() {
        let manifest: &[u8] = b"propertyName,value\nmanifest.version,1.0\n";
        assert!(read(&zipped(&[("manifest.csv", manifest)])).is_ok());
        assert!(read(b"not a zip").is_err());
        assert!(
            read(&zipped(&[("users.csv", b"x")])).is_err(),
            "no manifest"
        );
        assert!(
            read(&zipped(&[
                ("manifest.csv", manifest),
                ("../../etc/passwd", b"x")
            ]))
            .is_err(),
            "a path outside"
        );
        assert!(
            read(&zipped(&[
                ("manifest.csv", manifest),
                ("a/users.csv", b"x")
            ]))
            .is_err()
        );
        assert!(read(&zipped(&[("manifest.csv", manifest), ("evil.exe", b"MZ")])).is_err());
        assert!(
            read(&zipped(&[("manifest.csv", b"\xff\xfe")])).is_err(),
            "not UTF-8"
        );
        // 80 MB of zeros deflates to well under 1 MB.
        let bomb = vec![0u8; 80 * 1024 * 1024];
        let archive = zipped(&[("manifest.csv", manifest), ("users.csv", &bomb)]);
        assert!(archive.len() < 1024 * 1024);
        let refused = read(&archive).err().expect("refused");
        assert!(
            matches!(&refused, AppError::Validation(errors) if errors[0].message.contains("inflate")),
            "{refused:?}"
        );
        let ok = read(&zipped(&[
            ("manifest.csv", manifest),
            ("results.csv", b"x"),
        ]))
        .expect("ok");
        assert_eq!(ok.ignored, ["results.csv"]);
    }
}
