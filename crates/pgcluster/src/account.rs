//! The operating-system account the server runs as. PostgreSQL refuses to run as root, and
//! containers run everything as root, so a root process hands the server to an
//! unprivileged system account.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use nix::unistd::{Gid, Uid, User};

use crate::Error;

/// Accounts tried, in order, when this process is root: the distribution's own first.
const SYSTEM_ACCOUNTS: [&str; 2] = ["postgres", "campus-postgres"];

#[derive(Debug, Clone)]
pub struct Account {
    name: String,
    uid: Uid,
    gid: Gid,
    /// True when the server runs as another account than this process.
    switched: bool,
}

impl Account {
    /// The account the server will run as: this process's own, or when that is root, a
    /// system account (created with `useradd` when the machine has none).
    pub fn for_server() -> Result<Account, Error> {
        let me = Uid::effective();
        if !me.is_root() {
            let user = User::from_uid(me)
                .ok()
                .flatten()
                .map_or_else(|| me.to_string(), |user| user.name);
            return Ok(Account {
                name: user,
                uid: me,
                gid: Gid::effective(),
                switched: false,
            });
        }
        if let Some(account) = SYSTEM_ACCOUNTS.iter().find_map(|name| lookup(name)) {
            return Ok(account);
        }
        create_system_account(SYSTEM_ACCOUNTS[1])?;
        lookup(SYSTEM_ACCOUNTS[1]).ok_or_else(|| {
            Error::Account(format!(
                "created `{}` with useradd, but cannot find it afterwards",
                SYSTEM_ACCOUNTS[1]
            ))
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn uid(&self) -> Uid {
        self.uid
    }

    /// Whether the server runs under another account than this process (we are root).
    pub fn is_switched(&self) -> bool {
        self.switched
    }

    /// A command that runs as this account, from `cwd`, without the caller's libpq
    /// settings leaking in.
    pub(crate) fn command(&self, program: &Path, cwd: &Path) -> Command {
        let mut command = Command::new(program);
        command.current_dir(cwd);
        for var in [
            "PGDATA",
            "PGHOST",
            "PGPORT",
            "PGUSER",
            "PGDATABASE",
            "PGOPTIONS",
        ] {
            command.env_remove(var);
        }
        if self.switched {
            command.uid(self.uid.as_raw()).gid(self.gid.as_raw());
            if let Some(home) = User::from_uid(self.uid).ok().flatten().map(|u| u.dir) {
                command.env("HOME", home);
            }
            command.env("USER", &self.name).env("LOGNAME", &self.name);
        }
        command
    }

    /// Gives `path` to this account (a no-op when it is our own).
    pub(crate) fn own(&self, path: &Path) -> Result<(), Error> {
        if !self.switched {
            return Ok(());
        }
        std::os::unix::fs::chown(path, Some(self.uid.as_raw()), Some(self.gid.as_raw())).map_err(
            Error::io(format!(
                "giving {} to the account {}",
                path.display(),
                self.name
            )),
        )
    }

    /// True when this account can enter `dir`: every folder above it must let it through.
    pub(crate) fn can_enter(&self, dir: &Path) -> bool {
        if !self.switched {
            return true;
        }
        self.command(Path::new("/bin/sh"), Path::new("/"))
            .arg("-c")
            .arg("cd \"$1\"")
            .arg("sh")
            .arg(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }
}

fn lookup(name: &str) -> Option<Account> {
    let user = User::from_name(name).ok().flatten()?;
    if user.uid.is_root() {
        return None;
    }
    Some(Account {
        name: user.name,
        uid: user.uid,
        gid: user.gid,
        switched: true,
    })
}

fn create_system_account(name: &str) -> Result<(), Error> {
    tracing::info!(
        account = name,
        "no PostgreSQL system account here; creating one"
    );
    let output = Command::new("useradd")
        .args([
            "--system",
            "--user-group",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            name,
        ])
        .output()
        .map_err(|e| {
            Error::Account(format!(
                "this process is root, PostgreSQL refuses to run as root, there is no \
                 `postgres` account and `useradd` could not be run ({e}); create an \
                 unprivileged account named `postgres` and start again"
            ))
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(Error::Account(format!(
            "useradd {name} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}
