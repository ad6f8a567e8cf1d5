//! The `campus` program's own life with its private cluster, driven as a user would:
//! first start, restart, recovery after kill -9, clean stop on a signal, and clear
//! errors for the ways a start goes wrong.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::util::free_port;

const BIN: &str = env!("CARGO_BIN_EXE_campus");

/// A throw-away data folder, short enough for a Unix socket path, removed at the end.
struct Folder(PathBuf);

impl Folder {
    fn new() -> Folder {
        let path = std::env::temp_dir().join(format!(
            "campus-life-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..10]
        ));
        Folder(path)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        if let Some(pid) = postmaster_pid(&self.0) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGQUIT);
            std::thread::sleep(Duration::from_millis(500));
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn campus(folder: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_remove("DATABASE_URL")
        .env_remove("DATABASE_OWNER_URL")
        .env_remove("CAMPUS_CONFIG")
        .env_remove("CAMPUS_MODE")
        .env("CAMPUS_DATA_DIR", folder)
        .env("CAMPUS_LOG_FORMAT", "json");
    command
}

struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn start(folder: &Path) -> Server {
        Server::start_with(folder, &["serve"])
    }

    /// `campus <command...> --listen 127.0.0.1:<a free port>`, once it is ready.
    fn start_with(folder: &Path, command: &[&str]) -> Server {
        let port = free_port();
        std::fs::create_dir_all(folder).expect("data folder");
        let log = folder.join(format!("test-{port}.log"));
        let file = std::fs::File::create(&log).expect("log file");
        let child = campus(folder)
            .args(command)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("spawn campus");
        let mut server = Server { child, port, log };
        server.wait_ready();
        server
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("campus exited early ({status}):\n{}", self.log());
            }
            if get(self.port, "/readyz").is_some_and(|(status, _)| status == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("campus not ready in time:\n{}", self.log());
    }

    fn signal(&self, signal: Signal) {
        kill(Pid::from_raw(self.child.id() as i32), signal).expect("signal");
    }

    /// Waits for the process to end and returns whether it succeeded.
    fn wait(mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        panic!("campus did not stop:\n{}", self.log());
    }
}

/// A blocking request over plain HTTP/1.1 on loopback: (status, headers, body).
fn send(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    json: Option<&str>,
) -> Option<(u16, String, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .ok()?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    let body = json.unwrap_or_default();
    if json.is_some() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    write!(stream, "{head}\r\n{body}").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let (headers, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    Some((status, headers.to_string(), body.to_string()))
}

/// A blocking GET over plain HTTP/1.1 on loopback: (status, body).
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

fn postmaster_pid(folder: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(folder.join("postgres/postmaster.pid")).ok()?;
    text.lines().next()?.trim().parse().ok()
}

fn alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run campus")
}

