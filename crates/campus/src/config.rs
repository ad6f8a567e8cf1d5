//! Settings, loaded once at start-up from defaults, an optional TOML file, the environment
//! and command-line flags (later sources win), and validated before anything starts.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;

use crate::web::client_ip::IpNet;

/// A value that must never reach a log or an error page.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Pretty,
}

/// Where outgoing mail goes.
#[derive(Debug, Clone)]
pub enum MailTransport {
    /// A folder of .eml files (development and tests).
    Folder(PathBuf),
    /// An SMTP server, e.g. `smtps://user:password@mail.example.edu:465`.
    Smtp(Secret),
}

#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// The runtime connection; `None` runs the private cluster in `data_dir`.
    pub database_url: Option<Secret>,
    /// The table owner's connection, for migrations; defaults to `database_url`.
    pub database_owner_url: Option<Secret>,
    pub database_max_connections: u32,
    /// How long start-up keeps retrying an unreachable database.
    pub database_connect_timeout: Duration,
    pub secret_key: Secret,
    /// The address users reach Campus at, e.g. https://campus.example.edu.
    pub public_url: Option<String>,
    /// Peers whose X-Forwarded-For and X-Forwarded-Proto are believed.
    pub trusted_proxies: Vec<IpNet>,
    pub request_timeout: Duration,
    pub body_limit_bytes: usize,
    /// The largest file a user may upload (coursework, materials); upload forms may be
    /// this much larger than `body_limit_bytes`.
    pub upload_limit_bytes: usize,
    /// A browser session ends after this long without a request.
    pub session_idle: Duration,
    /// A browser session ends this long after sign-in, however active.
    pub session_lifetime: Duration,
    /// Ids of the keys that sign API access tokens; the last signs, all verify.
    pub token_key_ids: Vec<String>,
    /// Sign-in, token and password-reset attempts allowed per client address per minute.
    pub auth_attempts_per_minute: u32,
    pub mail_transport: MailTransport,
    /// The sender of Campus's mail, e.g. `Riverside College <no-reply@riverside.edu>`.
    pub mail_from: String,
    /// Whether `serve` also does the background work: delivering mail and running
    /// document jobs (turn off when `campus worker` runs apart).
    pub run_background_work: bool,
    /// Keys for sensitive fields; derived from the secret key when none are set.
    pub field_keys: crate::crypto::FieldKeys,
    pub log_format: LogFormat,
    pub log_filter: String,
    /// Whether the built-in test payment gateway (which takes no money) may be used:
    /// on by default in development, refused in production.
    pub test_payment_gateway: bool,
    /// When set, `/metrics` answers only requests bearing this token.
    pub metrics_token: Option<Secret>,
    /// Hosts (names, addresses or blocks) single sign-on may reach although they are
    /// loopback, private or link-local; e.g. a provider on the campus network.
    pub sso_allowed_hosts: Vec<String>,
}

impl Config {
    /// The address links in mail point at.
    pub fn base_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
    }

    /// Whether users reach Campus over TLS (so HSTS and Secure cookies apply).
    pub fn served_over_tls(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }
}

/// A setting that could not be accepted, named the way the user wrote it.
#[derive(Debug, thiserror::Error)]
#[error("setting `{setting}`: {message}")]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

impl ConfigError {
    fn new(setting: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            setting: setting.to_string(),
            message: message.into(),
        }
    }
}

/// Values given on the command line (clap also reads their environment variables).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
}

/// The TOML file's shape: every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    mode: Option<Mode>,
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    database_owner_url: Option<String>,
    database_max_connections: Option<u32>,
    database_connect_timeout_secs: Option<u64>,
    secret_key: Option<String>,
    public_url: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    request_timeout_secs: Option<u64>,
    body_limit_bytes: Option<usize>,
    upload_limit_bytes: Option<usize>,
    session_idle_minutes: Option<u64>,
    session_lifetime_hours: Option<u64>,
    token_key_ids: Option<Vec<String>>,
    auth_attempts_per_minute: Option<u32>,
    smtp_url: Option<String>,
    mail_dir: Option<PathBuf>,
    mail_from: Option<String>,
    run_background_work: Option<bool>,
    run_mail_sender: Option<bool>,
    field_keys: Option<Vec<String>>,
    log_format: Option<LogFormat>,
    log_filter: Option<String>,
    test_payment_gateway: Option<bool>,
    metrics_token: Option<String>,
    sso_allowed_hosts: Option<Vec<String>>,
}

