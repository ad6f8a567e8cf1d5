//! `campus serve`, `campus demo` and `campus migrate`: bring the database up, migrate,
//! serve, and take everything down in order on a signal.

use std::future::Future;
use std::time::Duration;

use anyhow::Context;
use sqlx::PgPool;

use crate::app::AppState;
use crate::config::Config;
use crate::db::{self, Database, WhenBusy, migrate};
use crate::demo;
use crate::mail::sender::Sender;

/// Runs `work` with the database up and migrated, then stops the private cluster (if
/// any) whether `work` succeeded or not.
pub async fn with_database<F, Fut>(
    config: &Config,
    when_busy: WhenBusy,
    work: F,
) -> anyhow::Result<()>
where
    F: FnOnce(PgPool) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let database = Database::locate(config, when_busy).await?;
    // The private server is watched and restarted if it dies (crash, out-of-memory kill).
    let (stop_supervisor, supervisor_stopped) = tokio::sync::watch::channel(false);
    let supervisor = database
        .cluster
        .clone()
        .map(|cluster| tokio::spawn(cluster.supervise(supervisor_stopped)));
    let result = async {
        // The pool first: it waits (with backoff) for a server that is still starting.
        let pool = db::connect_pool(
            &database.app,
            config.database_max_connections,
            config.database_connect_timeout,
        )
        .await?;
        migrate::run(&database.owner).await?;
        db::check_runtime_role(&pool, config.mode).await?;
        let outcome = work(pool.clone()).await;
        pool.close().await;
        outcome
    }
    .await;
    let _ = stop_supervisor.send(true);
    if let Some(supervisor) = supervisor {
        let _ = supervisor.await;
    }
    database.stop().await;
    result
}

pub async fn migrate_only(config: Config) -> anyhow::Result<()> {
    with_database(&config, WhenBusy::Attach, |_pool| async {
        tracing::info!(
            version = migrate::latest_version(),
            "database migrations are current"
        );
        println!(
            "Migrations applied; the database is at version {}.",
            migrate::latest_version()
        );
        Ok(())
    })
    .await
}

pub async fn run(config: Config, demo_students: Option<usize>) -> anyhow::Result<()> {
    // Bind first: a port in use fails at once, before any database work.
    let listener = crate::server::bind(config.listen).await?;
    let address = listener
        .local_addr()
        .context("reading the listening address")?;
    let base = format!("http://{address}");
    with_database(&config.clone(), WhenBusy::Refuse, |pool| async move {
        if let Some(students) = demo_students {
            prepare_demo(&pool, students, &base, config.field_keys.clone()).await?;
        }
        tracing::info!(%address, "Campus is listening");
        println!("Campus is running at {base}/  (Ctrl-C stops it)");
        let (stop_background, background_stopped) = tokio::sync::watch::channel(false);
        let state = AppState::new(config.clone(), pool.clone())?;
        let mut background = vec![tokio::spawn(crate::access::principal_cache::listen(
            state.principals.clone(),
            state.remembered.clone(),
            pool.clone(),
            background_stopped.clone(),
        ))];
        background.push(tokio::spawn(crate::db::health::watch(
            pool.clone(),
            state.db_health.clone(),
            background_stopped.clone(),
        )));
        background.push(tokio::spawn(crate::audit::sealer::run(
            pool.clone(),
            background_stopped.clone(),
        )));
        if config.run_background_work {
            let sender = Sender::from_config(&config)?;
            background.push(tokio::spawn(
                sender.run(pool.clone(), background_stopped.clone()),
            ));
            background.push(tokio::spawn(
                job_runner(&state).run_forever(background_stopped),
            ));
        }
        let served = crate::server::serve(listener, state, Duration::from_secs(30)).await;
        let _ = stop_background.send(true);
        for task in background {
            let _ = task.await;
        }
        served
    })
    .await
}

async fn prepare_demo(
    pool: &PgPool,
    students: usize,
    base: &str,
    keys: crate::crypto::FieldKeys,
) -> anyhow::Result<()> {
    match demo::ensure(pool, students, &keys).await? {
        Some(report) => println!(
            "Created the demo college {} with {} students, {} staff and {} guardians in {:.1}s.",
            report.name,
            report.students,
            report.staff,
            report.guardians,
            report.elapsed.as_secs_f64()
        ),
        None => println!("The database already holds a college; the demo data is left as it is."),
    }
    let accounts = demo::accounts(pool).await?;
    if !accounts.is_empty() {
        println!("\nDemo college: {base}/c/{}", demo::generate::SLUG);
        println!("Demo sign-ins, one per role:");
        for (role, email, name) in accounts {
            println!("  {:<22} {:<28} {}", role.label(), email, name);
        }
        println!(
            "  {:<22} {:<28} (at {base}/platform/login)",
            "Platform admin",
            demo::PLATFORM_ADMIN
        );
        println!(
            "Every demo account's password is: {}\nThe college admin, principal and platform \
             admin also need a second factor: add the key {} to an authenticator app, or use \
             a recovery code riverside-01 ... riverside-10 (each once per account).\nSign in \
             at {base}/login",
            demo::PASSWORD,
            crate::identity::mfa::codes::base32(demo::TOTP_SECRET)
        );
    }
    println!();
    Ok(())
}

/// `campus worker`: background work apart from the web servers (mail delivery, document
/// jobs and sealing the audit trail).
pub async fn worker(config: Config) -> anyhow::Result<()> {
    with_database(&config.clone(), WhenBusy::Attach, |pool| async move {
        let sender = Sender::from_config(&config)?;
        let state = AppState::new(config.clone(), pool.clone())?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mail = tokio::spawn(sender.run(pool.clone(), stopped.clone()));
        let sealer = tokio::spawn(crate::audit::sealer::run(pool, stopped.clone()));
        let jobs = tokio::spawn(job_runner(&state).run_forever(stopped));
        println!("Campus worker running (Ctrl-C stops it)");
        crate::server::shutdown_signal().await;
        let _ = stop.send(true);
        let _ = mail.await;
        let _ = sealer.await;
        let _ = jobs.await;
        Ok(())
    })
    .await
}

fn job_runner(state: &AppState) -> crate::documents::jobs::service::Runner {
    crate::documents::jobs::service::Runner {
        pool: state.db.clone(),
        files: state.files.clone(),
        base_url: state.config.base_url(),
    }
}
