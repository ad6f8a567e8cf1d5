//! Where a scenario's processor time went, read from /proc: the server process, the
//! PostgreSQL processes (every process named `postgres`) and the benchmark itself (the
//! load generator), each as milliseconds of CPU per request. On a machine whose cores
//! all three share, it says which side a page's cost lies on.

/// CPU seconds used so far by the server, PostgreSQL and this process.
#[derive(Debug, Clone, Copy, Default)]
pub struct Use {
    pub server: f64,
    pub database: f64,
    pub load: f64,
}

/// USER_HZ: the unit of /proc's times, 100 on every Linux architecture Campus runs on.
const TICKS_PER_SECOND: f64 = 100.0;

/// utime + stime of a process, in seconds, and its name.
fn of_process(pid: &str) -> Option<(String, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat[open + 1..close].to_string();
    let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
    // After the name: state is field 3 of stat(5); utime and stime are 14 and 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((name, (utime + stime) / TICKS_PER_SECOND))
}

pub fn now(server: u32) -> Use {
    let mut used = Use::default();
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return used;
    };
    for entry in entries.filter_map(Result::ok) {
        let pid = entry.file_name().to_string_lossy().to_string();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Some((name, seconds)) = of_process(&pid) else {
            continue;
        };
        match pid.parse::<u32>() {
            Ok(p) if p == server => used.server += seconds,
            Ok(p) if p == me => used.load += seconds,
            _ if name == "postgres" => used.database += seconds,
            _ => {}
        }
    }
    used
}

/// "cpu/req: server 0.21 ms, database 0.30 ms, load 0.05 ms" between two readings.
pub fn per_request(before: Use, after: Use, requests: usize) -> String {
    let n = requests.max(1) as f64;
    format!(
        "cpu/req: server {:.3} ms, database {:.3} ms, load generator {:.3} ms",
        1000.0 * (after.server - before.server) / n,
        1000.0 * (after.database - before.database) / n,
        1000.0 * (after.load - before.load) / n
    )
}
