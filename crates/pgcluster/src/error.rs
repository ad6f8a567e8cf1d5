//! What can go wrong with a private cluster, each case worded for the person at the shell.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "the PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH, in \
         CAMPUS_PG_BINDIR, or under /usr/lib/postgresql/*/bin, /usr/pgsql-*/bin or \
         /usr/local/pgsql/bin; install them (Debian/Ubuntu: `apt-get install postgresql`, \
         Fedora/RHEL: `dnf install postgresql-server`, macOS: `brew install postgresql@15`) or \
         set DATABASE_URL to use a server you run yourself"
    )]
    BinariesNotFound,

    #[error("PostgreSQL {found} was found in {dir}, but version {min} or newer is needed")]
    TooOld { found: u32, min: u32, dir: PathBuf },

    #[error("the server account: {0}")]
    Account(String),

    #[error("the data folder {path}: {reason}")]
    Folder { path: PathBuf, reason: String },

    #[error(
        "another process already manages the cluster in {path} (it holds {path}/cluster.lock); \
         stop it first or choose another data folder"
    )]
    Busy { path: PathBuf },

    #[error("`{command}` failed: {detail}")]
    Command { command: String, detail: String },

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }

    pub(crate) fn folder(path: &std::path::Path, reason: impl Into<String>) -> Error {
        Error::Folder {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}