#[test]
fn the_private_cluster_lives_through_restarts_crashes_and_signals() {
    let folder = Folder::new();

    // First start: initdb, then serving.
    let server = Server::start(&folder.0);
    assert!(folder.0.join("postgres/PG_VERSION").exists());
    assert!(
        folder.0.join("run/.s.PGSQL.5432").exists(),
        "no Unix socket"
    );
    assert!(
        server
            .log()
            .contains("created a new private PostgreSQL cluster")
    );

    // A second server on the same folder is refused; shell tools attach instead.
    let second =
        run(campus(&folder.0).args(["serve", "--listen", &format!("127.0.0.1:{}", free_port())]));
    assert!(!second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("another process already manages"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let created = run(campus(&folder.0).args([
        "admin",
        "create-college",
        "--slug",
        "life",
        "--name",
        "Life College",
        "--admin-email",
        "ada@life.edu",
        "--admin-name",
        "Ada",
    ]));
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    // The first administrator is invited: by mail, and by the link printed here.
    let said = String::from_utf8_lossy(&created.stdout);
    let link = said
        .split_whitespace()
        .find(|w| w.contains("/invite?token="))
        .unwrap_or_else(|| panic!("no invitation link in {said}"));
    let path = &link[link.find("/invite").expect("path")..];
    let (status, _) = get(server.port, path).expect("the invitation page");
    assert_eq!(status, 200, "{link}");
    let (_, colleges) = get(server.port, "/api/v1/colleges").expect("colleges");
    assert!(colleges.contains("\"life\""), "{colleges}");

    // SIGTERM: requests drain, the server and PostgreSQL stop, exit status 0.
    server.signal(Signal::SIGTERM);
    assert!(server.wait(), "campus failed on SIGTERM");
    assert!(
        postmaster_pid(&folder.0).is_none(),
        "PostgreSQL left running after a clean stop"
    );

    // Restart: the same cluster, the data kept.
    let server = Server::start(&folder.0);
    assert!(
        !server
            .log()
            .contains("created a new private PostgreSQL cluster")
    );
    assert!(
        get(server.port, "/api/v1/colleges")
            .expect("colleges")
            .1
            .contains("\"life\"")
    );

    // kill -9 of Campus leaves PostgreSQL running; the next start takes over.
    server.signal(Signal::SIGKILL);
    server.wait();
    let leftover = postmaster_pid(&folder.0).expect("postmaster.pid");
    assert!(alive(leftover), "PostgreSQL died with Campus");
    let server = Server::start(&folder.0);
    assert!(server.log().contains("left running"), "{}", server.log());
    assert!(
        get(server.port, "/api/v1/colleges")
            .expect("colleges")
            .1
            .contains("\"life\"")
    );

    // A crash of both (the machine lost power): a stale pid file, recovered.
    let pid = postmaster_pid(&folder.0).expect("postmaster.pid");
    server.signal(Signal::SIGKILL);
    server.wait();
    kill(Pid::from_raw(pid), Signal::SIGKILL).expect("kill postgres");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        folder.0.join("postgres/postmaster.pid").exists(),
        "expected a stale pid file"
    );
    let server = Server::start(&folder.0);
    assert!(
        get(server.port, "/api/v1/colleges")
            .expect("colleges")
            .1
            .contains("\"life\"")
    );

    server.signal(Signal::SIGINT);
    assert!(server.wait(), "campus failed on SIGINT");
    assert!(postmaster_pid(&folder.0).is_none());
}

#[test]
fn a_port_in_use_is_named() {
    let folder = Folder::new();
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let output = run(campus(&folder.0).args(["serve", "--listen", &format!("127.0.0.1:{port}")]));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(stderr.contains("in use"), "{stderr}");
    assert!(
        !folder.0.join("postgres").exists(),
        "a failed start made a cluster"
    );
}

#[test]
fn a_data_folder_that_cannot_be_used_is_named() {
    let output = run(campus(Path::new("/proc/campus-nowhere")).args(["migrate"]));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/proc/campus-nowhere"), "{stderr}");

    // A cluster folder owned by someone else than the server account.
    if nix::unistd::Uid::effective().is_root() {
        let folder = Folder::new();
        let cluster = folder.0.join("postgres");
        std::fs::create_dir_all(&cluster).expect("mkdir");
        std::fs::write(cluster.join("PG_VERSION"), "15\n").expect("write");
        std::os::unix::fs::chown(&cluster, Some(65534), Some(65534)).expect("chown");
        let output = run(campus(&folder.0).args(["migrate"]));
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("belongs to"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(cluster.join("PG_VERSION")).expect("read"),
            "15\n",
            "the folder was changed"
        );
    }
}

#[test]
fn bad_settings_stop_the_start_with_the_setting_named() {
    let folder = Folder::new();
    std::fs::create_dir_all(&folder.0).expect("mkdir");
    let config = folder.0.join("campus.toml");

    std::fs::write(&config, "listen = 5\n").expect("write");
    let output = run(campus(&folder.0)
        .args(["--config"])
        .arg(&config)
        .arg("migrate"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not valid"));

    std::fs::write(&config, "lisen = \"127.0.0.1:1\"\n").expect("write");
    let output = run(campus(&folder.0)
        .args(["--config"])
        .arg(&config)
        .arg("migrate"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("lisen"));

    let output = run(campus(&folder.0)
        .env("CAMPUS_MODE", "production")
        .arg("migrate"));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("secret_key") && stderr.contains("missing"),
        "{stderr}"
    );

    let output = run(campus(&folder.0)
        .env("CAMPUS_MODE", "production")
        .env("CAMPUS_SECRET_KEY", "changeme-changeme-changeme-changeme")
        .arg("migrate"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("too weak"));
    assert!(
        !folder.0.join("postgres").exists(),
        "refused settings still made a cluster"
    );
}

#[test]
fn an_unreachable_database_is_retried_then_reported() {
    let folder = Folder::new();
    let started = Instant::now();
    let output = run(campus(&folder.0)
        .env(
            "DATABASE_URL",
            format!("postgres://campus_app@127.0.0.1:{}/campus", free_port()),
        )
        .env("CAMPUS_DATABASE_CONNECT_TIMEOUT_SECS", "2")
        .arg("migrate"));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("could not connect to the database"),
        "{stderr}"
    );
    assert!(
        stderr.contains("retrying"),
        "no retry before giving up: {stderr}"
    );
    assert!(!stderr.contains("password"), "{stderr}");
    assert!(started.elapsed() >= Duration::from_secs(1));
}

/// The private server killed with -9 while a registrar posts notices: Campus notices at
/// once (readiness and requests answer 503 with Retry-After, never 500), restarts the
/// server by itself, and serves again; every notice it acknowledged is there.
#[test]
fn a_killed_private_server_is_restarted_and_nothing_acknowledged_is_lost() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    let folder = Folder::new();
    let server = Server::start_with(&folder.0, &["demo", "--students", "20"]);
    let port = server.port;
    let (status, _, body) = send(
        port,
        "POST",
        "/api/v1/auth/login",
        None,
        Some(r#"{"college":"riverside","email":"registrar@riverside.edu","password":"riverside-demo-campus"}"#),
    )
    .expect("sign in");
    assert_eq!(status, 200, "{body}");
    let token: String =
        serde_json::from_str::<serde_json::Value>(&body).expect("json")["access_token"]
            .as_str()
            .expect("token")
            .to_string();

    // Writers: each acknowledged notice is remembered; any 5xx but 503 is a failure.
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let answers = Arc::new(Mutex::new(Vec::<(u16, bool)>::new()));
    let writers: Vec<_> = (0..3)
        .map(|writer| {
            let (stop, acknowledged, answers, token) = (
                stop.clone(),
                acknowledged.clone(),
                answers.clone(),
                token.clone(),
            );
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let json = format!(
                        r#"{{"title":"Crash test {writer}-{n}","body":"x","audience":"staff"}}"#
                    );
                    match send(port, "POST", "/api/v1/notices", Some(&token), Some(&json)) {
                        Some((201, _, body)) => {
                            let value: serde_json::Value =
                                serde_json::from_str(&body).expect("json");
                            acknowledged
                                .lock()
                                .expect("lock")
                                .push(value["id"].as_str().expect("id").to_string());
                            answers.lock().expect("lock").push((201, true));
                        }
                        Some((status, headers, _)) => {
                            let retry = headers.to_ascii_lowercase().contains("retry-after:");
                            answers.lock().expect("lock").push((status, retry));
                            std::thread::sleep(Duration::from_millis(50));
                        }
                        None => std::thread::sleep(Duration::from_millis(50)),
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    let before = acknowledged.lock().expect("lock").len();
    assert!(before > 0, "no notice was written before the crash");

    let pid = postmaster_pid(&folder.0).expect("postmaster pid");
    kill(Pid::from_raw(pid), Signal::SIGKILL).expect("kill -9 the postmaster");

    // Readiness says so quickly, and answers within a second or so itself.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut saw_unready = false;
    while Instant::now() < deadline {
        let asked = Instant::now();
        let answer = get(port, "/readyz");
        assert!(
            asked.elapsed() < Duration::from_secs(3),
            "/readyz took {:?}",
            asked.elapsed()
        );
        if answer.is_some_and(|(status, _)| status == 503) {
            saw_unready = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // The server may already be back (the supervisor is quick): then readiness never
    // had to say otherwise, but the log must show the restart.
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if get(port, "/readyz").is_some_and(|(status, _)| status == 200) {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        get(port, "/readyz").map(|(status, _)| status),
        Some(200),
        "not back:\n{}",
        server.log()
    );
    let restarted_pid = postmaster_pid(&folder.0).expect("a new postmaster");
    assert_ne!(restarted_pid, pid);
    assert!(
        server.log().contains("restarting it"),
        "the restart is logged:\n{}",
        server.log()
    );
    // Writes go on after the restart.
    let deadline = Instant::now() + Duration::from_secs(30);
    let resumed_from = acknowledged.lock().expect("lock").len();
    while acknowledged.lock().expect("lock").len() == resumed_from && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.join().expect("writer");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(
        acknowledged.len() > resumed_from,
        "no write after the restart"
    );
    for (status, retry_after) in answers.lock().expect("lock").iter() {
        assert!(
            *status < 500 || (*status == 503 && *retry_after),
            "a {status} (Retry-After: {retry_after}) during the outage:\n{}",
            server.log()
        );
    }
    let _ = saw_unready;

    // Every acknowledged notice is there (read as the cluster's superuser).
    let stored: Vec<String> = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            use sqlx::ConnectOptions;
            let mut conn = sqlx::postgres::PgConnectOptions::new()
                .socket(folder.0.join("run"))
                .port(5432)
                .username("postgres")
                .database("campus")
                .connect()
                .await
                .expect("connect");
            sqlx::query_scalar("SELECT id::text FROM notices")
                .fetch_all(&mut conn)
                .await
                .expect("notices")
        });
    for id in &acknowledged {
        assert!(stored.contains(id), "notice {id} was acknowledged and lost");
    }
    server.signal(Signal::SIGTERM);
    assert!(server.wait());
}
