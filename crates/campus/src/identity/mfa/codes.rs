//! The codes of the second factor, the parts that need no database: TOTP (RFC 6238,
//! 30-second steps, 6 digits, SHA-1 as authenticator apps expect) enrolled by a QR code
//! drawn on the server, and ten single-use recovery codes stored hashed. A code's time
//! step is remembered (in `queries`) so it cannot be used twice.

use sha2::{Digest, Sha256};
use totp_rs::{Builder, Totp};
use uuid::Uuid;

pub const RECOVERY_CODES: usize = 10;

pub(super) fn secret_aad(user: Uuid) -> String {
    format!("users.totp_secret:{user}")
}

pub(super) fn pending_aad(user: Uuid) -> String {
    format!("users.totp_pending:{user}")
}

pub(super) fn totp(secret: &[u8]) -> Option<Totp> {
    Builder::new().with_secret(secret.to_vec()).build().ok()
}

pub(super) fn now() -> u64 {
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

pub(super) fn hash_code(code: &str) -> Vec<u8> {
    Sha256::digest(normalize(code).as_bytes()).to_vec()
}

/// Ten fresh recovery codes like `k3mx-7qpa-w2zd`.
pub(super) fn new_recovery_codes() -> Vec<String> {
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

pub(super) fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn hex_decode(text: &str) -> Result<Vec<u8>, ()> {
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(())
        })
        .collect()
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
}
