//! The second factor: TOTP (RFC 6238, 30-second steps, 6 digits, SHA-1 as authenticator
//! apps expect) enrolled by a QR code drawn on the server, plus ten single-use recovery
//! codes stored hashed. A code's time step is remembered so it cannot be used twice.

use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use totp_rs::{Builder, Totp};
use uuid::Uuid;

use crate::crypto::FieldKeys;

pub const RECOVERY_CODES: usize = 10;

fn secret_aad(user: Uuid) -> String {
    format!("users.totp_secret:{user}")
}

fn pending_aad(user: Uuid) -> String {
    format!("users.totp_pending:{user}")
}

fn totp(secret: &[u8]) -> Option<Totp> {
    Builder::new().with_secret(secret.to_vec()).build().ok()
}

fn now() -> u64 {
    time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64
}

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_url(issuer: &str, account: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        url_encode(issuer),
        url_encode(account),
        base32(secret),
        url_encode(issuer)
    )
}

/// The QR code of `text` as SVG markup (no script, no style: fine under the CSP).
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// The current code for `secret` (tests and tools).
pub fn current_code(secret: &[u8]) -> String {
    code_at(secret, now())
}

/// The code for `secret` at a Unix time (tests and tools).
pub fn code_at(secret: &[u8], unix_time: u64) -> String {
    totp(secret)
        .map(|t| t.generate(unix_time).to_string())
        .unwrap_or_default()
}

fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

fn hash_code(code: &str) -> Vec<u8> {
    Sha256::digest(normalize(code).as_bytes()).to_vec()
}

/// Ten fresh recovery codes like `k3mx-7qpa-w2zd`.
fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let bytes: [u8; 12] = rand::random();
            let chars: Vec<char> = bytes
                .iter()
                .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
                .collect();
            format!(
                "{}-{}-{}",
                chars[0..4].iter().collect::<String>(),
                chars[4..8].iter().collect::<String>(),
                chars[8..12].iter().collect::<String>()
            )
        })
        .collect()
}

/// Whether the user has a confirmed second factor.
pub async fn enabled(conn: &mut PgConnection, user: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT totp_enabled_at IS NOT NULL AS \"v!\" FROM users WHERE id = $1",
        user
    )
    .fetch_one(conn)
    .await
}

/// The secret being enrolled: the pending one, or a new one stored as pending.
pub async fn pending_secret(
    conn: &mut PgConnection,
    keys: &FieldKeys,
    user: Uuid,
) -> anyhow::Result<Vec<u8>> {
    let stored: Option<String> =
        sqlx::query_scalar!("SELECT totp_pending_enc FROM users WHERE id = $1", user)
            .fetch_one(&mut *conn)
            .await?;
    if let Some(stored) = stored
        && let Ok(text) = keys.decrypt(&pending_aad(user), &stored)
        && let Ok(bytes) = hex_decode(&text)
    {
        return Ok(bytes);
    }
    let secret: [u8; 20] = rand::random();
    sqlx::query!(
        "UPDATE users SET totp_pending_enc = $2 WHERE id = $1",
        user,
        keys.encrypt(&pending_aad(user), &hex_encode(&secret))
    )
    .execute(conn)
    .await?;
    Ok(secret.to_vec())
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(text: &str) -> Result<Vec<u8>, ()> {
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(())
        })
        .collect()
}

/// Confirms enrolment with a code from the app; returns the recovery codes to show once.
pub async fn confirm(
    conn: &mut PgConnection,
    keys: &FieldKeys,
    user: Uuid,
    code: &str,
) -> anyhow::Result<Option<Vec<String>>> {
    let secret = pending_secret(conn, keys, user).await?;
    let Some(step) = totp(&secret).and_then(|t| t.check(code.trim(), now())) else {
        return Ok(None);
    };
    sqlx::query!(
        "UPDATE users SET totp_secret_enc = $2, totp_pending_enc = NULL, totp_enabled_at = now(), \
            totp_last_step = $3 WHERE id = $1",
        user,
        keys.encrypt(&secret_aad(user), &hex_encode(&secret)),
        step as i64
    )
    .execute(&mut *conn)
    .await?;
    Ok(Some(replace_recovery_codes(conn, user).await?))
}

