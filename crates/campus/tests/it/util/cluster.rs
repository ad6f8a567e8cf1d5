//! One private PostgreSQL cluster per test run, shared by every test process of the run
//! (nextest runs each test in its own process), and a fresh database per test cloned
//! from a migrated template.
//!
//! The first process to arrive (under a file lock) creates the cluster, the roles and
//! the template, and starts a watchdog that stops the server and deletes the folder once
//! the test runner is gone. Later processes only connect.

use std::fs::{self, OpenOptions};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use campus::db::{self, EmbeddedCluster, embedded};
use nix::fcntl::{Flock, FlockArg};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};

const TEMPLATE: &str = "campus_template";

/// The run's cluster folder: its socket is at `ROOT/run`.
fn run_root() -> PathBuf {
    let key = std::env::var("NEXTEST_RUN_ID")
        .map(|id| {
            id.chars()
                .filter(char::is_ascii_alphanumeric)
                .take(12)
                .collect()
        })
        .unwrap_or_else(|_| format!("p{}", std::process::id()));
    std::env::temp_dir().join(format!("campus-test-{key}"))
}

/// Makes sure the run's cluster is up with its template; returns its root.
fn shared_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = run_root();
        let lock_path = root.with_extension("lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .expect("test cluster lock file");
        let _guard = Flock::lock(file, FlockArg::LockExclusive).expect("test cluster lock");
        if !root.join("ready").exists() {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(create_cluster(&root));
            fs::write(root.join("ready"), b"").expect("ready marker");
        }
        root
    })
}

async fn create_cluster(root: &Path) {
    let cluster = EmbeddedCluster::start(
        root.to_path_buf(),
        pgcluster::Durability::Ephemeral,
        Duration::from_secs(60),
    )
    .await
    .expect("starting the test cluster");
    let mut conn = cluster.superuser().await.expect("superuser connection");
    embedded::ensure_roles(&mut conn).await.expect("roles");
    embedded::create_database(&mut conn, TEMPLATE, None)
        .await
        .expect("template database");
    conn.close().await.ok();
    db::migrate::run(&cluster.options(db::OWNER_ROLE, TEMPLATE))
        .await
        .expect("migrating the template");
    start_watchdog(
        root,
        cluster
            .managed()
            .expect("this process started it")
            .data_dir(),
    );
}

/// Stops the server and removes the folder once the process that runs the tests (our
/// parent: nextest or cargo) has exited.
#[expect(
    clippy::zombie_processes,
    reason = "the watchdog must outlive this test process; init reaps it"
)]
fn start_watchdog(root: &Path, data_dir: &Path) {
    let runner = nix::unistd::getppid().as_raw();
    let script = format!(
        "while kill -0 {runner} 2>/dev/null; do sleep 1; done; \
         kill -QUIT \"$(head -n 1 '{pid}')\" 2>/dev/null; sleep 2; rm -rf '{root}' '{root}.lock'",
        pid = data_dir.join("postmaster.pid").display(),
        root = root.display(),
    );
    Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("watchdog");
}

fn options(root: &Path, role: &str, database: &str) -> PgConnectOptions {
    PgConnectOptions::new()
        .socket(root.join("run"))
        .port(5432)
        .username(role)
        .database(database)
}

/// A database of its own for one test, migrated, reached as each role.
pub struct TestDb {
    pub name: String,
    root: PathBuf,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let root = tokio::task::spawn_blocking(|| shared_root().to_path_buf())
            .await
            .expect("test cluster");
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = options(&root, "postgres", "postgres")
            .connect()
            .await
            .expect("superuser connection");
        embedded::create_database(&mut conn, &name, Some(TEMPLATE))
            .await
            .expect("test database");
        conn.close().await.ok();
        TestDb { name, root }
    }

    /// An empty database (no migrations), for tests of migrating itself.
    pub async fn empty() -> TestDb {
        let root = tokio::task::spawn_blocking(|| shared_root().to_path_buf())
            .await
            .expect("test cluster");
        let name = format!("e_{}", uuid::Uuid::new_v4().simple());
        let mut conn = options(&root, "postgres", "postgres")
            .connect()
            .await
            .expect("superuser connection");
        embedded::create_database(&mut conn, &name, None)
            .await
            .expect("empty database");
        conn.close().await.ok();
        TestDb { name, root }
    }

    pub fn app_options(&self) -> PgConnectOptions {
        options(&self.root, db::APP_ROLE, &self.name)
    }

    pub fn owner_options(&self) -> PgConnectOptions {
        options(&self.root, db::OWNER_ROLE, &self.name)
    }

    /// The runtime role's pool, as the application uses it.
    pub async fn app_pool(&self) -> PgPool {
        PgPoolOptions::new()
            .max_connections(5)
            .connect_with(self.app_options())
            .await
            .expect("app pool")
    }

    /// The table owner's pool, for set-up the runtime role may not do.
    pub async fn owner_pool(&self) -> PgPool {
        PgPoolOptions::new()
            .max_connections(2)
            .connect_with(self.owner_options())
            .await
            .expect("owner pool")
    }
}