/// Reads the environment through a function so tests need not touch the process's.
pub type EnvReader<'a> = &'a dyn Fn(&str) -> Option<String>;

pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Config {
    /// Loads and validates. The secret key in development, when none is given, is made
    /// once and kept in the data folder so sessions survive restarts.
    pub fn load(overrides: &Overrides, env: EnvReader<'_>) -> Result<Config, ConfigError> {
        let file_path = overrides
            .config_file
            .clone()
            .or_else(|| env("CAMPUS_CONFIG").map(PathBuf::from));
        let file = match &file_path {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };

        let mode = pick("mode", "CAMPUS_MODE", None, file.mode, env, parse_mode)?
            .unwrap_or(Mode::Development);
        let listen = pick(
            "listen",
            "CAMPUS_LISTEN",
            overrides.listen.clone(),
            file.listen,
            env,
            Ok,
        )?
        .unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen.parse().map_err(|_| {
            ConfigError::new(
                "listen",
                format!("`{listen}` is not an address and port such as 127.0.0.1:8080"),
            )
        })?;
        let data_dir = overrides
            .data_dir
            .clone()
            .or_else(|| env("CAMPUS_DATA_DIR").map(PathBuf::from))
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("var"));
        if data_dir.as_os_str().is_empty() {
            return Err(ConfigError::new("data_dir", "must not be empty"));
        }

        let database_url = pick(
            "database_url",
            "DATABASE_URL",
            None,
            file.database_url,
            env,
            Ok,
        )?
        .map(Secret::new);
        let database_owner_url = pick(
            "database_owner_url",
            "DATABASE_OWNER_URL",
            None,
            file.database_owner_url,
            env,
            Ok,
        )?
        .map(Secret::new);
        for (setting, url) in [
            ("database_url", &database_url),
            ("database_owner_url", &database_owner_url),
        ] {
            if let Some(url) = url {
                let url = url.expose();
                if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                    return Err(ConfigError::new(
                        setting,
                        "must be a postgres:// or postgresql:// URL",
                    ));
                }
            }
        }
        if database_owner_url.is_some() && database_url.is_none() {
            return Err(ConfigError::new(
                "database_owner_url",
                "is only used with database_url (DATABASE_URL); without it Campus runs its own \
                 server",
            ));
        }

        let database_max_connections = pick(
            "database_max_connections",
            "CAMPUS_DATABASE_MAX_CONNECTIONS",
            None,
            file.database_max_connections,
            env,
            parse_number,
        )?
        .unwrap_or(20);
        if !(1..=500).contains(&database_max_connections) {
            return Err(ConfigError::new(
                "database_max_connections",
                "must be between 1 and 500",
            ));
        }
        let database_connect_timeout = seconds(
            "database_connect_timeout_secs",
            "CAMPUS_DATABASE_CONNECT_TIMEOUT_SECS",
            file.database_connect_timeout_secs,
            env,
            30,
            1..=3600,
        )?;

        let secret_key = pick(
            "secret_key",
            "CAMPUS_SECRET_KEY",
            None,
            file.secret_key,
            env,
            Ok,
        )?;
        let secret_key = match (mode, secret_key) {
            (_, Some(key)) => {
                check_secret_strength(&key).map_err(|why| {
                    ConfigError::new("secret_key", format!("(CAMPUS_SECRET_KEY) {why}"))
                })?;
                Secret::new(key)
            }
            (Mode::Production, None) => {
                return Err(ConfigError::new(
                    "secret_key",
                    "(CAMPUS_SECRET_KEY) is missing: production mode needs a random secret of \
                     at least 32 characters; make one with `campus secret`",
                ));
            }
            (Mode::Development, None) => development_secret(&data_dir)?,
        };

        let public_url = pick(
            "public_url",
            "CAMPUS_PUBLIC_URL",
            None,
            file.public_url,
            env,
            Ok,
        )?
        .map(|url| url.trim_end_matches('/').to_string());
        if let Some(url) = &public_url {
            let rest = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            if rest.is_none_or(|host| host.is_empty()) {
                return Err(ConfigError::new(
                    "public_url",
                    "must start with https:// or http:// and name a host",
                ));
            }
        }

        let trusted_proxies = match env("CAMPUS_TRUSTED_PROXIES") {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            None => file.trusted_proxies.unwrap_or_default(),
        }
        .iter()
        .map(|entry| IpNet::from_str(entry).map_err(|why| ConfigError::new("trusted_proxies", why)))
        .collect::<Result<Vec<_>, _>>()?;

        let request_timeout = seconds(
            "request_timeout_secs",
            "CAMPUS_REQUEST_TIMEOUT_SECS",
            file.request_timeout_secs,
            env,
            30,
            1..=600,
        )?;
        let body_limit_bytes = pick(
            "body_limit_bytes",
            "CAMPUS_BODY_LIMIT_BYTES",
            None,
            file.body_limit_bytes,
            env,
            parse_number,
        )?
        .unwrap_or(2 * 1024 * 1024);
        if !(1024..=1024 * 1024 * 1024).contains(&body_limit_bytes) {
            return Err(ConfigError::new(
                "body_limit_bytes",
                "must be between 1024 and 1073741824",
            ));
        }
        let upload_limit_bytes = pick(
            "upload_limit_bytes",
            "CAMPUS_UPLOAD_LIMIT_BYTES",
            None,
            file.upload_limit_bytes,
            env,
            parse_number,
        )?
        .unwrap_or(10 * 1024 * 1024);
        if !(1024..=1024 * 1024 * 1024).contains(&upload_limit_bytes) {
            return Err(ConfigError::new(
                "upload_limit_bytes",
                "must be between 1024 and 1073741824",
            ));
        }
        let session_idle = seconds(
            "session_idle_minutes",
            "CAMPUS_SESSION_IDLE_MINUTES",
            file.session_idle_minutes,
            env,
            60,
            1..=24 * 60,
        )? * 60;
        let session_lifetime = seconds(
            "session_lifetime_hours",
            "CAMPUS_SESSION_LIFETIME_HOURS",
            file.session_lifetime_hours,
            env,
            12,
            1..=24 * 30,
        )? * 3600;
        let token_key_ids: Vec<String> = match env("CAMPUS_TOKEN_KEY_IDS") {
            Some(list) => list
                .split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect(),
            None => file.token_key_ids.unwrap_or_else(|| vec!["k1".into()]),
        };
        if token_key_ids.is_empty()
            || token_key_ids.iter().any(|k| {
                k.len() > 40
                    || !k
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
        {
            return Err(ConfigError::new(
                "token_key_ids",
                "(CAMPUS_TOKEN_KEY_IDS) must list one or more key ids of letters, digits, - and _",
            ));
        }
        let auth_attempts_per_minute = pick(
            "auth_attempts_per_minute",
            "CAMPUS_AUTH_ATTEMPTS_PER_MINUTE",
            None,
            file.auth_attempts_per_minute,
            env,
            parse_number,
        )?
        .unwrap_or(120);
        if !(1..=10_000).contains(&auth_attempts_per_minute) {
            return Err(ConfigError::new(
                "auth_attempts_per_minute",
                "must be between 1 and 10000",
            ));
        }
        let smtp_url = pick("smtp_url", "CAMPUS_SMTP_URL", None, file.smtp_url, env, Ok)?;
        let mail_transport = match smtp_url {
            Some(url) => {
                if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                    return Err(ConfigError::new(
                        "smtp_url",
                        "(CAMPUS_SMTP_URL) must start with smtp:// or smtps://",
                    ));
                }
                MailTransport::Smtp(Secret::new(url))
            }
            None => MailTransport::Folder(
                env("CAMPUS_MAIL_DIR")
                    .map(PathBuf::from)
                    .or(file.mail_dir)
                    .unwrap_or_else(|| data_dir.join("mail")),
            ),
        };
        let mail_from = pick(
            "mail_from",
            "CAMPUS_MAIL_FROM",
            None,
            file.mail_from,
            env,
            Ok,
        )?
        .unwrap_or_else(|| "Campus <no-reply@localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::new(
                "mail_from",
                format!(
                    "`{mail_from}` is not a mail address such as Campus <no-reply@example.edu>"
                ),
            ));
        }
        // `run_mail_sender` is the setting's former name, still read.
        let run_background_work = match pick(
            "run_background_work",
            "CAMPUS_RUN_BACKGROUND_WORK",
            None,
            file.run_background_work,
            env,
            parse_bool,
        )? {
            Some(value) => value,
            None => pick(
                "run_mail_sender",
                "CAMPUS_RUN_MAIL_SENDER",
                None,
                file.run_mail_sender,
                env,
                parse_bool,
            )?
            .unwrap_or(true),
        };
        let test_payment_gateway = pick(
            "test_payment_gateway",
            "CAMPUS_TEST_PAYMENT_GATEWAY",
            None,
            file.test_payment_gateway,
            env,
            parse_bool,
        )?;
        let test_payment_gateway = match (mode, test_payment_gateway) {
            (Mode::Production, Some(true)) => {
                return Err(ConfigError::new(
                    "test_payment_gateway",
                    "(CAMPUS_TEST_PAYMENT_GATEWAY) production mode refuses the test payment \
                     gateway: it takes no money, so anyone could pay a fee with its test card",
                ));
            }
            (Mode::Production, _) => false,
            (Mode::Development, chosen) => chosen.unwrap_or(true),
        };
        let metrics_token = pick(
            "metrics_token",
            "CAMPUS_METRICS_TOKEN",
            None,
            file.metrics_token,
            env,
            Ok,
        )?;
        if let Some(token) = &metrics_token
            && (token.len() < 16 || !token.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(ConfigError::new(
                "metrics_token",
                "(CAMPUS_METRICS_TOKEN) must be at least 16 printable characters without spaces",
            ));
        }
        let metrics_token = metrics_token.map(Secret::new);
        let sso_allowed_hosts: Vec<String> = match env("CAMPUS_SSO_ALLOWED_HOSTS") {
            Some(list) => list
                .split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
            None => file.sso_allowed_hosts.unwrap_or_default(),
        };
        for host in &sso_allowed_hosts {
            let is_block = host.parse::<IpNet>().is_ok();
            let is_name = !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
            if !is_block && !is_name {
                return Err(ConfigError::new(
                    "sso_allowed_hosts",
                    format!(
                        "(CAMPUS_SSO_ALLOWED_HOSTS) `{host}` is neither a host name nor an address or block"
                    ),
                ));
            }
        }
        let field_keys = match env("CAMPUS_FIELD_KEYS")
            .map(|list| {
                list.split(',')
                    .map(|k| k.trim().to_string())
                    .filter(|k| !k.is_empty())
                    .collect::<Vec<_>>()
            })
            .or(file.field_keys)
        {
            Some(entries) => crate::crypto::FieldKeys::parse(&entries).map_err(|why| {
                ConfigError::new("field_keys", format!("(CAMPUS_FIELD_KEYS) {why}"))
            })?,
            None => crate::crypto::FieldKeys::derived(secret_key.expose()),
        };
        let log_format = pick(
            "log_format",
            "CAMPUS_LOG_FORMAT",
            None,
            file.log_format,
            env,
            parse_log_format,
        )?
        .unwrap_or(LogFormat::Json);
        let log_filter = pick("log_filter", "CAMPUS_LOG", None, file.log_filter, env, Ok)?
            .unwrap_or_else(|| "info".into());
        if tracing_subscriber::EnvFilter::try_new(&log_filter).is_err() {
            return Err(ConfigError::new(
                "log_filter",
                format!("`{log_filter}` is not a log filter such as `info` or `campus=debug`"),
            ));
        }

        Ok(Config {
            mode,
            listen,
            data_dir,
            database_url,
            database_owner_url,
            database_max_connections,
            database_connect_timeout,
            secret_key,
            public_url,
            trusted_proxies,
            request_timeout,
            body_limit_bytes,
            upload_limit_bytes,
            session_idle,
            session_lifetime,
            token_key_ids,
            auth_attempts_per_minute,
            mail_transport,
            mail_from,
            run_background_work,
            field_keys,
            log_format,
            log_filter,
            test_payment_gateway,
            metrics_token,
            sso_allowed_hosts,
        })
    }
}

