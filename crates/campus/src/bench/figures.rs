//! A run's figures as a file, and a run printed beside an earlier one. Every run writes
//! `bench-<unix seconds>.json` in its folder; `--compare FILE` reads such a file and
//! prints each scenario's throughput and p99 against it, so a change that slows a page
//! is seen before it lands.

use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::load::Outcome;

/// One scenario as measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figure {
    pub name: String,
    pub clients: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub errors: usize,
    pub statements: Option<f64>,
    /// The share of what the database allows a page running its statements: req/s over
    /// (pgbench select-only transactions per second / statements per request).
    pub of_database: Option<f64>,
}

/// A whole run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    pub at_unix: u64,
    pub students: usize,
    pub trivial_per_second: f64,
    pub pgbench_tps: Option<f64>,
    pub figures: Vec<Figure>,
}

/// The share of the database's ceiling a scenario reached (none for a scenario that ran
/// no statements or when pgbench was not measured).
pub fn of_database(outcome: &Outcome, pgbench_tps: Option<f64>) -> Option<f64> {
    let statements = outcome.queries_per_request.filter(|q| *q > 0.05)?;
    let tps = pgbench_tps.filter(|t| *t > 0.0)?;
    Some(outcome.per_second() / (tps / statements))
}

impl Run {
    pub fn of(results: &[Outcome], students: usize, pgbench_tps: Option<f64>) -> Run {
        Run {
            at_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            students,
            trivial_per_second: results.first().map_or(0.0, Outcome::per_second),
            pgbench_tps,
            figures: results
                .iter()
                .map(|r| Figure {
                    name: r.name.clone(),
                    clients: r.clients,
                    per_second: r.per_second(),
                    p50_ms: r.percentile(50.0),
                    p95_ms: r.percentile(95.0),
                    p99_ms: r.percentile(99.0),
                    errors: r.errors,
                    statements: r.queries_per_request,
                    of_database: of_database(r, pgbench_tps),
                })
                .collect(),
        }
    }

    pub fn save(&self, dir: &Path) -> anyhow::Result<std::path::PathBuf> {
        let path = dir.join(format!("bench-{}.json", self.at_unix));
        std::fs::write(&path, serde_json::to_vec_pretty(self)?)
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }

    pub fn load(path: &Path) -> anyhow::Result<Run> {
        let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_slice(&text)
            .with_context(|| format!("{} is not a campus bench figures file", path.display()))
    }

    /// Each scenario of this run beside the same scenario of `before`; a throughput more
    /// than 10 % lower or a p99 more than 25 % higher is marked.
    pub fn print_against(&self, before: &Run) {
        println!();
        println!(
            "against the run of {} ({} students; trivial handler {:.0} req/s then, {:.0} now):",
            before.at_unix, before.students, before.trivial_per_second, self.trivial_per_second
        );
        println!(
            "{:<46} {:>10} {:>10} {:>8} {:>9} {:>9}",
            "scenario", "req/s then", "req/s now", "change", "p99 then", "p99 now"
        );
        for now in &self.figures {
            let Some(then) = before.figures.iter().find(|f| f.name == now.name) else {
                println!("{:<46} {:>10} {:>10.1}", now.name, "new", now.per_second);
                continue;
            };
            let change = 100.0 * (now.per_second - then.per_second) / then.per_second.max(1e-9);
            let slower = change < -10.0 || now.p99_ms > then.p99_ms * 1.25 + 1.0;
            println!(
                "{:<46} {:>10.1} {:>10.1} {:>7.1}% {:>9.2} {:>9.2}{}",
                now.name,
                then.per_second,
                now.per_second,
                change,
                then.p99_ms,
                now.p99_ms,
                if slower { "  << slower" } else { "" }
            );
        }
    }
}
