//! The cluster's life: prepare the folder, `initdb` once, start (recovering from a crash),
//! stop.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use nix::fcntl::{Flock, FlockArg};

use crate::{Account, Binaries, Error};

/// The superuser `initdb` creates. Only processes reaching the private socket connect as
/// it, to create the application's roles and databases.
const SUPERUSER: &str = "postgres";
/// Unix socket paths are limited to 107 bytes; the socket's name adds 16.
const MAX_SOCKET_DIR: usize = 90;
const SETTINGS_FILE: &str = "campus.conf";
const INCLUDE_LINE: &str = "include_if_exists = 'campus.conf'";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Real data: every commit reaches the disk.
    Durable,
    /// Throw-away data (tests, benchmarks): fsync off, much faster, lost on a crash.
    Ephemeral,
}

#[derive(Debug, Clone)]
pub struct ClusterOptions {
    pub durability: Durability,
    pub max_connections: u32,
    pub shared_buffers: String,
    /// Only names the socket file; the server opens no TCP port.
    pub port: u16,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            durability: Durability::Durable,
            max_connections: 100,
            shared_buffers: "128MB".into(),
            port: 5432,
        }
    }
}

/// A cluster folder this process manages. Holding it holds `cluster.lock`, so a second
/// process cannot manage the same server.
#[derive(Debug)]
pub struct Cluster {
    data_dir: PathBuf,
    socket_dir: PathBuf,
    log_file: PathBuf,
    binaries: Binaries,
    account: Account,
    options: ClusterOptions,
    _lock: Flock<File>,
}

/// Stops the server when dropped, for callers (tests, tools) that want the cluster gone
/// with them whatever happens.
#[derive(Debug)]
pub struct ServerGuard(pub Cluster);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        if let Err(e) = self.0.stop() {
            tracing::warn!(error = %e, "could not stop the private PostgreSQL server");
        }
    }
}

