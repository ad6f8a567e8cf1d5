//! Campus's integration tests: one binary, each test against its own database cloned
//! from a migrated template in a private PostgreSQL cluster the harness starts itself.

mod achievements;
mod admissions;
mod api_auth;
mod architecture;
mod audit;
mod cluster_life;
mod coursework;
mod cross_site;
mod custom_scopes;
mod demo;
mod documents;
mod guardians;
mod hostile_input;
mod http;
mod id_cards;
mod identity;
mod journeys;
mod leaks;
mod matrix;
mod mfa;
mod migrations;
mod oneroster;
mod pages;
mod platform;
mod privacy;
mod progress;
mod registration;
mod requests;
mod results;
mod sso;
mod student_import;
mod students;
mod tenancy;
mod users;
mod util;