fn read_file(path: &Path) -> Result<FileSettings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::new(
            "config",
            format!("cannot read the config file {}: {e}", path.display()),
        )
    })?;
    toml::from_str(&text).map_err(|e| {
        ConfigError::new(
            "config",
            format!("the config file {} is not valid: {e}", path.display()),
        )
    })
}

/// The first of: flag, environment variable, file value.
fn pick<T>(
    setting: &str,
    var: &str,
    flag: Option<String>,
    file: Option<T>,
    env: EnvReader<'_>,
    parse: impl Fn(String) -> Result<T, String>,
) -> Result<Option<T>, ConfigError> {
    match flag.or_else(|| env(var)) {
        Some(raw) => parse(raw)
            .map(Some)
            .map_err(|why| ConfigError::new(setting, format!("({var}) {why}"))),
        None => Ok(file),
    }
}

fn seconds(
    setting: &str,
    var: &str,
    file: Option<u64>,
    env: EnvReader<'_>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Duration, ConfigError> {
    let value = pick(setting, var, None, file, env, parse_number)?.unwrap_or(default);
    if !range.contains(&value) {
        return Err(ConfigError::new(
            setting,
            format!("must be between {} and {}", range.start(), range.end()),
        ));
    }
    Ok(Duration::from_secs(value))
}

