//! Finding `initdb`, `pg_ctl` and `postgres`: an explicit folder, then PATH, then the
//! places distributions install them.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Error;

/// The oldest server Campus supports.
const MIN_MAJOR: u32 = 14;

const NEEDED: [&str; 3] = ["initdb", "pg_ctl", "postgres"];

#[derive(Debug, Clone)]
pub struct Binaries {
    dir: PathBuf,
    major: u32,
}

impl Binaries {
    /// Looks in `CAMPUS_PG_BINDIR`, then PATH, then the distributions' folders, newest
    /// version first.
    pub fn find() -> Result<Binaries, Error> {
        let dir = candidates()
            .into_iter()
            .find(|dir| NEEDED.iter().all(|name| dir.join(name).is_file()))
            .ok_or(Error::BinariesNotFound)?;
        let major = major_version(&dir)?;
        if major < MIN_MAJOR {
            return Err(Error::TooOld {
                found: major,
                min: MIN_MAJOR,
                dir,
            });
        }
        Ok(Binaries { dir, major })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn major(&self) -> u32 {
        self.major
    }

    pub fn path(&self, program: &str) -> PathBuf {
        self.dir.join(program)
    }
}

fn candidates() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(explicit) = std::env::var_os("CAMPUS_PG_BINDIR") {
        dirs.push(PathBuf::from(explicit));
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs.extend(versioned_dirs("/usr/lib/postgresql", "", "bin"));
    dirs.extend(versioned_dirs("/usr", "pgsql-", "bin"));
    dirs.push(PathBuf::from("/usr/local/pgsql/bin"));
    dirs.extend(versioned_dirs("/opt/homebrew/opt", "postgresql@", "bin"));
    dirs
}

/// `PARENT/PREFIX<version>/SUFFIX` folders, newest version first.
fn versioned_dirs(parent: &str, prefix: &str, suffix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut found: Vec<(u32, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name.strip_prefix(prefix)?.split('.').next()?.parse().ok()?;
            Some((version, entry.path().join(suffix)))
        })
        .collect();
    found.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    found.into_iter().map(|(_, dir)| dir).collect()
}

fn major_version(dir: &Path) -> Result<u32, Error> {
    let program = dir.join("pg_ctl");
    let output = Command::new(&program)
        .arg("--version")
        .output()
        .map_err(Error::io(format!("running {}", program.display())))?;
    let text = String::from_utf8_lossy(&output.stdout);
    parse_major(&text).ok_or_else(|| Error::Command {
        command: format!("{} --version", program.display()),
        detail: format!("unexpected answer {text:?}"),
    })
}

/// "pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" gives 15.
fn parse_major(text: &str) -> Option<u32> {
    let version = text.split(')').nth(1)?.split_whitespace().next()?;
    let digits: String = version.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_major;

    #[test]
    fn reads_major_versions() {
        assert_eq!(
            parse_major("pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n"),
            Some(15)
        );
        assert_eq!(parse_major("pg_ctl (PostgreSQL) 17beta1\n"), Some(17));
        assert_eq!(parse_major("pg_ctl (PostgreSQL) 16.2\n"), Some(16));
        assert_eq!(parse_major("garbage"), None);
    }
}
