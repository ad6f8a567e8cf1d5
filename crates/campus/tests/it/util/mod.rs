//! The test harness: a private cluster shared by the whole test run, a fresh database per
//! test, and the application wired to it.

pub mod api;
pub mod app;
pub mod browser;
pub mod chromium;
pub mod cluster;
pub mod db;
pub mod fixtures;
pub mod html;
pub mod world;

pub use app::TestApp;
pub use browser::Browser;
pub use cluster::TestDb;

/// A loopback port free at the time of asking (the operating system's pick).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