/// Adds known recovery codes (the demo's documented ones).
pub async fn add_recovery_codes(
    conn: &mut PgConnection,
    user: Uuid,
    codes: &[String],
) -> Result<(), sqlx::Error> {
    for code in codes {
        sqlx::query!(
            "INSERT INTO recovery_codes (college_id, user_id, code_hash) \
             VALUES (app_current_college(), $1, $2) ON CONFLICT DO NOTHING",
            user,
            hash_code(code)
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn replace_recovery_codes(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    let codes = new_recovery_codes();
    for code in &codes {
        sqlx::query!("INSERT INTO recovery_codes (college_id, user_id, code_hash) VALUES (app_current_college(), $1, $2)", user, hash_code(code))
            .execute(&mut *conn)
            .await?;
    }
    Ok(codes)
}

/// How a second factor was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    Totp,
    RecoveryCode,
}

/// Checks a code from the app (not reusing a step already used) or an unused recovery
/// code (which is then used up).
pub async fn verify(
    conn: &mut PgConnection,
    keys: &FieldKeys,
    user: Uuid,
    code: &str,
) -> anyhow::Result<Option<Proof>> {
    let row: Option<(Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT totp_secret_enc, totp_last_step FROM users WHERE id = $1 FOR UPDATE",
    )
    .bind(user)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((Some(stored), last_step)) = row else {
        return Ok(None);
    };
    let secret = hex_decode(&keys.decrypt(&secret_aad(user), &stored)?)
        .map_err(|()| anyhow::anyhow!("bad stored secret"))?;
    if let Some(step) = totp(&secret).and_then(|t| t.check(code.trim(), now())) {
        if last_step.is_some_and(|last| step as i64 <= last) {
            return Ok(None);
        }
        sqlx::query!(
            "UPDATE users SET totp_last_step = $2 WHERE id = $1",
            user,
            step as i64
        )
        .execute(&mut *conn)
        .await?;
        return Ok(Some(Proof::Totp));
    }
    let used = sqlx::query!("UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL", user, hash_code(code))
    .execute(&mut *conn)
    .await?;
    Ok((used.rows_affected() == 1).then_some(Proof::RecoveryCode))
}

/// Turns the second factor on with a known secret (the demo college's documented key).
pub async fn enable_with_secret(
    conn: &mut PgConnection,
    keys: &FieldKeys,
    user: Uuid,
    secret: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET totp_secret_enc = $2, totp_enabled_at = now() WHERE id = $1",
        user,
        keys.encrypt(&secret_aad(user), &hex_encode(secret))
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the second factor and its recovery codes.
pub async fn remove(conn: &mut PgConnection, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET totp_secret_enc = NULL, totp_pending_enc = NULL, totp_enabled_at = NULL, \
            totp_last_step = NULL WHERE id = $1",
        user
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether these roles need a second factor in this college.
pub fn required(roles: &[String], staff_required: bool) -> bool {
    use crate::access::permissions::Role;
    roles.iter().any(|name| match Role::parse(name) {
        Some(role) => role.needs_second_factor() || (staff_required && role.is_staff()),
        None => staff_required,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    }

    #[test]
    fn codes_from_the_secret_check() {
        let secret = [7u8; 20];
        let code = current_code(&secret);
        assert_eq!(code.len(), 6);
        assert!(totp(&secret).and_then(|t| t.check(&code, now())).is_some());
        assert!(
            otpauth_url("Campus", "ada@x.edu", &secret)
                .starts_with("otpauth://totp/Campus:ada%40x.edu?secret=")
        );
        assert!(
            qr_svg("otpauth://totp/x").starts_with("<?xml")
                || qr_svg("otpauth://totp/x").contains("<svg")
        );
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalize() {
        let codes = new_recovery_codes();
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        assert_eq!(hash_code("ABCD-efgh-2345"), hash_code("abcd efgh 2345"));
    }

    #[test]
    fn admins_and_principals_always_need_it() {
        let roles = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(required(&roles(&["college_admin"]), false));
        assert!(required(&roles(&["principal"]), false));
        assert!(!required(&roles(&["teacher"]), false));
        assert!(required(&roles(&["teacher"]), true));
        assert!(!required(&roles(&["student", "parent"]), true));
    }
}
