//! The web layer shared by every domain: page chrome and rendering, error rendering,
//! extractors that speak our error format, static assets, and the middleware every
//! request passes through (request id, logging, metrics, client address, headers); the
//! pictures drawn on the server (charts, the week grid).

pub mod assets;
pub mod attachment;
pub mod available;
pub mod chart;
pub mod client_ip;
pub mod clock;
pub mod confirm;
pub mod cookies;
pub mod csrf;
pub mod errors;
pub mod extract;
pub mod flash;
pub mod form;
pub mod input;
pub mod json;
pub mod layout;
pub mod list;
pub mod observe;
pub mod request_id;
pub mod security_headers;
pub mod throttle;
pub mod time;
pub mod week;
pub mod words;
