//! Campus: an open-source college and school management system.
//!
//! See docs/ARCHITECTURE.md for the map of this crate.

pub mod academics;
pub mod access;
pub mod achievements;
pub mod admissions;
pub mod api;
pub mod app;
pub mod audit;
pub mod bench;
pub mod cli;
pub mod config;
pub mod coursework;
pub mod crypto;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod documents;
pub mod downloads;
pub mod enrollment;
pub mod error;
pub mod exports;
pub mod files;
pub mod guardians;
pub mod guidance;
pub mod identity;
pub mod institution;
pub mod live;
pub mod mail;
pub mod notices;
pub mod oneroster;
pub mod ops;
pub mod people;
pub mod platform;
pub mod privacy;
pub mod requests;
pub mod router;
pub mod server;
pub mod staff;
pub mod students;
pub mod telemetry;
pub mod users;
pub mod web;