impl Cluster {
    /// Prepares `root` (creating it when missing) and takes its lock. Nothing is started.
    pub fn open(root: &Path, options: ClusterOptions) -> Result<Cluster, Error> {
        let binaries = Binaries::find()?;
        let account = Account::for_server()?;
        fs::create_dir_all(root)
            .map_err(|e| Error::folder(root, format!("cannot create it: {e}")))?;
        let root = root
            .canonicalize()
            .map_err(|e| Error::folder(root, format!("cannot resolve it: {e}")))?;
        let lock = take_lock(&root)?;

        if !account.can_enter(&root) {
            return Err(Error::folder(
                &root,
                format!(
                    "the PostgreSQL server runs as the account `{}`, which cannot enter this \
                     folder: a folder above it is closed to other users (often /root). Choose \
                     a data folder elsewhere (--data-dir or CAMPUS_DATA_DIR, for example \
                     /var/lib/campus) or open the folders above it with `chmod o+x`",
                    account.name()
                ),
            ));
        }
        let socket_dir = root.join("run");
        if socket_dir.as_os_str().len() > MAX_SOCKET_DIR {
            return Err(Error::folder(
                &root,
                format!(
                    "its path is too long for a Unix socket (at most {MAX_SOCKET_DIR} bytes \
                     for {}); choose a shorter data folder",
                    socket_dir.display()
                ),
            ));
        }
        let cluster = Cluster {
            data_dir: root.join("postgres"),
            log_file: root.join("log").join("postgres.log"),
            socket_dir,
            binaries,
            account,
            options,
            _lock: lock,
        };
        cluster.prepare_private_dir(&cluster.socket_dir)?;
        cluster.prepare_private_dir(&root.join("log"))?;
        cluster.check_data_owner()?;
        Ok(cluster)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    pub fn log_file(&self) -> &Path {
        &self.log_file
    }

    pub fn port(&self) -> u16 {
        self.options.port
    }

    pub fn superuser(&self) -> &str {
        SUPERUSER
    }

    pub fn account(&self) -> &Account {
        &self.account
    }

    pub fn binaries(&self) -> &Binaries {
        &self.binaries
    }

    /// Runs `initdb` when the folder holds no cluster yet; returns whether it did.
    pub fn ensure_initialized(&self) -> Result<bool, Error> {
        let version_file = self.data_dir.join("PG_VERSION");
        if version_file.exists() {
            return self.check_version(&version_file).map(|()| false);
        }
        if self.data_dir.exists() {
            let empty = fs::read_dir(&self.data_dir)
                .map_err(Error::io(format!("reading {}", self.data_dir.display())))?
                .next()
                .is_none();
            if !empty {
                return Err(Error::folder(
                    &self.data_dir,
                    "it is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it \
                     away and start again",
                ));
            }
            fs::remove_dir(&self.data_dir)
                .map_err(Error::io(format!("removing {}", self.data_dir.display())))?;
        }

        // initdb into a side folder, then rename: a half-made cluster is never mistaken
        // for a whole one.
        let staging = self.data_dir.with_file_name("postgres.initdb");
        if staging.exists() {
            fs::remove_dir_all(&staging)
                .map_err(Error::io(format!("removing {}", staging.display())))?;
        }
        // initdb fills an empty folder it owns; the root stays ours.
        self.prepare_private_dir(&staging)?;
        let parent = staging.parent().unwrap_or(Path::new("/"));
        let mut initdb = self.account.command(&self.binaries.path("initdb"), parent);
        initdb.arg("--pgdata").arg(&staging).args([
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-locale",
            "--no-instructions",
        ]);
        if self.options.durability == Durability::Ephemeral {
            initdb.arg("--no-sync");
        }
        run(&mut initdb, "initdb")?;
        fs::rename(&staging, &self.data_dir).map_err(Error::io(format!(
            "moving {} to {}",
            staging.display(),
            self.data_dir.display()
        )))?;
        let mut conf = OpenOptions::new()
            .append(true)
            .open(self.data_dir.join("postgresql.conf"))
            .map_err(Error::io("opening postgresql.conf"))?;
        writeln!(
            conf,
            "\n# Settings Campus manages live in {SETTINGS_FILE}.\n{INCLUDE_LINE}"
        )
        .map_err(Error::io("writing postgresql.conf"))?;
        Ok(true)
    }

    /// Starts the server and waits until it accepts connections. A server left running by
    /// a killed process is stopped first and a stale pid file removed, so the new server
    /// runs this process's settings.
    pub fn start(&self) -> Result<(), Error> {
        self.write_settings()?;
        self.clear_leftovers()?;
        let mut pg_ctl = self.pg_ctl("start");
        pg_ctl
            .arg("--log")
            .arg(&self.log_file)
            .args(["--wait", "--timeout", "60", "--silent"])
            // Its own process group: a Ctrl-C in the terminal reaches Campus, which then
            // drains requests and stops the server itself, in that order.
            .process_group(0);
        run(&mut pg_ctl, "pg_ctl start").map_err(|e| self.with_log_tail(e))?;
        tracing::info!(
            data_dir = %self.data_dir.display(),
            socket_dir = %self.socket_dir.display(),
            account = self.account.name(),
            run_as_other_account = self.account.is_switched(),
            "private PostgreSQL server started"
        );
        Ok(())
    }

    /// Stops the server (fast mode: open sessions are ended, committed data is kept).
    pub fn stop(&self) -> Result<(), Error> {
        if !self.is_running() {
            return Ok(());
        }
        let mut fast = self.pg_ctl("stop");
        fast.args(["--mode", "fast", "--wait", "--timeout", "60", "--silent"]);
        if let Err(e) = run(&mut fast, "pg_ctl stop") {
            tracing::warn!(error = %e, "fast stop failed; stopping immediately");
            let mut immediate = self.pg_ctl("stop");
            immediate.args(["--mode", "immediate", "--wait", "--silent"]);
            run(&mut immediate, "pg_ctl stop --mode immediate")?;
        }
        tracing::info!(data_dir = %self.data_dir.display(), "private PostgreSQL server stopped");
        Ok(())
    }

    /// Whether this cluster's own server is running.
    pub fn is_running(&self) -> bool {
        self.server_pid().is_some()
    }

    /// The pid in `postmaster.pid` when it names a live server of this cluster.
    fn server_pid(&self) -> Option<u32> {
        let text = fs::read_to_string(self.data_dir.join("postmaster.pid")).ok()?;
        let pid: u32 = text.lines().next()?.trim().parse().ok()?;
        is_postmaster_of(pid, &self.data_dir).then_some(pid)
    }

    fn clear_leftovers(&self) -> Result<(), Error> {
        if let Some(pid) = self.server_pid() {
            tracing::warn!(
                pid,
                "a PostgreSQL server was left running on this cluster (was Campus killed?); \
                 restarting it"
            );
            self.stop()?;
        }
        let pid_file = self.data_dir.join("postmaster.pid");
        if pid_file.exists() {
            tracing::warn!(
                "removing a stale postmaster.pid: its server is gone (was the machine or \
                 Campus killed?)"
            );
            fs::remove_file(&pid_file).map_err(Error::io("removing a stale postmaster.pid"))?;
        }
        // No server of ours is running and we hold the lock: socket files are stale.
        if let Ok(entries) = fs::read_dir(&self.socket_dir) {
            for entry in entries.filter_map(Result::ok) {
                if entry.file_name().to_string_lossy().starts_with(".s.PGSQL.") {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Ok(())
    }

    fn write_settings(&self) -> Result<(), Error> {
        let mut settings = format!(
            "# Written by Campus at every start; edits here are lost.\n\
             listen_addresses = ''\n\
             port = {port}\n\
             unix_socket_directories = '{socket}'\n\
             unix_socket_permissions = 0700\n\
             max_connections = {max_connections}\n\
             shared_buffers = '{shared_buffers}'\n",
            port = self.options.port,
            socket = self.socket_dir.to_string_lossy().replace('\'', "''"),
            max_connections = self.options.max_connections,
            shared_buffers = self.options.shared_buffers.replace('\'', ""),
        );
        if self.options.durability == Durability::Ephemeral {
            settings.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        let path = self.data_dir.join(SETTINGS_FILE);
        fs::write(&path, settings).map_err(Error::io(format!("writing {}", path.display())))?;
        self.account.own(&path)
    }

    fn pg_ctl(&self, action: &str) -> Command {
        let mut command = self
            .account
            .command(&self.binaries.path("pg_ctl"), &self.socket_dir);
        command.arg(action).arg("--pgdata").arg(&self.data_dir);
        command
    }

    /// A folder only the server account may use (socket, log).
    fn prepare_private_dir(&self, dir: &Path) -> Result<(), Error> {
        fs::create_dir_all(dir)
            .map_err(|e| Error::folder(dir, format!("cannot create it: {e}")))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::folder(dir, format!("cannot set its permissions: {e}")))?;
        self.account.own(dir)
    }

    fn check_data_owner(&self) -> Result<(), Error> {
        let Ok(meta) = fs::metadata(&self.data_dir) else {
            return Ok(());
        };
        let expected = self.account.uid().as_raw();
        if meta.uid() != expected {
            let owner = nix::unistd::User::from_uid(meta.uid().into())
                .ok()
                .flatten()
                .map_or_else(|| format!("uid {}", meta.uid()), |user| user.name);
            return Err(Error::folder(
                &self.data_dir,
                format!(
                    "it belongs to `{owner}`, but the server runs as `{}`; give it back with \
                     `chown -R {} {}` or choose another data folder",
                    self.account.name(),
                    self.account.name(),
                    self.data_dir.display()
                ),
            ));
        }
        Ok(())
    }

    fn check_version(&self, version_file: &Path) -> Result<(), Error> {
        let text = fs::read_to_string(version_file)
            .map_err(Error::io(format!("reading {}", version_file.display())))?;
        let made_by: u32 = text.trim().parse().unwrap_or(0);
        if made_by != self.binaries.major() {
            return Err(Error::folder(
                &self.data_dir,
                format!(
                    "it was made by PostgreSQL {made_by}, but the server binaries found are \
                     version {} (in {}); point CAMPUS_PG_BINDIR at PostgreSQL {made_by}'s \
                     binaries, or upgrade the cluster with pg_upgrade",
                    self.binaries.major(),
                    self.binaries.dir().display()
                ),
            ));
        }
        Ok(())
    }

    fn with_log_tail(&self, error: Error) -> Error {
        let tail = fs::read_to_string(&self.log_file)
            .map(|log| {
                let lines: Vec<&str> = log.lines().collect();
                lines[lines.len().saturating_sub(12)..].join("\n")
            })
            .unwrap_or_default();
        match error {
            Error::Command { command, detail } if !tail.is_empty() => Error::Command {
                command,
                detail: format!(
                    "{detail}\nlast lines of {}:\n{tail}",
                    self.log_file.display()
                ),
            },
            other => other,
        }
    }
}

fn take_lock(root: &Path) -> Result<Flock<File>, Error> {
    let path = root.join("cluster.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| {
            Error::folder(
                root,
                format!("it is not writable by this process ({e}); choose another data folder"),
            )
        })?;
    Flock::lock(file, FlockArg::LockExclusiveNonblock).map_err(|(_, errno)| {
        if errno == nix::errno::Errno::EWOULDBLOCK {
            Error::Busy {
                path: root.to_path_buf(),
            }
        } else {
            Error::folder(root, format!("cannot lock cluster.lock: {errno}"))
        }
    })
}

/// True when `pid` is a live PostgreSQL server for `data_dir`. A pid from a stale file may
/// since have been given to an unrelated process, which must never be signalled.
fn is_postmaster_of(pid: u32, data_dir: &Path) -> bool {
    let Ok(cmdline) = fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
    let is_postgres = args.first().is_some_and(|program| {
        let program = String::from_utf8_lossy(program);
        program.ends_with("postgres") || program.ends_with("postmaster")
    });
    let data = data_dir.as_os_str().as_encoded_bytes();
    is_postgres && args.contains(&data)
}

fn run(command: &mut Command, what: &str) -> Result<Output, Error> {
    let output = command.output().map_err(|e| Error::Command {
        command: what.to_string(),
        detail: e.to_string(),
    })?;
    if output.status.success() {
        Ok(output)
    } else {
        let mut detail = String::from_utf8_lossy(&output.stderr).trim().to_string();
        if detail.is_empty() {
            detail = String::from_utf8_lossy(&output.stdout).trim().to_string();
        }
        Err(Error::Command {
            command: what.to_string(),
            detail: format!("{} ({})", detail, output.status),
        })
    }
}
