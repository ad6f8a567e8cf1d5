//! `cargo run -p sqlx-prepare` writes `.sqlx/`, the descriptions of every statement the
//! query macros (`query!`, `query_as!`, `query_scalar!`) check at compile time, so the
//! project builds with no database. `-- --check` writes nothing and fails when `.sqlx/`
//! is not exactly what the code and the migrations give (a statement missing, changed or
//! no longer used). Both start a private PostgreSQL (the server binaries on PATH), apply
//! the migrations and compile the workspace against it (as clippy and the tests select
//! it, so their builds share the dependencies), the macros describing each
//! statement into a fresh folder that is then compared with, or copied to, `.sqlx/`.
//! `-- --serve` only starts and migrates that database and prints its `DATABASE_URL`,
//! so a `cargo check` run with it checks new statements while they are being written;
//! it stops when its standard input closes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};
use pgcluster::{Cluster, ClusterOptions, Durability, ServerGuard};
use sqlx::ConnectOptions;
use sqlx::postgres::PgConnectOptions;

const OWNER: &str = "campus_owner";
const APP: &str = "campus_app";
const DATABASE: &str = "sqlx_prepare";
const PORT: u16 = 5432;

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("sqlx-prepare: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<bool> {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    let serve = std::env::args().skip(1).any(|a| a == "--serve");
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .context("finding the workspace")?;
    let root = std::env::temp_dir().join(format!("campus-sqlx-{}", std::process::id()));
    let outcome = with_database(&root, |url| {
        if serve {
            return serve_until_stdin_closes(url);
        }
        describe_and_compare(&workspace, &root, url, check)
    });
    std::fs::remove_dir_all(&root).ok();
    outcome
}

/// Starts a private cluster under `root`, migrates a database and hands its address to
/// `work`; the server stops when done, whatever happens.
fn with_database(
    root: &Path,
    work: impl FnOnce(&str) -> anyhow::Result<bool>,
) -> anyhow::Result<bool> {
    let cluster = Cluster::open(
        root,
        ClusterOptions {
            durability: Durability::Ephemeral,
            max_connections: 20,
            shared_buffers: "32MB".into(),
            port: PORT,
        },
    )?;
    cluster.ensure_initialized()?;
    cluster.start()?;
    let guard = ServerGuard(cluster);
    let socket = guard.0.socket_dir().to_path_buf();
    let superuser = guard.0.superuser().to_string();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(migrate(&socket, &superuser))?;
    let url = format!(
        "postgres://{OWNER}@localhost:{PORT}/{DATABASE}?host={}",
        socket.display()
    );
    work(&url)
}

fn serve_until_stdin_closes(url: &str) -> anyhow::Result<bool> {
    println!("DATABASE_URL={url}");
    println!("sqlx-prepare: serving until standard input closes");
    std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink())?;
    Ok(true)
}

fn options(socket: &Path, user: &str, database: &str) -> PgConnectOptions {
    PgConnectOptions::new()
        .socket(socket)
        .port(PORT)
        .username(user)
        .database(database)
}

/// The roles and the database as Campus makes them, then every migration as the owner.
async fn migrate(socket: &Path, superuser: &str) -> anyhow::Result<()> {
    let mut conn = options(socket, superuser, "postgres").connect().await?;
    for statement in [
        format!("CREATE ROLE {OWNER} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB"),
        format!(
            "CREATE ROLE {APP} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOINHERIT"
        ),
        format!("CREATE DATABASE {DATABASE} OWNER {OWNER}"),
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(&mut conn)
            .await
            .context("creating the roles and the database")?;
    }
    let mut owner = options(socket, OWNER, DATABASE).connect().await?;
    sqlx::migrate!("../../migrations")
        .run(&mut owner)
        .await
        .context("applying the migrations")?;
    Ok(())
}

fn describe_and_compare(
    workspace: &Path,
    root: &Path,
    url: &str,
    check: bool,
) -> anyhow::Result<bool> {
    let fresh = root.join("queries");
    std::fs::create_dir_all(&fresh)?;
    // The macros run again only when their crate compiles again.
    for file in ["crates/campus/src/lib.rs", "crates/campus/tests/it/main.rs"] {
        let path = workspace.join(file);
        let text = std::fs::read(&path)?;
        std::fs::write(&path, text)?;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["check", "--workspace", "--all-targets", "--locked"])
        .current_dir(workspace)
        .env("DATABASE_URL", url)
        .env("SQLX_OFFLINE_DIR", &fresh)
        .env_remove("SQLX_OFFLINE")
        .status()
        .context("running cargo check")?;
    if !status.success() {
        bail!("the campus crate does not compile against the migrated database (see above)");
    }
    let kept = workspace.join(".sqlx");
    let (now, before) = (contents(&fresh)?, contents(&kept)?);
    if check {
        let missing: Vec<_> = now.keys().filter(|k| !before.contains_key(*k)).collect();
        let unused: Vec<_> = before.keys().filter(|k| !now.contains_key(*k)).collect();
        let changed: Vec<_> = now
            .iter()
            .filter(|(k, v)| before.get(*k).is_some_and(|b| b != *v))
            .map(|(k, _)| k)
            .collect();
        if missing.is_empty() && unused.is_empty() && changed.is_empty() {
            println!(
                "sqlx-prepare: .sqlx/ describes all {} statements",
                now.len()
            );
            return Ok(true);
        }
        eprintln!(
            "sqlx-prepare: .sqlx/ is out of date ({} missing, {} no longer used, {} changed): \
             run `cargo run -p sqlx-prepare` and commit .sqlx/",
            missing.len(),
            unused.len(),
            changed.len()
        );
        for name in missing.iter().chain(&unused).chain(&changed) {
            eprintln!("  {name}");
        }
        return Ok(false);
    }
    if kept.exists() {
        std::fs::remove_dir_all(&kept)?;
    }
    std::fs::create_dir_all(&kept)?;
    for (name, text) in &now {
        std::fs::write(kept.join(name), text)?;
    }
    println!("sqlx-prepare: wrote {} statements to .sqlx/", now.len());
    Ok(true)
}

/// The query files of `dir` by name (none when it does not exist).
fn contents(dir: &Path) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let mut found = BTreeMap::new();
    if !dir.exists() {
        return Ok(found);
    }
    for entry in std::fs::read_dir(dir)? {
        let path: PathBuf = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if name.starts_with("query-") && name.ends_with(".json") {
            found.insert(name, std::fs::read(&path)?);
        }
    }
    Ok(found)
}
