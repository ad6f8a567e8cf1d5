//! The test harness: a private cluster shared by the whole test run, a fresh database per
//! test, and the application wired to it.

pub mod app;
pub mod cluster;

pub use app::TestApp;
pub use cluster::TestDb;
