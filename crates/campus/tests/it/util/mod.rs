//! The test harness: a private cluster shared by the whole test run, a fresh database per
//! test, and the application wired to it.

pub mod api;
pub mod app;
pub mod browser;
pub mod chromium;
pub mod cluster;
pub mod fixtures;

pub use app::TestApp;
pub use browser::Browser;
pub use cluster::TestDb;
