//! `campus bench`: measures Campus the way its users feel it. It runs the demo college in a
//! server of its own (a child process on loopback with its private PostgreSQL in the
//! benchmark's folder), grows it to the benchmark's shape, drives it over HTTP scenario by
//! scenario, each bounded in time, and prints requests per second, latency percentiles,
//! errors, database statements per request and the server's memory, beside this machine's
//! ceilings (a trivial handler of the same server; pgbench select-only on the same cluster).
//! It never touches a database given by DATABASE_URL: only its own folder.

mod academic;
mod cpu;
mod daily;
mod figures;
pub mod load;
pub mod prepare;
mod statements;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use reqwest::{Client, StatusCode};

use crate::config::Config;
use crate::db::{self, Database, WhenBusy};
use load::{Bound, Outcome, drive};

/// Students in the import scenario.
const IMPORT_ROWS: usize = 20_000;

/// A multipart body holding a CSV of `rows` new students, each with a guardian.
fn import_body(program: &str, rows: usize) -> (String, Vec<u8>) {
    let mut csv = String::from(
        "student_number,first_name,last_name,email,date_of_birth,program,admitted_on,guardian_first_name,guardian_last_name,guardian_email,guardian_relationship\n",
    );
    for n in 0..rows {
        csv.push_str(&format!(
            "IMP-{n:06},Imported{n},Student{},imp{n}@import.example,2008-0{}-1{},{program},2026-07-01,Parent{n},Student{},parent{n}@import.example,mother\n",
            n % 997,
            1 + n % 9,
            n % 10,
            n % 997
        ));
    }
    let boundary = "campus-bench-import-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"preview\"\r\n\r\nfalse\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"students.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(csv.as_bytes());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A file that marks a folder as the benchmark's (so it may be wiped).
const MARKER: &str = "campus-bench.marker";

#[derive(Debug, Clone)]
pub struct Options {
    pub students: usize,
    pub dir: PathBuf,
    pub seconds: u64,
    pub clients: usize,
    pub fresh: bool,
    pub rush_attempts: usize,
    pub rush_seats: i64,
    pub report_cards: usize,
    /// Words naming the scenarios to run (all when empty).
    pub only: Vec<String>,
    /// A previous run's figures to print beside this run's.
    pub compare: Option<PathBuf>,
    /// Print each scenario's costliest statements (pg_stat_statements).
    pub statements: bool,
}

impl Options {
    /// Whether the scenario `name` runs.
    fn wants(&self, name: &str) -> bool {
        let name = name.to_lowercase();
        self.only.is_empty() || self.only.iter().any(|w| name.contains(w.as_str()))
    }
}

/// Refuses a configuration that points at a database other than the benchmark's own.
pub fn check_isolated(config: &Config) -> anyhow::Result<()> {
    if config.database_url.is_some() || config.database_owner_url.is_some() {
        bail!(
            "campus bench loads and rewrites data, so it runs only on its own private cluster \
             in --dir; unset CAMPUS_DATABASE_URL / database_url (it must never touch a real \
             college's database)"
        );
    }
    Ok(())
}

fn prepare_dir(dir: &Path, fresh: bool) -> anyhow::Result<()> {
    if dir.exists() {
        let marked = dir.join(MARKER).exists();
        // Loading the settings already put the development secret there.
        let empty = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .all(|e| e.file_name() == "secret.key");
        if !marked && !empty {
            bail!(
                "{} exists and is not a benchmark folder; choose another --dir (campus bench \
                 only wipes folders it made)",
                dir.display()
            );
        }
        if fresh && marked {
            // All but the development secret: this process signed in with it already,
            // and the server it starts must sign the same way.
            for entry in std::fs::read_dir(dir)?.filter_map(Result::ok) {
                if entry.file_name() == "secret.key" {
                    continue;
                }
                let path = entry.path();
                let removed = if path.is_dir() {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_file(&path)
                };
                removed.with_context(|| format!("removing {}", path.display()))?;
            }
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join(MARKER), "made by campus bench\n")?;
    Ok(())
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Resident and peak memory of a process, in MB, from /proc.
fn memory_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

async fn queries_so_far(client: &Client, base: &str) -> Option<f64> {
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find(|l| l.starts_with("campus_db_queries_total"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|v| v.parse().ok())
}

/// The measured server's process id, for the CPU figures of `measured`.
static SERVER_PID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Runs a scenario and notes the statements and processor time it cost per request.
async fn measured<F>(client: &Client, base: &str, run: F) -> Outcome
where
    F: Future<Output = Outcome>,
{
    statements::reset().await;
    let server = SERVER_PID.load(std::sync::atomic::Ordering::Relaxed);
    let used_before = cpu::now(server);
    let before = queries_so_far(client, base).await;
    let mut outcome = run.await;
    let after = queries_so_far(client, base).await;
    let used_after = cpu::now(server);
    if outcome.requests > 0 {
        let spent = cpu::per_request(used_before, used_after, outcome.requests);
        outcome.note = if outcome.note.is_empty() {
            spent
        } else {
            format!("{spent}; {}", outcome.note)
        };
    }
    for line in statements::costliest(outcome.requests).await {
        outcome.note.push_str("\n      ");
        outcome.note.push_str(&line);
    }
    if let (Some(b), Some(a)) = (before, after)
        && outcome.requests > 0
    {
        // The two /metrics scrapes run no statements.
        outcome.queries_per_request = Some((a - b) / outcome.requests as f64);
    }
    outcome
}

struct Server {
    child: tokio::process::Child,
    base: String,
}

impl Server {
    /// `campus demo` (which generates the college when the folder has none), or, with
    /// `generate` false, a plain `campus serve` of what is there.
    async fn start(options: &Options, generate: bool) -> anyhow::Result<Server> {
        let port = free_port()?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(options.dir.join("server.log"))?;
        let exe = std::env::current_exe().context("finding the campus binary")?;
        let mut command = tokio::process::Command::new(exe);
        if generate {
            command.args(["demo", "--students", &options.students.to_string()]);
        } else {
            command.arg("serve");
        }
        let child = command
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env("CAMPUS_DATA_DIR", &options.dir)
            .env("CAMPUS_LOG", "warn")
            // The sign-in scenario measures hashing, not the per-address limit.
            .env("CAMPUS_AUTH_ATTEMPTS_PER_MINUTE", "10000")
            .env_remove("CAMPUS_DATABASE_URL")
            .env_remove("CAMPUS_CONFIG")
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .context("starting the benchmark's server")?;
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = Client::new();
        let deadline = Instant::now() + Duration::from_secs(900);
        loop {
            if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await
                && r.status() == StatusCode::OK
            {
                return Ok(server);
            }
            if Instant::now() > deadline {
                bail!(
                    "the benchmark's server did not become ready; see {}/server.log",
                    options.dir.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }

    async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        let _ = tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await;
    }
}

/// pgbench select-only against the cluster, as its superuser over the private socket.
async fn pgbench(socket: &Path, seconds: u64) -> anyhow::Result<f64> {
    let run = |args: Vec<String>| {
        let socket = socket.to_path_buf();
        async move {
            tokio::process::Command::new("pgbench")
                .args([
                    "-h",
                    &socket.to_string_lossy(),
                    "-p",
                    &db::embedded::PORT.to_string(),
                ])
                .args(["-U", db::embedded::SUPERUSER])
                .args(args)
                .output()
                .await
                .context("running pgbench (it comes with the PostgreSQL server packages)")
        }
    };
    let create = tokio::process::Command::new("createdb")
        .args([
            "-h",
            &socket.to_string_lossy(),
            "-p",
            &db::embedded::PORT.to_string(),
        ])
        .args(["-U", db::embedded::SUPERUSER, "campus_pgbench"])
        .output()
        .await;
    let _ = create;
    let init = run(vec![
        "-i".into(),
        "-q".into(),
        "-s".into(),
        "10".into(),
        "campus_pgbench".into(),
    ])
    .await?;
    anyhow::ensure!(
        init.status.success(),
        "pgbench -i failed: {}",
        String::from_utf8_lossy(&init.stderr)
    );
    let out = run(vec![
        "-S".into(),
        "-n".into(),
        "-c".into(),
        "16".into(),
        "-j".into(),
        "2".into(),
        "-T".into(),
        seconds.to_string(),
        "campus_pgbench".into(),
    ])
    .await?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse().ok())
        .context("pgbench printed no tps")
}

pub async fn run(config: Config, options: Options) -> anyhow::Result<()> {
    check_isolated(&config)?;
    // Read first: a wrong path should not cost a whole run.
    let before = options
        .compare
        .as_deref()
        .map(figures::Run::load)
        .transpose()?;
    prepare_dir(&options.dir, options.fresh)?;
    println!(
        "campus bench: {} students, folder {}, {} s per scenario, {} clients",
        options.students,
        options.dir.display(),
        options.seconds,
        options.clients
    );
    let started = Instant::now();
    let server = Server::start(&options, true).await?;
    println!(
        "Server ready after {:.1} s (demo college loaded).",
        started.elapsed().as_secs_f64()
    );
    let database = Database::locate(&config, WhenBusy::Attach).await?;
    let pool = db::connect_pool(&database.app, 8, config.database_connect_timeout).await?;
    let college = crate::institution::queries::directory(&pool)
        .await?
        .into_iter()
        .find(|c| c.slug == crate::demo::generate::SLUG)
        .context("the demo college is missing")?
        .id;
    let term = prepare::shape(&pool, college).await?;
    let academic = academic::prepare(&pool, college, term)
        .await
        .context("preparing the academic scenarios")?;
    // Fresh statistics after the bulk load (autovacuum would get there, later), as the
    // owner of the tables.
    {
        use sqlx::Executor;
        let mut conn: sqlx::PgConnection = sqlx::ConnectOptions::connect(&database.owner).await?;
        // Campus's own tables only: the shared catalogs are the superuser's.
        conn.execute(
            "DO $$ DECLARE t record; BEGIN \
               FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP \
                 EXECUTE format('ANALYZE public.%I', t.tablename); \
               END LOOP; END $$",
        )
        .await?;
    }
    let daily = daily::prepare(&pool, &config, college, term)
        .await
        .context("preparing the daily pages")?;
    let f = prepare::fixtures(
        &pool,
        &config,
        college,
        term,
        options.clients,
        options.rush_attempts,
        options.rush_seats,
    )
    .await
    .context("making the run's fixtures")?;
    // The process that generated the college keeps the allocator's high-water mark of
    // it; the server measured is a plain `campus serve` of the prepared folder, as a
    // college would run it.
    if let Some(cluster) = &database.cluster {
        statements::configure(cluster, options.statements)
            .await
            .context("setting pg_stat_statements up")?;
    }
    server.stop().await;
    let server = Server::start(&options, false).await?;
    if options.statements
        && let Some(cluster) = &database.cluster
    {
        statements::start(cluster)
            .await
            .context("starting pg_stat_statements")?;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (idle_mb, _) = memory_mb(server.pid());
    SERVER_PID.store(server.pid(), std::sync::atomic::Ordering::Relaxed);

    let base = server.base.clone();
    let client = Client::builder()
        .pool_max_idle_per_host(1024)
        .timeout(Duration::from_secs(120))
        .build()?;
    let window = Bound::Time(Duration::from_secs(options.seconds));
    let mut results: Vec<Outcome> = Vec::new();

    // The ceiling of this server: a handler that does nothing.
    let (c, b) = (client.clone(), base.clone());
    results.push(
        measured(
            &client,
            &base,
            drive(
                "trivial handler (/healthz)",
                options.clients,
                window,
                move |_| c.get(format!("{b}/healthz")),
                |s| s == StatusCode::OK,
            ),
        )
        .await,
    );

    if options.wants("sign-in (Argon2id)") {
        let (c, b, (email, password)) = (client.clone(), base.clone(), f.sign_in.clone());
        let mut outcome = measured(&client, &base, drive("sign-in (Argon2id)", 4, window, move |_| {
        c.post(format!("{b}/api/v1/auth/login"))
            .json(&serde_json::json!({"college": crate::demo::generate::SLUG, "email": email, "password": password}))
    }, |s| s == StatusCode::OK))
    .await;
        outcome.note = format!("password hashing bounds it by design {}", outcome.note);
        results.push(outcome);
    }

    // Each role's dashboard; the staff's with its "to do" panel (a teacher's classes today
    // and marks missing, the registrar's queues).
    for (name, cookies) in [
        ("student dashboard", f.student_cookies.clone()),
        ("teacher dashboard", f.teacher_cookies.clone()),
        ("registrar dashboard", vec![f.registrar_cookie.clone()]),
    ] {
        if !options.wants(name) {
            continue;
        }
        let (c, b) = (client.clone(), base.clone());
        results.push(
            measured(
                &client,
                &base,
                drive(
                    name,
                    options.clients,
                    window,
                    move |i| {
                        c.get(format!("{b}/dashboard"))
                            .header("cookie", &cookies[i % cookies.len()])
                    },
                    |s| s == StatusCode::OK,
                ),
            )
            .await,
        );
    }

    let wants = |name: &str| options.wants(name);
    results.extend(
        daily::scenarios(&client, &base, options.clients, window, &f, &daily, &wants).await?,
    );

    if options.wants("teacher marks a 60-student session") {
        let (c, b, marking) = (client.clone(), base.clone(), f.marking.clone());
        let mut outcome = measured(&client, &base, drive("teacher marks a 60-student session", 4, window, move |i| {
        let (token, session, roster) = &marking[i % marking.len()];
        let marks: Vec<serde_json::Value> = roster
            .iter()
            .enumerate()
            .map(|(n, s)| serde_json::json!({"student_id": s, "status": if (n + i) % 9 == 0 { "absent" } else { "present" }}))
            .collect();
        c.put(format!("{b}/api/v1/sessions/{session}/attendance"))
            .bearer_auth(token)
            .json(&serde_json::json!({ "marks": marks }))
    }, |s| s == StatusCode::NO_CONTENT))
    .await;
        outcome.note = format!(
            "{} sessions, {} students each {}",
            f.marking.len(),
            prepare::SEATS,
            outcome.note
        );
        results.push(outcome);
    }

    // Searches as one registrar types (one at a time), then as a busy office (16 at once).
    for (name, clients) in [
        ("registrar searches students (1 client)", 1),
        ("registrar searches students", options.clients.min(16)),
    ] {
        if !options.wants(name) {
            continue;
        }
        let (c, b, token, names) = (
            client.clone(),
            base.clone(),
            f.registrar_token.clone(),
            f.surnames.clone(),
        );
        results.push(
            measured(
                &client,
                &base,
                drive(
                    name,
                    clients,
                    window,
                    move |i| {
                        // The first letters of a surname, as people type them.
                        let name = &names[i % names.len()];
                        let prefix: String = name.chars().take(4).collect();
                        let query =
                            serde_urlencoded::to_string([("q", prefix.as_str()), ("limit", "25")])
                                .unwrap_or_default();
                        c.get(format!("{b}/api/v1/students?{query}"))
                            .bearer_auth(&token)
                    },
                    |s| s == StatusCode::OK,
                ),
            )
            .await,
        );
    }

    if options.wants("list users") {
        let (c, b, token) = (client.clone(), base.clone(), f.registrar_token.clone());
        results.push(
            measured(
                &client,
                &base,
                drive(
                    "list users, paginated by offset",
                    options.clients.min(16),
                    window,
                    move |i| {
                        c.get(format!(
                            "{b}/api/v1/users?limit=50&offset={}",
                            (i % 200) * 50
                        ))
                        .bearer_auth(&token)
                    },
                    |s| s == StatusCode::OK,
                ),
            )
            .await,
        );

        // The same pages reached by keyset: each starts after the previous page's last email.
        let cursors: Vec<String> = {
            let mut tx = db::begin_for_college(&pool, college).await?;
            let emails: Vec<String> = sqlx::query_scalar!(
            "SELECT email::text AS \"v!\" FROM (SELECT email, row_number() OVER (ORDER BY email) AS n \
             FROM users) x WHERE n % 50 = 0 ORDER BY email LIMIT 199"
        )
        .fetch_all(&mut *tx)
        .await?;
            tx.commit().await?;
            emails
        };
        let (c, b, token) = (client.clone(), base.clone(), f.registrar_token.clone());
        results.push(
            measured(
                &client,
                &base,
                drive(
                    "list users, paginated by keyset",
                    options.clients.min(16),
                    window,
                    move |i| {
                        let url = match i % 200 {
                            0 => format!("{b}/api/v1/users?limit=50"),
                            n => format!(
                                "{b}/api/v1/users?limit=50&{}",
                                serde_urlencoded::to_string([(
                                    "after",
                                    &cursors[(n - 1) % cursors.len().max(1)]
                                )])
                                .unwrap_or_default()
                            ),
                        };
                        c.get(url).bearer_auth(&token)
                    },
                    |s| s == StatusCode::OK,
                ),
            )
            .await,
        );
    }

    if options.wants("registration rush") {
        let (c, b, rush, tokens) = (
            client.clone(),
            base.clone(),
            f.rush_section,
            f.rush_tokens.clone(),
        );
        let attempts = tokens.len();
        let mut outcome = measured(
            &client,
            &base,
            drive(
                "registration rush",
                options.clients,
                Bound::Count(attempts),
                move |i| {
                    c.post(format!("{b}/api/v1/sections/{rush}/enroll"))
                        .bearer_auth(&tokens[i])
                },
                |s| s == StatusCode::OK,
            ),
        )
        .await;
        let mut tx = db::begin_for_college(&pool, college).await?;
        let (enrolled, waitlisted): (i64, i64) = sqlx::query!("SELECT count(*) FILTER (WHERE status = 'enrolled') AS \"enrolled!\", count(*) FILTER (WHERE status = 'waitlisted') AS \"waitlisted!\" FROM enrollments WHERE section_id = $1", rush)
    .fetch_one(&mut *tx)
    .await.map(|r| (r.enrolled, r.waitlisted))?;
        tx.commit().await?;
        outcome.note = format!(
            "{attempts} attempts for {} seats: {enrolled} enrolled, {waitlisted} waitlisted{}",
            f.rush_seats,
            if enrolled == f.rush_seats {
                ""
            } else {
                "  << WRONG"
            }
        ) + &outcome.note;
        results.push(outcome);
    }

    if options.wants("report card") {
        let (c, b, token, students, term) = (
            client.clone(),
            base.clone(),
            f.registrar_token.clone(),
            f.graded_students.clone(),
            f.term,
        );
        let mut outcome = measured(
            &client,
            &base,
            drive(
                "report card PDF",
                2,
                // An account issues at most a day's limit of documents.
                Bound::Count(crate::documents::lifecycle::model::DAILY_LIMIT as usize),
                move |i| {
                    c.post(format!(
                        "{b}/api/v1/students/{}/report-card?term={term}",
                        students[i % students.len()]
                    ))
                    .bearer_auth(&token)
                },
                |s| s == StatusCode::OK,
            ),
        )
        .await;
        outcome.note = format!(
            "typeset, recorded with a verification code {}",
            outcome.note
        );
        results.push(outcome);

        // A program's report cards as one job, timed from request to finished archive.
        let started = Instant::now();
        let created: serde_json::Value = client
            .post(format!("{base}/api/v1/report-card-jobs"))
            .bearer_auth(&f.registrar_token)
            .json(&serde_json::json!({"program_id": f.bulk_program.0, "term_id": f.term}))
            .send()
            .await?
            .json()
            .await?;
        let job = created["id"].as_str().context("no job id")?.to_string();
        let (status, done) = loop {
            let view: serde_json::Value = client
                .get(format!("{base}/api/v1/report-card-jobs/{job}"))
                .bearer_auth(&f.registrar_token)
                .send()
                .await?
                .json()
                .await?;
            let status = view["status"].as_str().unwrap_or_default().to_string();
            if status == "done"
                || status == "failed"
                || started.elapsed() > Duration::from_secs(600)
            {
                break (status, view["done"].as_i64().unwrap_or(0));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let elapsed = started.elapsed();
        results.push(Outcome {
            name: "report cards of a program (one job)".into(),
            clients: 1,
            requests: done as usize,
            errors: usize::from(status != "done"),
            elapsed,
            latencies: Vec::new(),
            queries_per_request: None,
            note: format!("{done} cards in {:.1} s ({status})", elapsed.as_secs_f64()),
        });
        let _ = options.report_cards;
    }

    if options.wants("timetable builder")
        || options.wants("exam clash")
        || options.wants("hall tickets")
    {
        results.extend(
            academic::scenarios(
                &client,
                &base,
                options.clients.min(16),
                window,
                &f.registrar_cookie,
                &f.registrar_token,
                &academic,
            )
            .await?,
        );
    }

    // A registrar imports 20,000 new students with a guardian each, then the same file
    // again (which must change nothing).
    let program: String = {
        let mut tx = db::begin_for_college(&pool, college).await?;
        let code = sqlx::query_scalar!("SELECT code FROM programs ORDER BY code LIMIT 1")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        code
    };
    for (name, expect_new) in [
        ("import 20,000 students (CSV)", IMPORT_ROWS),
        ("the same import file again", 0),
    ] {
        if !options.wants("import") {
            continue;
        }
        let (content_type, body) = import_body(&program, IMPORT_ROWS);
        let started = Instant::now();
        let response = client
            .post(format!("{base}/api/v1/students/import"))
            .bearer_auth(&f.registrar_token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let report: serde_json::Value = response.json().await.unwrap_or_default();
        let elapsed = started.elapsed();
        let made = report["students_new"].as_u64().unwrap_or(0) as usize;
        let ok = status == StatusCode::OK && report["committed"] == true && made == expect_new;
        results.push(Outcome {
            name: name.into(),
            clients: 1,
            requests: 1,
            errors: usize::from(!ok),
            elapsed,
            latencies: vec![elapsed.as_micros() as u64],
            queries_per_request: None,
            note: format!(
                "{:.1} s; {} new students, {} found, {} new guardians{}",
                elapsed.as_secs_f64(),
                made,
                report["students_existing"],
                report["guardians_new"],
                if ok { "" } else { "  << WRONG" }
            ),
        });
    }

    let (_, peak_mb) = memory_mb(server.pid());
    // Idle again once the load is over: what the allocator gave back.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (idle_after_mb, _) = memory_mb(server.pid());
    let pg_tps = match &database.cluster {
        Some(cluster) => pgbench(cluster.socket_dir(), options.seconds)
            .await
            .map_err(|e| {
                println!("(pgbench ceiling skipped: {e:#})");
                e
            })
            .ok(),
        None => None,
    };
    pool.close().await;
    server.stop().await;
    print_report(
        &results,
        Memory {
            idle_mb,
            peak_mb,
            idle_after_mb,
        },
        pg_tps,
        &options,
    );
    let run = figures::Run::of(&results, options.students, pg_tps);
    let saved = run.save(&options.dir)?;
    println!(
        "figures saved to {} (compare a later run with --compare)",
        saved.display()
    );
    if let Some(before) = &before {
        run.print_against(before);
    }
    Ok(())
}

/// The server's resident memory: started and idle, its peak under the load, and idle
/// again after it.
struct Memory {
    idle_mb: f64,
    peak_mb: f64,
    idle_after_mb: f64,
}

fn print_report(results: &[Outcome], memory: Memory, pg_tps: Option<f64>, options: &Options) {
    let ceiling = results.first().map(Outcome::per_second).unwrap_or(0.0);
    println!();
    println!(
        "{:<46} {:>7} {:>10} {:>8} {:>8} {:>8} {:>6} {:>8} {:>7} {:>7}",
        "scenario",
        "clients",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "db q/req",
        "of http",
        "of db"
    );
    for r in results {
        println!(
            "{:<46} {:>7} {:>10.1} {:>8.2} {:>8.2} {:>8.2} {:>6} {:>8} {:>6.1}% {:>7}",
            r.name,
            r.clients,
            r.per_second(),
            r.percentile(50.0),
            r.percentile(95.0),
            r.percentile(99.0),
            r.errors,
            r.queries_per_request
                .map_or("–".to_string(), |q| format!("{q:.1}")),
            100.0 * r.per_second() / ceiling.max(1e-9),
            figures::of_database(r, pg_tps)
                .map_or("–".to_string(), |x| format!("{:.0}%", 100.0 * x)),
        );
        if !r.note.is_empty() {
            println!("    {}", r.note);
        }
    }
    println!();
    let Memory {
        idle_mb,
        peak_mb,
        idle_after_mb,
    } = memory;
    println!(
        "server memory: {idle_mb:.0} MB idle after start, {peak_mb:.0} MB peak under load, \
         {idle_after_mb:.0} MB idle after it"
    );
    match pg_tps {
        Some(tps) => println!(
            "ceilings: trivial handler {ceiling:.0} req/s; pgbench select-only (16 clients, same cluster) {tps:.0} tx/s \
             (\"of db\": req/s against {tps:.0} / statements per request)"
        ),
        None => println!("ceilings: trivial handler {ceiling:.0} req/s; pgbench not measured"),
    }
    println!(
        "machine: {} cores; students {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        options.students
    );
}