fn parse_number<T: FromStr>(raw: String) -> Result<T, String> {
    raw.trim()
        .parse()
        .map_err(|_| format!("`{raw}` is not a whole number"))
}

fn parse_bool(raw: String) -> Result<bool, String> {
    match raw.trim() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(format!("`{raw}` is neither true nor false")),
    }
}

fn parse_mode(raw: String) -> Result<Mode, String> {
    match raw.trim() {
        "development" => Ok(Mode::Development),
        "production" => Ok(Mode::Production),
        _ => Err(format!("`{raw}` is neither `development` nor `production`")),
    }
}

fn parse_log_format(raw: String) -> Result<LogFormat, String> {
    match raw.trim() {
        "json" => Ok(LogFormat::Json),
        "pretty" => Ok(LogFormat::Pretty),
        _ => Err(format!("`{raw}` is neither `json` nor `pretty`")),
    }
}

/// Known stand-ins people paste instead of a secret.
const PLACEHOLDERS: [&str; 6] = [
    "changeme", "secret", "password", "example", "campus", "default",
];

/// A secret must be long and not a pattern or a stand-in.
pub fn check_secret_strength(key: &str) -> Result<(), String> {
    if key.len() < 32 {
        return Err(format!(
            "is too short ({} characters): use at least 32 random characters, e.g. from \
             `campus secret`",
            key.len()
        ));
    }
    let mut distinct: Vec<char> = key.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let lower = key.to_ascii_lowercase();
    if distinct.len() < 12 || PLACEHOLDERS.iter().any(|p| lower.contains(p)) {
        return Err(
            "is too weak (a pattern or a placeholder word): use a random value from \
             `campus secret`"
                .into(),
        );
    }
    Ok(())
}

