//! Field encryption: AES-256-GCM under a key id, for fields marked sensitive (national
//! identity numbers, second-factor secrets). A stored value is
//! `v1:<key id>:<base64(nonce || ciphertext)>`, bound by associated data to its table,
//! column and row, so a value copied to another row does not decrypt. The last key
//! listed encrypts; every listed key decrypts, so keys rotate without downtime.

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Chooses ring as the TLS crypto provider (outgoing HTTPS to sign-in providers). More
/// than one provider can be compiled in, and rustls then needs to be told; installing
/// twice is harmless.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the stored value is not in the v1 format")]
    Malformed,
    #[error("no key with id `{0}` is configured")]
    UnknownKey(String),
    #[error("the value does not decrypt under its key (tampered, or moved from another row)")]
    Undecryptable,
}

#[derive(Clone)]
pub struct FieldKeys {
    keys: Vec<(String, [u8; 32])>,
}

impl fmt::Debug for FieldKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("FieldKeys")
            .field("ids", &ids)
            .finish_non_exhaustive()
    }
}

impl FieldKeys {
    /// Parses `id:base64key` entries (32-byte keys); the last one encrypts.
    pub fn parse(entries: &[String]) -> Result<FieldKeys, String> {
        let mut keys = Vec::new();
        for entry in entries {
            let (id, key) = entry
                .split_once(':')
                .ok_or_else(|| "each entry is `id:base64key`".to_string())?;
            if id.is_empty() || id.len() > 20 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(format!("key id `{id}` must be 1 to 20 letters or digits"));
            }
            let bytes = STANDARD
                .decode(key.trim())
                .map_err(|_| format!("key `{id}` is not base64"))?;
            let key: [u8; 32] = bytes
                .try_into()
                .map_err(|_| format!("key `{id}` must be 32 bytes (44 base64 characters)"))?;
            if keys.iter().any(|(other, _)| other == id) {
                return Err(format!("key id `{id}` is listed twice"));
            }
            keys.push((id.to_string(), key));
        }
        if keys.is_empty() {
            return Err("list at least one key".into());
        }
        Ok(FieldKeys { keys })
    }

    /// One key derived from the secret key, for installations that set none.
    pub fn derived(secret: &str) -> FieldKeys {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new_from_slice(b"campus").expect("key"));
        mac.update(b"campus-field-key:s1");
        FieldKeys {
            keys: vec![("s1".into(), mac.finalize().into_bytes().into())],
        }
    }

    /// A new random key entry, `id:base64`.
    pub fn generate_entry(id: &str) -> String {
        format!("{id}:{}", STANDARD.encode(rand::random::<[u8; 32]>()))
    }

    pub fn active_id(&self) -> &str {
        self.keys.last().map_or("", |(id, _)| id.as_str())
    }

    fn cipher(&self, id: &str) -> Result<Aes256Gcm, CryptoError> {
        let (_, key) = self
            .keys
            .iter()
            .find(|(k, _)| k == id)
            .ok_or_else(|| CryptoError::UnknownKey(id.to_string()))?;
        Ok(Aes256Gcm::new(&Key::<Aes256Gcm>::from(*key)))
    }

    /// Encrypts `plaintext` for the place named by `aad` (e.g. `users.national_id:<id>`).
    pub fn encrypt(&self, aad: &str, plaintext: &str) -> String {
        let id = self.active_id();
        let nonce_bytes: [u8; 12] = rand::random();
        let nonce = Nonce::from(nonce_bytes);
        let sealed = self
            .cipher(id)
            .and_then(|c| {
                c.encrypt(
                    &nonce,
                    Payload {
                        msg: plaintext.as_bytes(),
                        aad: aad.as_bytes(),
                    },
                )
                .map_err(|_| CryptoError::Undecryptable)
            })
            .unwrap_or_default();
        let mut out = nonce_bytes.to_vec();
        out.extend(sealed);
        format!("v1:{id}:{}", STANDARD.encode(out))
    }

    pub fn decrypt(&self, aad: &str, stored: &str) -> Result<String, CryptoError> {
        let mut parts = stored.splitn(3, ':');
        let (Some("v1"), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CryptoError::Malformed);
        };
        let bytes = STANDARD.decode(body).map_err(|_| CryptoError::Malformed)?;
        if bytes.len() < 12 + 16 {
            return Err(CryptoError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(12);
        let nonce = Nonce::try_from(nonce).map_err(|_| CryptoError::Malformed)?;
        let plain = self
            .cipher(id)?
            .decrypt(
                &nonce,
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Undecryptable)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Undecryptable)
    }

    /// The key id a stored value was encrypted under.
    pub fn key_of(stored: &str) -> Option<&str> {
        stored.strip_prefix("v1:")?.split(':').next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(entries: &[&str]) -> FieldKeys {
        FieldKeys::parse(&entries.iter().map(|e| e.to_string()).collect::<Vec<_>>()).expect("keys")
    }

    #[test]
    fn round_trips_and_binds_to_its_place() {
        let one = FieldKeys::generate_entry("k1");
        let keys = keys(&[&one]);
        let stored = keys.encrypt("users.national_id:1", "AB123456");
        assert!(stored.starts_with("v1:k1:"));
        assert!(!stored.contains("AB123456"));
        assert_eq!(
            keys.decrypt("users.national_id:1", &stored).as_deref(),
            Ok("AB123456")
        );
        assert_eq!(
            keys.decrypt("users.national_id:2", &stored),
            Err(CryptoError::Undecryptable)
        );
        let mut tampered = stored.clone();
        tampered.pop();
        tampered.push(if stored.ends_with('A') { 'B' } else { 'A' });
        assert!(keys.decrypt("users.national_id:1", &tampered).is_err());
        assert_ne!(
            keys.encrypt("x", "same"),
            keys.encrypt("x", "same"),
            "nonces repeat"
        );
    }

    #[test]
    fn rotation_keeps_old_values_readable() {
        let old_entry = FieldKeys::generate_entry("k1");
        let old = keys(&[&old_entry]);
        let stored = old.encrypt("a", "secret");
        let new_entry = FieldKeys::generate_entry("k2");
        let rotated = keys(&[&old_entry, &new_entry]);
        assert_eq!(rotated.active_id(), "k2");
        assert_eq!(rotated.decrypt("a", &stored).as_deref(), Ok("secret"));
        assert_eq!(FieldKeys::key_of(&rotated.encrypt("a", "x")), Some("k2"));
        let retired = keys(&[&new_entry]);
        assert_eq!(
            retired.decrypt("a", &stored),
            Err(CryptoError::UnknownKey("k1".into()))
        );
        assert!(
            !format!("{rotated:?}").contains(&new_entry[3..]),
            "a key shows in Debug"
        );
    }

    #[test]
    fn bad_key_lists_are_refused() {
        let parse =
            |e: &[&str]| FieldKeys::parse(&e.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert!(parse(&[]).is_err());
        assert!(parse(&["k1"]).is_err());
        assert!(parse(&["k1:short"]).is_err());
        let entry = FieldKeys::generate_entry("k1");
        assert!(parse(&[&entry, &entry]).is_err());
    }
}
