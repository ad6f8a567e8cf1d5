//! Driving the server: a scenario sends requests from a number of concurrent clients for a
//! bounded time (or a fixed number of attempts) and records each request's latency and
//! whether it got the answer it should.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::{RequestBuilder, StatusCode};

/// What a scenario measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub name: String,
    pub clients: usize,
    pub requests: usize,
    pub errors: usize,
    pub elapsed: Duration,
    /// Sorted latencies in microseconds.
    pub latencies: Vec<u64>,
    pub queries_per_request: Option<f64>,
    pub note: String,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// A latency percentile in milliseconds.
    pub fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1] as f64 / 1000.0
    }
}

/// How a scenario ends.
#[derive(Debug, Clone, Copy)]
pub enum Bound {
    /// Run for this long.
    Time(Duration),
    /// Send exactly this many requests (each index once).
    Count(usize),
}

/// Runs `make(i)` requests from `clients` clients; `ok` says whether an answer is right.
pub async fn drive<M, K>(name: &str, clients: usize, bound: Bound, make: M, ok: K) -> Outcome
where
    M: Fn(usize) -> RequestBuilder + Send + Sync + 'static,
    K: Fn(StatusCode) -> bool + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let ok = Arc::new(ok);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (make, ok, next) = (make.clone(), ok.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            let mut first_error: Option<String> = None;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                match bound {
                    Bound::Time(limit) if started.elapsed() >= limit => break,
                    Bound::Count(n) if i >= n => break,
                    _ => {}
                }
                let sent = Instant::now();
                let answer = make(i).send().await;
                let good = match answer {
                    Ok(response) => {
                        let status = response.status();
                        // The body is read so the connection can be reused.
                        let body = response.bytes().await.unwrap_or_default();
                        let good = ok(status);
                        if !good && first_error.is_none() {
                            let text = String::from_utf8_lossy(&body);
                            first_error = Some(format!(
                                "{status}: {}",
                                text.chars().take(200).collect::<String>()
                            ));
                        }
                        good
                    }
                    Err(e) => {
                        if first_error.is_none() {
                            first_error = Some(e.to_string());
                        }
                        false
                    }
                };
                latencies.push(sent.elapsed().as_micros() as u64);
                if !good {
                    errors += 1;
                }
            }
            (latencies, errors, first_error)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for task in tasks {
        if let Ok((mut l, e, f)) = task.await {
            latencies.append(&mut l);
            errors += e;
            first_error = first_error.or(f);
        }
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Outcome {
        name: name.to_string(),
        clients,
        requests: latencies.len(),
        errors,
        elapsed,
        latencies,
        queries_per_request: None,
        note: first_error.map_or_else(String::new, |e| format!("first error: {e}")),
    }
}