/// A fresh random secret: 64 hex characters (256 bits).
pub fn generate_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn development_secret(data_dir: &Path) -> Result<Secret, ConfigError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    let path = data_dir.join("secret.key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_string();
        if check_secret_strength(&existing).is_ok() {
            return Ok(Secret::new(existing));
        }
    }
    let unwritable = |e: std::io::Error| {
        ConfigError::new(
            "data_dir",
            format!(
                "cannot keep the development secret in {}: {e}; choose a writable data folder \
                 (--data-dir or CAMPUS_DATA_DIR)",
                path.display()
            ),
        )
    };
    std::fs::create_dir_all(data_dir).map_err(unwritable)?;
    let secret = generate_secret();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(&path)
        .map_err(unwritable)?;
    file.write_all(secret.as_bytes()).map_err(unwritable)?;
    Ok(Secret::new(secret))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const KEY: &str = "9c1f0e7a3b5d8f2e4a6c0b1d3f5e7a9c";

    fn load(vars: &[(&str, &str)], overrides: Overrides) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let overrides = Overrides {
            data_dir: overrides
                .data_dir
                .or_else(|| Some(std::env::temp_dir().join("campus-config-test"))),
            ..overrides
        };
        Config::load(&overrides, &|name| env.get(name).cloned())
    }

    fn file(text: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("campus-{}.toml", uuid::Uuid::new_v4()));
        std::fs::write(&path, text).expect("write config");
        path
    }

    #[test]
    fn background_work_is_named_for_all_it_runs_and_the_former_name_still_counts() {
        let on = load(&[("CAMPUS_SECRET_KEY", KEY)], Overrides::default()).expect("config");
        assert!(on.run_background_work);
        let off = load(
            &[
                ("CAMPUS_SECRET_KEY", KEY),
                ("CAMPUS_RUN_BACKGROUND_WORK", "false"),
            ],
            Overrides::default(),
        )
        .expect("config");
        assert!(!off.run_background_work);
        let former = load(
            &[
                ("CAMPUS_SECRET_KEY", KEY),
                ("CAMPUS_RUN_MAIL_SENDER", "false"),
            ],
            Overrides::default(),
        )
        .expect("config");
        assert!(!former.run_background_work);
    }

    #[test]
    fn defaults_are_safe_for_a_newcomer() {
        let config = load(&[("CAMPUS_SECRET_KEY", KEY)], Overrides::default()).expect("config");
        assert_eq!(config.mode, Mode::Development);
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert!(config.database_url.is_none());
        assert!(!config.served_over_tls());
    }

    #[test]
    fn flags_beat_environment_which_beats_the_file() {
        let path = file(
            "listen = \"127.0.0.1:7000\"\nrequest_timeout_secs = 9\nlog_format = \"pretty\"\n",
        );
        let base = Overrides {
            config_file: Some(path.clone()),
            ..Overrides::default()
        };
        let from_file = load(&[("CAMPUS_SECRET_KEY", KEY)], base.clone()).expect("config");
        assert_eq!(from_file.listen.port(), 7000);
        assert_eq!(from_file.request_timeout, Duration::from_secs(9));
        assert_eq!(from_file.log_format, LogFormat::Pretty);

        let vars = [
            ("CAMPUS_SECRET_KEY", KEY),
            ("CAMPUS_LISTEN", "127.0.0.1:7001"),
        ];
        assert_eq!(
            load(&vars, base.clone()).expect("config").listen.port(),
            7001
        );

        let flagged = Overrides {
            listen: Some("127.0.0.1:7002".into()),
            ..base
        };
        assert_eq!(load(&vars, flagged).expect("config").listen.port(), 7002);
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn bad_values_name_their_setting() {
        let cases: [(&[(&str, &str)], &str); 8] = [
            (&[("CAMPUS_LISTEN", "localhost")], "listen"),
            (&[("CAMPUS_MODE", "staging")], "mode"),
            (
                &[("CAMPUS_REQUEST_TIMEOUT_SECS", "0")],
                "request_timeout_secs",
            ),
            (
                &[("CAMPUS_REQUEST_TIMEOUT_SECS", "soon")],
                "request_timeout_secs",
            ),
            (&[("CAMPUS_BODY_LIMIT_BYTES", "10")], "body_limit_bytes"),
            (
                &[("CAMPUS_TRUSTED_PROXIES", "10.0.0.0/99")],
                "trusted_proxies",
            ),
            (&[("DATABASE_URL", "mysql://x")], "database_url"),
            (&[("CAMPUS_PUBLIC_URL", "ftp://x")], "public_url"),
        ];
        for (vars, setting) in cases {
            let mut all = vars.to_vec();
            all.push(("CAMPUS_SECRET_KEY", KEY));
            let error = load(&all, Overrides::default()).expect_err(setting);
            assert_eq!(error.setting, setting, "{error}");
        }
    }

    #[test]
    fn production_needs_a_strong_secret() {
        let missing = load(&[("CAMPUS_MODE", "production")], Overrides::default())
            .expect_err("missing secret");
        assert_eq!(missing.setting, "secret_key");
        assert!(missing.message.contains("missing"));
        for weak in [
            "short",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "changeme-changeme-changeme-changeme-1",
        ] {
            let error = load(
                &[("CAMPUS_MODE", "production"), ("CAMPUS_SECRET_KEY", weak)],
                Overrides::default(),
            )
            .expect_err(weak);
            assert_eq!(error.setting, "secret_key");
        }
        let config = load(
            &[
                ("CAMPUS_MODE", "production"),
                ("CAMPUS_SECRET_KEY", &generate_secret()),
            ],
            Overrides::default(),
        )
        .expect("strong secret");
        assert!(
            !format!("{config:?}").contains(config.secret_key.expose()),
            "secret in Debug"
        );
    }

    #[test]
    fn the_test_payment_gateway_is_for_development_only() {
        let strong = generate_secret();
        let development = load(&[("CAMPUS_SECRET_KEY", KEY)], Overrides::default()).expect("dev");
        assert!(development.test_payment_gateway);
        let turned_off = load(
            &[
                ("CAMPUS_SECRET_KEY", KEY),
                ("CAMPUS_TEST_PAYMENT_GATEWAY", "false"),
            ],
            Overrides::default(),
        )
        .expect("dev without it");
        assert!(!turned_off.test_payment_gateway);
        let production = load(
            &[
                ("CAMPUS_MODE", "production"),
                ("CAMPUS_SECRET_KEY", &strong),
            ],
            Overrides::default(),
        )
        .expect("production");
        assert!(!production.test_payment_gateway);
        let refused = load(
            &[
                ("CAMPUS_MODE", "production"),
                ("CAMPUS_SECRET_KEY", &strong),
                ("CAMPUS_TEST_PAYMENT_GATEWAY", "true"),
            ],
            Overrides::default(),
        )
        .expect_err("production with the test gateway");
        assert_eq!(refused.setting, "test_payment_gateway");
    }

    #[test]
    fn the_file_refuses_unknown_keys_and_wrong_types() {
        for text in ["lisen = \"127.0.0.1:1\"", "listen = 5", "not toml at all ="] {
            let path = file(text);
            let error = load(
                &[("CAMPUS_SECRET_KEY", KEY)],
                Overrides {
                    config_file: Some(path.clone()),
                    ..Overrides::default()
                },
            )
            .expect_err(text);
            assert_eq!(error.setting, "config", "{error}");
            std::fs::remove_file(path).ok();
        }
        let missing = load(
            &[("CAMPUS_SECRET_KEY", KEY)],
            Overrides {
                config_file: Some(PathBuf::from("/nonexistent/campus.toml")),
                ..Overrides::default()
            },
        )
        .expect_err("missing file");
        assert!(missing.message.contains("cannot read"));
    }

    #[test]
    fn development_keeps_its_generated_secret() {
        let dir = std::env::temp_dir().join(format!("campus-secret-{}", uuid::Uuid::new_v4()));
        let overrides = || Overrides {
            data_dir: Some(dir.clone()),
            ..Overrides::default()
        };
        let first = load(&[], overrides()).expect("config").secret_key;
        let second = load(&[], overrides()).expect("config").secret_key;
        assert_eq!(first, second);
        assert!(check_secret_strength(first.expose()).is_ok());
        std::fs::remove_dir_all(dir).ok();
    }
}
