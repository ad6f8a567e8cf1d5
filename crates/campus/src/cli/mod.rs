//! The `campus` command line: parse, load settings, run the subcommand.

mod admin;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{self, Config, Overrides};

#[derive(Debug, Parser)]
#[command(
    name = "campus",
    version,
    about = "Campus: an open-source college management system"
)]
struct Cli {
    /// A TOML settings file (see docs/OPERATIONS.md for its keys).
    #[arg(long, global = true, env = "CAMPUS_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    /// Where Campus keeps its private PostgreSQL cluster and other files.
    #[arg(long, global = true, env = "CAMPUS_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve Campus over HTTP.
    Serve {
        /// Address and port to listen on [default: 127.0.0.1:8080].
        #[arg(long, env = "CAMPUS_LISTEN", value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Serve Campus, first creating the demo college when the database has no college.
    Demo {
        /// Address and port to listen on [default: 127.0.0.1:8080].
        #[arg(long, env = "CAMPUS_LISTEN", value_name = "ADDR")]
        listen: Option<String>,
        /// How many students the demo college has.
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..=200_000))]
        students: u32,
    },
    /// Run background work (mail delivery) apart from the web servers.
    Worker,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Administration from the shell.
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: admin::AuditCommand,
    },
    /// Keys of encrypted fields.
    Keys {
        #[command(subcommand)]
        command: admin::KeysCommand,
    },
    /// Print a new random secret for `secret_key` (CAMPUS_SECRET_KEY).
    Secret,
    /// Measure this machine: run the demo college in a server of its own, grown to the
    /// benchmark's shape, and drive it over HTTP (see docs/BENCHMARKS.md).
    Bench {
        /// Students in the generated college.
        #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(100..=200_000))]
        students: u32,
        /// The benchmark's own folder (never a real college's data folder).
        #[arg(long, default_value = "campus-bench-data", value_name = "DIR")]
        dir: PathBuf,
        /// Seconds each timed scenario runs.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
        seconds: u64,
        /// Concurrent clients of the busy scenarios.
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=1024))]
        clients: u32,
        /// Start from an empty folder (regenerate the college).
        #[arg(long)]
        fresh: bool,
        /// Registration rush: attempts, and seats of the section they race for.
        #[arg(long, default_value_t = 5000)]
        rush_attempts: u32,
        #[arg(long, default_value_t = 100)]
        rush_seats: u32,
        /// Run only the scenarios whose names contain one of these words (comma-separated).
        #[arg(long, value_name = "WORDS")]
        only: Option<String>,
        /// A previous run's figures (the JSON file each run writes) to print beside this one's.
        #[arg(long, value_name = "FILE")]
        compare: Option<PathBuf>,
        /// Print each scenario's costliest statements, with their planning and execution
        /// times (loads pg_stat_statements into the benchmark's cluster for the run).
        #[arg(long)]
        statements: bool,
    },
}

pub fn main() -> ExitCode {
    crate::crypto::install_tls_provider();
    let cli = Cli::parse();
    if let Command::Secret = cli.command {
        println!("{}", config::generate_secret());
        return ExitCode::SUCCESS;
    }
    if let Command::Keys {
        command: admin::KeysCommand::Generate { id },
    } = &cli.command
    {
        println!("{}", crate::crypto::FieldKeys::generate_entry(id));
        return ExitCode::SUCCESS;
    }
    let listen = match &cli.command {
        Command::Serve { listen } | Command::Demo { listen, .. } => listen.clone(),
        _ => None,
    };
    let data_dir = match &cli.command {
        Command::Bench { dir, .. } => Some(dir.clone()),
        _ => cli.data_dir.clone(),
    };
    let overrides = Overrides {
        config_file: cli.config.clone(),
        listen,
        data_dir,
    };
    let config = match Config::load(&overrides, &config::process_env) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("campus: {e}");
            return ExitCode::from(2);
        }
    };
    crate::telemetry::init(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("campus: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve { .. } => serve::run(config, None).await,
            Command::Demo { students, .. } => serve::run(config, Some(students as usize)).await,
            Command::Migrate => serve::migrate_only(config).await,
            Command::Worker => serve::worker(config).await,
            Command::Admin { command } => admin::run(config, command).await,
            Command::Audit { command } => admin::audit(config, command).await,
            Command::Keys { command } => admin::keys(config, command).await,
            Command::Secret => Ok(()),
            Command::Bench {
                students,
                dir,
                seconds,
                clients,
                fresh,
                rush_attempts,
                rush_seats,
                only,
                compare,
                statements,
            } => {
                let options = crate::bench::Options {
                    students: students as usize,
                    dir,
                    seconds,
                    clients: clients as usize,
                    fresh,
                    rush_attempts: rush_attempts as usize,
                    rush_seats: i64::from(rush_seats),
                    report_cards: 1000,
                    only: only
                        .map(|o| {
                            o.split(',')
                                .map(|w| w.trim().to_lowercase())
                                .filter(|w| !w.is_empty())
                                .collect()
                        })
                        .unwrap_or_default(),
                    compare,
                    statements,
                };
                crate::bench::run(config, options).await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "campus stopped with an error");
            eprintln!("campus: {e:#}");
            ExitCode::FAILURE
        }
    }
}
